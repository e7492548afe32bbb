"""Crash safety: a writer killed with SIGKILL at random moments always reopens at a whole block."""

from __future__ import annotations

import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import plyvel
import pytest

from ledger.merkle.flat import root_of
from ledger.store import Store, schema
from tests.ledger.store.synthetic import (
    GENESIS_HASH,
    Model,
    commit_for,
    records_under,
    stored_records,
)

REPO_ROOT = Path(__file__).resolve().parents[3]
KILLS = 36
STATE_KILLS = 8
SCHEDULE_SEED = 20_240_601
CHAIN_SEED = 5


def heights_under(path: Path, prefix: bytes) -> list[int]:
    db = plyvel.DB(str(path))
    try:
        return [schema.from_u64(k[1:]) for k in db.iterator(prefix=prefix, include_value=False)]
    finally:
        db.close()


def check_reopened(path: Path, model: Model) -> int:
    """Everything the brief promises after a crash; returns the height the store reopened at."""
    with Store.open(path, GENESIS_HASH) as store:  # open checks the last block against the root
        if not store.initialized:  # killed before the genesis batch: nothing at all
            assert list(store.state.iter_prefix(b"")) == [] and store.height == 0
            return 0
        height = store.height
        model.advance_to(height)
        state = dict(store.state.iter_prefix(b""))
        assert state == model.state, f"state differs from the model at height {height}"
        assert store.state_root == model.root == root_of(state)
        if height:
            block = store.block(height)
            assert block is not None and block.hash() == model.block_hashes[-1]
            assert block.header.state_root == store.state_root
            assert store.commit(height) == commit_for(height, block.hash())
            for position, tx in enumerate(block.txs):
                location = store.tx_location(tx.hash)
                assert location is not None and (location.height, location.position) == (
                    height,
                    position,
                )
    expected = list(range(1, height + 1))
    assert heights_under(path, schema.BLOCK) == expected, "blocks are not exactly 1..height"
    assert heights_under(path, schema.COMMIT) == expected, "commits are not exactly 1..height"
    return height


def run_and_kill(path: Path, rng: random.Random, stderr_path: Path, *extra: str) -> None:
    with (
        stderr_path.open("w") as stderr,
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tests.ledger.store.crash_writer",
                str(path),
                str(CHAIN_SEED),
                *extra,
            ],
            cwd=REPO_ROOT,
            stdout=subprocess.PIPE,
            stderr=stderr,
            text=True,
        ) as writer,
    ):
        assert writer.stdout is not None
        if rng.random() < 0.2:  # anywhere, including while LevelDB opens and recovers its log
            time.sleep(rng.uniform(0.0, 0.5))
        else:  # while committing
            line = writer.stdout.readline()
            assert line.startswith("ready"), stderr_path.read_text()
            # wait for one commit, so a loaded machine cannot starve the run of progress
            line = writer.stdout.readline()
            assert line.startswith("committed"), stderr_path.read_text()
            time.sleep(rng.uniform(0.0, 0.4))
        writer.send_signal(signal.SIGKILL)
        writer.wait()
        assert writer.returncode in (-signal.SIGKILL, 0), stderr_path.read_text()


@pytest.mark.slow
@pytest.mark.timeout(900)  # 36 writer processes: over 200 s on two cores shared with other tests
def test_sigkill_at_random_moments_always_reopens_at_the_last_whole_block(tmp_path: Path) -> None:
    path = tmp_path / "db"
    rng = random.Random(SCHEDULE_SEED)
    model = Model(CHAIN_SEED)
    last_height = 0
    advanced = 0
    for kill in range(KILLS):
        run_and_kill(path, rng, tmp_path / "writer.err")
        height = check_reopened(path, model)
        assert height >= last_height, f"kill {kill}: height went back from {last_height}"
        advanced += height > last_height
        last_height = height
    assert advanced >= KILLS // 2, f"only {advanced} of {KILLS} runs committed anything"
    assert last_height > KILLS


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_sigkill_with_state_pruning_keeps_exactly_the_kept_state_trees(tmp_path: Path) -> None:
    """A writer with `keep_states` killed between (and inside) its batches: every reopened store
    holds exactly the records of its last KEEP_STATES roots, each whole, at the model's root."""
    path, keep = tmp_path / "db", 3
    rng = random.Random(SCHEDULE_SEED + 1)
    model = Model(CHAIN_SEED)
    for _ in range(STATE_KILLS):
        run_and_kill(path, rng, tmp_path / "writer.err", str(keep))
        height = check_reopened(path, model)
        with Store.open(path, GENESIS_HASH) as store:
            if not store.initialized:
                continue
            assert store.earliest_state_height == max(0, height - keep + 1)
            kept = range(store.earliest_state_height, height + 1)
            wanted = set().union(*(records_under(store, store.state_root_at(h)) for h in kept))
            assert stored_records(store) == wanted
    assert model.height > STATE_KILLS


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_sigkill_while_a_batch_is_written_on_another_thread_reopens_at_a_whole_block(
    tmp_path: Path,
) -> None:
    """As a node commits (node/commit_off_loop.py): each batch written on a thread of its own
    while reads are pinned and the main thread reads; killed anywhere in that, the store
    reopens at the last whole block, with the model's state and root."""
    path = tmp_path / "db"
    rng = random.Random(SCHEDULE_SEED + 2)
    model = Model(CHAIN_SEED)
    last_height = 0
    for kill in range(STATE_KILLS):
        run_and_kill(path, rng, tmp_path / "writer.err", "none", "off-thread")
        height = check_reopened(path, model)
        assert height >= last_height, f"kill {kill}: height went back from {last_height}"
        last_height = height
    assert last_height > STATE_KILLS
