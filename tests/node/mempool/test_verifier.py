"""Batch verification in worker threads and in worker processes gives the same answers."""

from __future__ import annotations

import dataclasses
import os
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.tx import SignedTx
from node.mempool import SignatureVerifier
from node.mempool.verifier import INLINE_MAX
from tests.node.mempool.conftest import GENESIS_HASH, SENDERS, sign_transfer


def batch(count: int) -> tuple[list[SignedTx], list[bool]]:
    """`count` transfers, every third with a broken signature, and whether each is valid."""
    txs: list[SignedTx] = []
    expected: list[bool] = []
    for n in range(count):
        tx = sign_transfer(SENDERS[n % len(SENDERS)], n // len(SENDERS), 1)
        if n % 3 == 2:
            broken = bytes([tx.signature[0] ^ 1]) + tx.signature[1:]
            tx = dataclasses.replace(tx, signature=broken, _encoded=None)
        txs.append(tx)
        expected.append(n % 3 != 2)
    return txs, expected


@pytest.fixture(params=[False, True], ids=["threads", "processes"])
async def verifier(request: pytest.FixtureRequest) -> AsyncIterator[SignatureVerifier]:
    v = SignatureVerifier(GENESIS_HASH, workers=2, processes=request.param)
    v.start()
    yield v
    v.close()


async def test_batches_verify_each_signature_once(verifier: SignatureVerifier) -> None:
    txs, expected = batch(60)
    assert await verifier.verify_batch(txs) == expected
    assert verifier.verified_total == 60
    assert all(verifier.is_verified(tx.hash) == ok for tx, ok in zip(txs, expected, strict=True))
    assert await verifier.verify_batch(txs) == expected  # the valid ones from the cache
    assert verifier.verified_total == 60 + expected.count(False)
    assert await verifier.verify_batch(txs[:5]) == expected[:5]  # a batch below one chunk


async def test_a_lone_tx_is_verified_on_the_loop_without_a_hand_off() -> None:
    """Issue 17: at low load the hand-off to a worker process and back was most of a lone tx's
    admission on a loaded machine; a batch of up to INLINE_MAX unseen signatures is checked in
    place, with the same answers (a broken signature still fails, a good one is remembered)."""
    verifier = SignatureVerifier(GENESIS_HASH, workers=2, processes=True)
    try:
        txs, expected = batch(INLINE_MAX + 1)
        assert expected[2] is False  # the batch holds a broken signature
        assert await verifier.verify_batch(txs[:INLINE_MAX]) == expected[:INLINE_MAX]
        assert verifier._pool is None  # no worker was started for it
        assert verifier.verified_total == INLINE_MAX
        pairs = zip(txs[:INLINE_MAX], expected, strict=False)
        assert all(verifier.is_verified(t.hash) == ok for t, ok in pairs)
        assert await verifier.verify_batch(txs) == expected  # one more unseen: still in place
        assert verifier._pool is None
        more, more_expected = batch(3 * INLINE_MAX)
        assert await verifier.verify_batch(more) == more_expected  # larger: to the workers
        assert verifier._pool is not None
    finally:
        verifier.close()


async def test_a_killed_worker_process_costs_no_answer() -> None:
    verifier = SignatureVerifier(GENESIS_HASH, workers=2, processes=True)
    try:
        txs, expected = batch(40)
        assert await verifier.verify_batch(txs[:20]) == expected[:20]
        pool = verifier._pool
        assert pool is not None
        workers = list(getattr(pool, "_processes", {}).values())
        assert workers, "the process pool has no worker processes"
        for worker in workers:
            os.kill(worker.pid, signal.SIGKILL)
            worker.join(10)
        assert await verifier.verify_batch(txs[20:]) == expected[20:]
        assert await verifier.verify_batch(batch(50)[0][40:]) == batch(50)[1][40:]
    finally:
        verifier.close()


async def test_worker_processes_ignore_ctrl_c() -> None:
    verifier = SignatureVerifier(GENESIS_HASH, workers=2, processes=True)
    try:
        verifier.start()
        txs, expected = batch(80)
        assert await verifier.verify_batch(txs[:40]) == expected[:40]
        workers = list(getattr(verifier._pool, "_processes", {}).values())
        assert len(workers) == 2
        deadline = time.monotonic() + 20  # until both have started (a Ctrl-C before dies)
        while time.monotonic() < deadline and not all(_ignores_sigint(w.pid) for w in workers):
            time.sleep(0.05)
        for worker in workers:
            os.kill(worker.pid, signal.SIGINT)  # what a Ctrl-C in the node's terminal sends
        time.sleep(0.5)
        assert all(worker.is_alive() for worker in workers), [w.exitcode for w in workers]
        assert await verifier.verify_batch(txs[40:]) == expected[40:]
        assert set(getattr(verifier._pool, "_processes", {}).values()) == set(workers)
    finally:
        verifier.close()


def _ignores_sigint(pid: int) -> bool:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("SigIgn:"):
            return bool(int(line.split()[1], 16) & (1 << (signal.SIGINT - 1)))
    return False


ROOT = Path(__file__).resolve().parents[3]
ORPHAN_PROBE = """
import asyncio, os, signal
from node.mempool import SignatureVerifier
from node.mempool.verifier import INLINE_MAX
from tests.node.mempool.test_verifier import batch

async def main():
    verifier = SignatureVerifier(bytes(32), workers=2, processes=True)
    await verifier.verify_batch(batch(40)[0])
    print(*(p.pid for p in verifier._pool._processes.values()), flush=True)
    os.kill(os.getpid(), signal.SIGKILL)  # no chance to stop the pool

asyncio.run(main())
"""


def test_worker_processes_exit_when_their_node_is_killed(tmp_path: Path) -> None:
    out, err = tmp_path / "out", tmp_path / "err"
    with out.open("w") as stdout, err.open("w") as stderr:  # files: an orphan holds pipes open
        probe = subprocess.run(
            [sys.executable, "-c", ORPHAN_PROBE],
            stdout=stdout,
            stderr=stderr,
            timeout=60,
            check=False,
            cwd=ROOT,
        )
    assert probe.returncode == -signal.SIGKILL, err.read_text()
    pids = [int(word) for word in out.read_text().split()]
    assert len(pids) == 2
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(_alive(pid) for pid in pids):
        time.sleep(0.1)
    assert not any(_alive(pid) for pid in pids), "worker processes outlived their node"


def _alive(pid: int) -> bool:
    """Running, or stopped but not a zombie (an orphan's reaper here may never reap it)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def test_a_worker_process_imports_nothing_of_the_node_but_its_own_module() -> None:
    """A spawned worker imports the module of the functions it runs: keeping that module free of
    the mempool, the API and aiohttp keeps each worker's memory at about half (issue 17)."""
    probe = (
        "import sys, node.sigworker\n"
        "heavy = [m for m in sys.modules if m.startswith(('node.', 'aiohttp', 'cli', 'consensus'))"
        " and m != 'node.sigworker']\n"
        "assert not heavy, heavy\n"
    )
    repo = Path(__file__).resolve().parents[3]
    command = [sys.executable, "-c", probe]
    done = subprocess.run(command, check=False, cwd=repo, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


SCRIPT_MAIN = """
import multiprocessing, sys
import cli.main  # a heavy import at the top of the main script, as the coterie console script's
from node.sigworker import hide_script_main
if __name__ == "__main__":
    if sys.argv[1:] == ["hide"]:
        hide_script_main()
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        print(pool.apply(eval, ("'cli.main' in __import__('sys').modules",)))
"""


@pytest.mark.parametrize(("hide", "imported"), [(False, "True"), (True, "False")])
def test_a_worker_spawned_from_a_script_imports_the_script_only_unless_hidden(
    tmp_path: Path, hide: bool, imported: str
) -> None:
    """`coterie start` runs a console script: without `hide_script_main`, each spawned signature
    worker imports it, and with it the whole CLI (45 MiB private per worker, issue 17)."""
    script = tmp_path / "script.py"
    script.write_text(SCRIPT_MAIN)
    repo = Path(__file__).resolve().parents[3]
    command = [sys.executable, str(script), *(["hide"] if hide else [])]
    env = {**os.environ, "PYTHONPATH": str(repo)}
    done = subprocess.run(command, check=False, capture_output=True, text=True, env=env)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == imported


@settings(max_examples=40, deadline=None)
@given(
    cache_size=st.integers(1, 12),
    steps=st.lists(st.tuples(st.booleans(), st.integers(0, 30)), max_size=120),
)
def test_the_verified_set_stays_bounded_and_forgets_what_committed(
    cache_size: int, steps: list[tuple[bool, int]]
) -> None:
    """Any sequence of remembered and forgotten (committed) hashes: at most `cache_size` are
    held (2 when it is 1), a forgotten hash is no longer verified, and a remembered one is
    still held until at least `cache_size // 2` other hashes were remembered after it."""
    verifier = SignatureVerifier(GENESIS_HASH, cache_size=cache_size)
    since: dict[bytes, int] = {}  # held hash -> distinct hashes remembered after it
    for remember, n in steps:
        tx_hash = n.to_bytes(32, "big")
        if remember:
            if not verifier.is_verified(tx_hash):
                for held in since:
                    since[held] += 1
                since[tx_hash] = 0
            verifier.remember(tx_hash)
        else:
            verifier.forget([tx_hash])
            since.pop(tx_hash, None)
            assert not verifier.is_verified(tx_hash)
        assert len(verifier) <= max(cache_size, 2)
        for held, later in since.items():
            if later < max(1, cache_size // 2):
                assert verifier.is_verified(held)
        since = {h: c for h, c in since.items() if verifier.is_verified(h)}
