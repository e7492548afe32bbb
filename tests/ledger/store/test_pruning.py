"""A pruning store (`keep_blocks` with `keep_states`) keeps exactly its window: the last K blocks
with their commits and indexes, and every Merkle record the state roots of those heights reach, even
when a later block brings back a subtree an earlier one dropped; an archive store keeps everything.
(tests/ledger/store/test_state_history.py covers `keep_states` alone.)"""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.merkle.flat import verify_proof
from ledger.store import Store
from ledger.store import schema as sc
from tests.ledger.store.synthetic import (
    GENESIS_KEYS,
    churn,
    commit_changes,
    open_store,
    records_under,
)

KEYS = GENESIS_KEYS


def _count(store: Store, prefix: bytes) -> int:
    with store._db.iterator(prefix=prefix, include_value=False) as keys:
        return sum(1 for _ in keys)


@settings(max_examples=12, deadline=None)
@given(st.integers(0, 2**32), st.integers(1, 6), st.integers(5, 40))
def test_every_kept_root_stays_whole_and_older_blocks_go(
    tmp_path_factory: pytest.TempPathFactory, seed: int, keep: int, blocks: int
) -> None:
    path = tmp_path_factory.mktemp("prune")
    rng = random.Random(seed)
    pruned, archive = open_store(path / "pruned"), open_store(path / "archive")
    pruned.keep_blocks, pruned.keep_states = keep, max(2, keep)
    roots: dict[int, bytes] = {}
    try:
        for _ in range(blocks):
            changes = churn(rng)
            root = commit_changes(pruned, changes, seed).header.state_root
            roots[pruned.height] = root
            assert commit_changes(archive, changes, seed).header.state_root == root
            top = pruned.height
            assert pruned.base_height == max(1, top - keep + 1)
            for height in range(pruned.base_height, top + 1):
                records_under(pruned, roots[height])
                assert pruned.block(height) is not None and pruned.commit(height) is not None
            for height in range(1, pruned.base_height):
                assert pruned.block(height) is None and pruned.commit(height) is None
        for key in KEYS:  # proofs at the latest height
            value, proof = pruned.prove(key)
            assert verify_proof(pruned.state_root, key, value, proof)
        assert archive.base_height == 1 and archive.block(1) is not None
        assert _count(pruned, sc.NODE) <= _count(archive, sc.NODE)
        reopened_base = pruned.base_height
    finally:
        pruned.close()
        archive.close()
    again = Store.open(path / "pruned", pruned.genesis_hash)
    assert again.base_height == reopened_base
    again.close()


def test_indexes_of_pruned_blocks_go_with_them(tmp_path: Path) -> None:
    store = open_store(tmp_path / "db")
    store.keep_blocks = 3
    rng = random.Random(7)
    blocks = []
    for _ in range(10):
        commit_changes(store, churn(rng), 7)
        blocks.append(store.block(store.height))
    try:
        for height, block in enumerate(blocks, start=1):
            assert block is not None
            kept = height >= store.base_height
            assert (store.height_of(block.hash()) is not None) == kept
            for tx in block.txs:
                assert (store.tx_location(tx.hash) is not None) == kept
        assert _count(store, b"x") == 3  # one prune record per kept block
    finally:
        store.close()


def test_state_records_stay_bounded_under_sustained_writes(tmp_path: Path) -> None:
    """200 blocks rewriting the same 50 keys: the archive's record count grows with every block, the
    pruned one's stays near the size of a few trees."""
    pruned, archive = open_store(tmp_path / "p"), open_store(tmp_path / "a")
    pruned.keep_blocks = pruned.keep_states = 4
    rng = random.Random(3)
    try:
        counts = []
        for height in range(1, 201):
            changes = {k: rng.randbytes(8) for k in rng.sample(KEYS, 10)}
            commit_changes(pruned, changes, 3)
            commit_changes(archive, changes, 3)
            if height in (50, 200):
                counts.append((_count(pruned, sc.NODE), _count(archive, sc.NODE)))
        (p50, a50), (p200, a200) = counts
        tree = len(records_under(pruned, pruned.state_root))
        assert p200 <= tree + 4 * 10 * 12  # the tree plus at most keep x changed paths
        assert p200 <= p50 + tree  # flat, while the archive grew by four times
        assert a200 > 3 * a50 > 3 * p50
    finally:
        pruned.close()
        archive.close()


def test_proofs_at_the_oldest_kept_root_still_walk(tmp_path: Path) -> None:
    store = open_store(tmp_path / "db")
    store.keep_blocks = store.keep_states = 5
    rng = random.Random(11)
    try:
        roots = [commit_changes(store, churn(rng), 11).header.state_root for _ in range(12)]
        past = roots[-5]  # the oldest kept height's root
        for key in KEYS:  # every path of the old tree is still there (a missing record raises)
            store.tree.prove(past, key)
    finally:
        store.close()
