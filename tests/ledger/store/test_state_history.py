"""State history (`keep_states`) is pruned apart from blocks: after any history, the record store
holds exactly the records the last K state roots reach (every superseded record is gone), each of
those roots proves every key, the current root is the archive's, and every block stays; a
restart carries on where it stopped, and a proof at a pruned height is a clear error."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.merkle.flat import verify_proof
from ledger.merkle.node import sha256
from ledger.store import StatePrunedError, Store
from tests.ledger.state_model import applied
from tests.ledger.store.synthetic import (
    GENESIS_KEYS,
    GENESIS_STATE,
    churn,
    commit_changes,
    open_store,
    records_under,
    stored_records,
)

KEYS = GENESIS_KEYS


def _check(store: Store, states: dict[int, dict[bytes, bytes]], keep: int) -> None:
    """Exactly the records of the kept roots are stored, and each kept root proves every key."""
    top = store.height
    kept = range(max(0, top - keep + 1), top + 1)
    assert store.earliest_state_height == kept[0]
    wanted: set[bytes] = set()
    for height in kept:
        root = store.state_root_at(height)
        wanted |= records_under(store, root)
        for key in KEYS:
            proof = store.prove_at(key, height)
            value = states[height].get(key)
            assert verify_proof(root, key, value, proof)
            leaf = proof.leaf
            if value is not None:
                assert leaf is not None and leaf.value_hash == sha256(value).digest()
    assert stored_records(store) == wanted, "a superseded record is still stored"
    for height in range(1, top + 1):  # blocks go by keep_blocks, not by keep_states
        assert store.block(height) is not None and store.commit(height) is not None


@settings(max_examples=10, deadline=None)
@given(st.integers(0, 2**32), st.integers(2, 5), st.integers(4, 30), st.integers(1, 29))
def test_kept_state_roots_stay_whole_and_superseded_records_go(
    tmp_path_factory: pytest.TempPathFactory, seed: int, keep: int, blocks: int, restart_at: int
) -> None:
    path = tmp_path_factory.mktemp("states")
    rng = random.Random(seed)
    store, archive = open_store(path / "pruned"), open_store(path / "archive")
    states = {0: dict(GENESIS_STATE)}
    try:
        for _ in range(blocks):
            store.keep_states = keep
            changes = churn(rng)
            root = commit_changes(store, changes, seed).header.state_root
            assert (
                commit_changes(archive, changes, seed).header.state_root == root == store.state_root
            )
            states[store.height] = applied(states[store.height - 1], changes)
            _check(store, states, keep)
            if store.height == restart_at:  # reopening carries on as if it had not stopped
                store.close()
                store = Store.open(path / "pruned", store.genesis_hash)
                store.keep_states = keep
                _check(store, states, keep)
    finally:
        store.close()
        archive.close()


def test_a_proof_at_a_pruned_state_height_is_a_clear_error(tmp_path: Path) -> None:
    store = open_store(tmp_path / "db")
    store.keep_states = 3
    rng = random.Random(5)
    try:
        for _ in range(8):
            commit_changes(store, churn(rng), 5)
        assert store.earliest_state_height == 6
        with pytest.raises(StatePrunedError, match=r"state of height 5 is pruned.*keep_states = 3"):
            store.prove_at(KEYS[0], 5)
        with pytest.raises(StatePrunedError, match="height 9"):
            store.state_root_at(9)  # not committed yet
        assert store.state_root_at(8) == store.state_root
    finally:
        store.close()


def test_state_pruning_leaves_an_archive_of_blocks(tmp_path: Path) -> None:
    """keep_states alone prunes no block, commit or index entry; keep_blocks alone no record."""
    states_only, blocks_only = open_store(tmp_path / "s"), open_store(tmp_path / "b")
    states_only.keep_states, blocks_only.keep_blocks = 2, 3
    rng = random.Random(9)
    try:
        roots = []
        for _ in range(10):
            changes = churn(rng)
            roots.append(commit_changes(states_only, changes, 9).header.state_root)
            commit_changes(blocks_only, changes, 9)
        assert states_only.base_height == 1 and states_only.block(1) is not None
        for block in (states_only.block(h) for h in range(1, 11)):
            assert block is not None
            assert all(states_only.tx_location(tx.hash) is not None for tx in block.txs)
        assert blocks_only.base_height == 8 and blocks_only.earliest_state_height == 0
        for root in roots:  # every state root of the block-pruned store is whole
            for key in KEYS:
                blocks_only.tree.prove(root, key)
    finally:
        states_only.close()
        blocks_only.close()


@settings(max_examples=10, deadline=None)
@given(st.integers(0, 2**32), st.lists(st.sampled_from([2, 3, 5]), min_size=4, max_size=30))
def test_changing_keep_states_never_loses_a_kept_root(
    tmp_path_factory: pytest.TempPathFactory, seed: int, keeps: list[int]
) -> None:
    """keep_states changed between commits (2 keeps no `O` index, more does): every root from the
    earliest the store claims up stays whole and proves every key; records may stay behind."""
    store = open_store(tmp_path_factory.mktemp("keeps") / "db")
    rng = random.Random(seed)
    states = {0: dict(GENESIS_STATE)}
    try:
        for keep in keeps:
            store.keep_states = keep
            changes = churn(rng)
            commit_changes(store, changes, seed)
            states[store.height] = applied(states[store.height - 1], changes)
            assert store.earliest_state_height <= store.height - 1
            for height in range(store.earliest_state_height, store.height + 1):
                root = store.state_root_at(height)
                records_under(store, root)
                for key in KEYS[::7]:
                    assert verify_proof(
                        root, key, states[height].get(key), store.prove_at(key, height)
                    )
    finally:
        store.close()


def test_going_down_to_two_kept_states_keeps_a_record_that_came_back(tmp_path: Path) -> None:
    """The story of a record that left the tree and came back the block after, while keep_states
    went from 3 (with the `O` index) down to 2 (without): the older orphan records must not be
    processed without the index, or the current root loses that record."""
    store = open_store(tmp_path / "db")
    key, other = KEYS[0], KEYS[-1]
    try:
        store.keep_states = 3
        for value in (b"a", b"b", b"a"):  # key's records at "a" leave at height 2, return at 3
            commit_changes(store, {key: value}, 1)
        store.keep_states = 2
        commit_changes(store, {other: b"x"}, 1)
        for height in (3, 4):
            root = store.state_root_at(height)
            records_under(store, root)
            assert verify_proof(root, key, b"a", store.prove_at(key, height))
    finally:
        store.close()
