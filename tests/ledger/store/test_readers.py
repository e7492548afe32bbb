"""The store's readers: its record store pins exactly the top of the current tree, never stale
records (tests/ledger/store/test_records.py checks `RecordStore` alone), and its state cache
never answers other than the committed state."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.merkle.flat import prove, update_tracked
from ledger.store import RecordStore, Store, schema
from ledger.store.records import PIN_LEVELS
from tests.ledger.store.synthetic import (
    GENESIS_HASH,
    Model,
    block_changes,
    commit_next,
    open_store,
    top_records,
)


def test_pinned_records_are_the_top_of_the_current_tree(store: Store, db_path: Path) -> None:
    records = store.tree
    top = top_records(store.tree, store.state_root, PIN_LEVELS)
    assert records.pinned() == top  # initialize pinned the whole (small) genesis tree
    for _ in range(25):
        commit_next(store, seed=9)
        pinned = records.pinned()
        top = top_records(store.tree, store.state_root, PIN_LEVELS)
        assert pinned == top, "a record of an old root stayed pinned, or a new one was not pinned"
        for hash_ in pinned:  # pinned as the update built it: equal to the stored bytes
            assert records.get_record(hash_) == store._db.get(schema.node(hash_))
    store.close()
    with Store.open(db_path, GENESIS_HASH) as reopened:
        pinned = reopened.tree.pinned()
        assert pinned == top_records(reopened.tree, reopened.state_root, PIN_LEVELS)
        commit_next(reopened, seed=9)
        assert reopened.state_root in reopened.tree.pinned()


def test_the_pinned_top_costs_its_stored_bytes(store: Store, db_path: Path) -> None:
    """Pinned records are kept as the bytes read or written, nothing decoded."""

    def stored_bytes(opened: Store) -> int:
        records = opened.tree
        return sum(len(opened._db.get(schema.node(hash_))) for hash_ in records.pinned())

    for _ in range(10):
        commit_next(store, seed=4)
        assert store.tree.pinned_bytes() == stored_bytes(store)
    store.close()
    with Store.open(db_path, GENESIS_HASH) as reopened:  # pinned by `warm` at open
        assert reopened.tree.pinned_bytes() == stored_bytes(reopened)


def test_cached_state_reads_follow_every_commit(store: Store) -> None:
    """Reads answered from the cache (values and absences) stay equal to the committed state,
    also when the cache is too small for a block's changes and is dropped."""
    for max_entries in (1_000_000, 64):
        store.state._max_entries = max_entries
        keys = [b"\x01" + i.to_bytes(4, "big") for i in range(300)]
        for _ in range(6):
            for key in keys:
                store.state.get(key)  # fill the cache before the block changes the keys
            commit_next(store, seed=5)
            model = Model(seed=5)
            model.advance_to(store.height)
            for key in keys:
                assert store.state.get(key) == model.state.get(key)


@settings(max_examples=8, deadline=None)
@given(st.integers(0, 2**32))
def test_the_pinned_top_never_changes_a_result(
    tmp_path_factory: pytest.TempPathFactory, seed: int
) -> None:
    """The same block over pinned records, over no pinned record at all, and after reopening
    (cold cache): the same root, the same records to write, the same orphans, the same
    proofs."""
    path = tmp_path_factory.mktemp("cache") / "db"
    store = open_store(path)
    try:
        for _ in range(4):
            commit_next(store, seed=seed)
        changes = block_changes(seed, store.height + 1)
        warm = store.tree.update_tracked(store.state_root, changes)
        cold = RecordStore(store._db, pin_levels=0)
        assert update_tracked(cold, store.state_root, changes) == warm
        probes = [*list(changes)[:20], b"\x01absent"]
        proofs = [store.tree.prove(store.state_root, key) for key in probes]
        assert [prove(cold, store.state_root, key) for key in probes] == proofs
    finally:
        store.close()
    with Store.open(path, GENESIS_HASH) as reopened:
        assert reopened.tree.update_tracked(reopened.state_root, changes) == warm
        assert [reopened.tree.prove(reopened.state_root, key) for key in probes] == proofs
        assert reopened.recompute_state_root() == reopened.state_root
