"""The store's state tree (`Store.tree`, ledger/store/records.py): commits and reopening give
the roots and proofs of the flat tree built in memory (ledger/merkle/flat), and reads during an
off-thread commit walk the tree before it, whole."""

from __future__ import annotations

from pathlib import Path

from ledger.merkle import flat
from ledger.store import Store, schema
from tests.ledger.state_model import applied
from tests.ledger.store.synthetic import (
    GENESIS_HASH,
    GENESIS_KEYS,
    GENESIS_STATE,
    block_changes,
    commit_next,
    commit_next_off_thread,
    open_store,
)


def test_a_store_commits_reopens_and_proves_as_the_flat_tree_says(tmp_path: Path) -> None:
    path = tmp_path / "db"
    store = open_store(path)
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
        pinned = store.tree.pinned()
    finally:
        store.close()
    with Store.open(path, GENESIS_HASH) as reopened:
        assert reopened.state_root == flat.root_of(state)
        assert reopened.tree.pinned() == pinned
        for key in [*GENESIS_KEYS[:20], b"\x01absent"]:
            value, proof = reopened.prove(key)
            assert value == state.get(key)
            assert flat.verify_proof(reopened.state_root, key, value, proof)
        commit_next(reopened, seed=5)


def test_reads_during_an_off_thread_commit_see_the_tree_before_it(tmp_path: Path) -> None:
    """`pin_reads` moves the record store to the snapshot too: a proof walked while the next
    block is written is of the root before it, whole."""
    store = open_store(tmp_path / "db")
    try:
        commit_next(store, seed=4)
        roots: set[bytes] = set()

        def read() -> None:
            root = store.state_root
            key = GENESIS_KEYS[3]
            value, proof = store.prove(key)
            assert flat.verify_proof(root, key, value, proof)
            roots.add(root)

        for _ in range(3):
            commit_next_off_thread(store, seed=4, read=read)
        assert store.state_root in roots and len(roots) >= 2
        assert store.recompute_state_root() == store.state_root
    finally:
        store.close()
