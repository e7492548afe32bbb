"""The store on the flat 16-ary tree (`flat_tree=True`, schema 4), as it will run after the
switch: commits, reopening, pruned state history and state sync give the roots and proofs of
ledger/merkle/flat, and a database of one tree is refused by a store of the other."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.merkle import flat
from ledger.merkle.node import EMPTY
from ledger.store import Store, schema
from ledger.store.errors import StoreOpenError
from ledger.store.records import RecordStore
from ledger.store.snapshot import restore
from ledger.store.trees import FlatTree
from tests.ledger.state_model import applied
from tests.ledger.store.synthetic import (
    GENESIS_HASH,
    GENESIS_KEYS,
    GENESIS_STATE,
    block_changes,
    churn,
    commit_changes,
    commit_for,
    commit_next,
    commit_next_off_thread,
    commit_update,
    open_store,
    stored_pages,
)


def records_of(store: Store) -> RecordStore:
    assert isinstance(store.tree, FlatTree)
    return store.tree.records


def reachable(store: Store, root: bytes) -> set[bytes]:
    """Every record of the tree under `root`; fails on a missing one."""
    records = records_of(store)
    todo, seen = [root] if root != EMPTY else [], set()
    while todo:
        hash_ = todo.pop()
        record = records.get_record(hash_)
        assert record is not None, f"record {hash_.hex()} of a kept root is gone"
        seen.add(hash_)
        todo += flat.children_of(record)
    return seen


def test_a_flat_store_commits_reopens_and_proves_as_the_flat_tree_says(tmp_path: Path) -> None:
    path = tmp_path / "db"
    store = open_store(path, flat_tree=True)
    try:
        assert store._db.get(schema.META_SCHEMA) == schema.u32(4)
        state = dict(GENESIS_STATE)
        assert store.state_root == flat.root_of(state)
        for _ in range(12):
            height = store.height + 1
            state = applied(state, block_changes(5, height))
            commit_next(store, seed=5)
            assert store.state_root == flat.root_of(state)
        assert store.recompute_state_root() == store.state_root
        pinned = records_of(store).pinned()
    finally:
        store.close()
    with Store.open(path, GENESIS_HASH, flat_tree=True) as reopened:
        assert reopened.state_root == flat.root_of(state)
        assert records_of(reopened).pinned() == pinned
        for key in [*GENESIS_KEYS[:20], b"\x01absent"]:
            value, proof = reopened.prove(key)
            assert isinstance(proof, flat.FlatProof) and value == state.get(key)
            assert flat.verify_proof(reopened.state_root, key, value, proof)
            assert proof == flat.prove(records_of(reopened), reopened.state_root, key)
        commit_next(reopened, seed=5)


def test_a_database_of_one_tree_is_refused_by_a_store_of_the_other(tmp_path: Path) -> None:
    """A schema change as any other: the node syncs again, never reads the wrong tree."""
    open_store(tmp_path / "flat", flat_tree=True).close()
    open_store(tmp_path / "binary").close()
    with pytest.raises(StoreOpenError, match="schema version 4; this release reads 3"):
        Store.open(tmp_path / "flat", GENESIS_HASH)
    with pytest.raises(StoreOpenError, match="schema version 3; this release reads 4"):
        Store.open(tmp_path / "binary", GENESIS_HASH, flat_tree=True)


@settings(max_examples=6, deadline=None)
@given(st.integers(0, 2**32), st.integers(2, 4), st.integers(4, 16))
def test_pruned_state_history_keeps_exactly_the_records_of_the_kept_roots(
    tmp_path_factory: pytest.TempPathFactory, seed: int, keep: int, blocks: int
) -> None:
    """`update_tracked`'s replaced records drive pruning as the pages did: after each block the
    store holds exactly the records the last `keep` roots reach, and each of them proves."""
    store = open_store(tmp_path_factory.mktemp("states") / "db", flat_tree=True)
    rng = random.Random(seed)
    states = {0: dict(GENESIS_STATE)}
    try:
        for _ in range(blocks):
            store.keep_states = keep
            changes = churn(rng)
            commit_changes(store, changes, seed)
            states[store.height] = applied(states[store.height - 1], changes)
            kept = range(max(0, store.height - keep + 1), store.height + 1)
            wanted: set[bytes] = set()
            for height in kept:
                root = store.state_root_at(height)
                wanted |= reachable(store, root)
                for key in [*GENESIS_KEYS[::7], b"\x01absent"]:
                    proof = store.prove_at(key, height)
                    assert isinstance(proof, flat.FlatProof)
                    assert flat.verify_proof(root, key, states[height].get(key), proof)
            assert stored_pages(store) == wanted, "a replaced record is still stored"
    finally:
        store.close()


def test_state_sync_restores_a_flat_store_and_checks_its_root(tmp_path: Path) -> None:
    source = open_store(tmp_path / "source", flat_tree=True)
    try:
        for _ in range(3):
            block = commit_next(source, seed=2)
        items = list(source.state.iter_prefix(b""))
        commit = commit_for(block.header.height, block.hash())
    finally:
        source.close()
    with Store.open(tmp_path / "synced", GENESIS_HASH, flat_tree=True) as synced:
        restore(synced, items, block, commit)
    with Store.open(tmp_path / "synced", GENESIS_HASH, flat_tree=True) as synced:
        assert synced.state_root == block.header.state_root == flat.root_of(dict(items))
    with Store.open(tmp_path / "binary", GENESIS_HASH) as binary, pytest.raises(ValueError):
        restore(binary, items, block, commit)  # the binary root of the same state differs


def test_reads_during_an_off_thread_commit_see_the_flat_tree_before_it(tmp_path: Path) -> None:
    """`pin_reads` moves the record store to the snapshot too: a proof walked while the next
    block is written is of the root before it, whole."""
    store = open_store(tmp_path / "db", flat_tree=True)
    try:
        commit_next(store, seed=4)
        roots: set[bytes] = set()

        def read() -> None:
            root = store.state_root
            key = GENESIS_KEYS[3]
            proof = flat.prove(records_of(store), root, key)
            assert flat.verify_proof(root, key, store.state.get(key), proof)
            roots.add(root)

        for _ in range(3):
            commit_next_off_thread(store, seed=4, read=read)
        assert store.state_root in roots and len(roots) >= 2
        assert store.recompute_state_root() == store.state_root
    finally:
        store.close()


def test_a_written_flat_block_keeps_only_the_records_its_pinned_top_needs(
    tmp_path: Path,
) -> None:
    """A block's write releases the bytes of its records once in the batch, except those the
    new pinned top keeps, on the flat tree as on the binary one: the flat tree's pinned top
    is its own (`FlatTree.new_pinned`), so a flat block's records are never read as binary
    pages. Every record is read back as written, and the store reopens on the same root."""
    path = tmp_path / "db"
    store = open_store(path, flat_tree=True)
    try:
        records = records_of(store)
        records._pin_levels = 2  # a small tree has records below the pinned top
        store.tree.warm(store.state_root)
        released = 0
        for seed in range(6):
            changes = {b"\x01" + bytes([seed, i % 256, i // 256]): b"v%d" % i for i in range(400)}
            root, writes, orphaned = store.tree.update_tracked(store.state_root, changes)
            written = dict(writes)
            commit_update(store, changes, (root, writes, orphaned), seed)
            assert writes.keys() == written.keys()
            held = {h for h, data in writes.items() if data}
            assert held == {h for h in written if h in records.pinned()}
            released += len(writes) - len(held)
            for record_hash, data in written.items():
                assert store._db.get(schema.node(record_hash)) == data
        assert released > 100, "records below the pinned top were released"
        root = store.state_root
    finally:
        store.close()
    with Store.open(path, GENESIS_HASH, flat_tree=True) as reopened:
        assert reopened.state_root == root == reopened.recompute_state_root()
