"""Snapshots: a store's state cut into chunks restores a new store at the same height and root;
a chunk that does not decode, or a state whose root is not the block's, writes nothing."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from ledger import codec
from ledger.merkle.flat import verify_proof
from ledger.store import StatePrunedError, Store
from ledger.store.snapshot import SnapshotError, chunk_items, restore, state_chunks
from tests.ledger.store.synthetic import GENESIS_HASH, commit_next, open_store


def _source(path: Path, blocks: int) -> Store:
    store = open_store(path)
    for _ in range(blocks):
        commit_next(store, 5)
    return store


def test_chunks_restore_the_same_state_at_the_same_height(tmp_path: Path) -> None:
    source = _source(tmp_path / "a", 6)
    view = source._db.snapshot()
    chunks = list(state_chunks(view))
    view.close()
    items = [pair for chunk in chunks for pair in chunk_items(chunk)]
    block, commit = source.block(6), source.commit(6)
    assert block is not None and commit is not None
    target = Store.open(tmp_path / "b", GENESIS_HASH)
    restore(target, items, block, commit)
    target.close()
    restored = Store.open(tmp_path / "b", GENESIS_HASH)  # open checks block, commit and root
    assert (restored.height, restored.state_root) == (6, source.state_root)
    assert restored.base_height == 6 and restored.block(5) is None
    key = items[len(items) // 2][0]
    assert restored.state.get(key) == source.state.get(key)
    assert restored.earliest_state_height == 6  # the snapshot's tree, and no older one
    assert verify_proof(source.state_root, key, source.state.get(key), restored.prove_at(key, 6))
    with pytest.raises(StatePrunedError, match="state of height 5"):
        restored.prove_at(key, 5)
    restored.keep_states = 2  # state pruning carries on from the snapshot's height
    for _ in range(3):
        commit_next(restored, 5)
        commit_next(source, 5)
        assert restored.state_root == source.state_root
    assert restored.earliest_state_height == 8
    restored.close()
    source.close()


def test_a_state_that_is_not_the_blocks_is_refused_and_nothing_written(tmp_path: Path) -> None:
    source = _source(tmp_path / "a", 3)
    view = source._db.snapshot()
    items = [pair for chunk in state_chunks(view) for pair in chunk_items(chunk)]
    view.close()
    block, commit = source.block(3), source.commit(3)
    assert block is not None and commit is not None
    rng = random.Random(1)
    key, _ = rng.choice(items)
    forged = [(k, b"forged" if k == key else v) for k, v in items]
    target = Store.open(tmp_path / "b", GENESIS_HASH)
    with pytest.raises(SnapshotError, match="state root"):
        restore(target, forged, block, commit)
    with pytest.raises(SnapshotError, match="commit"):
        restore(target, items, block, source.commit(2) or commit)
    with target._db.iterator(include_value=False) as keys:
        assert next(keys, None) is None
    target.close()
    source.close()


@pytest.mark.parametrize(
    "data",
    [b"\xc1", codec.encode([[b"k"]]), codec.encode([[b"", b"v"]]), codec.encode(7)],
)
def test_a_malformed_chunk_is_a_snapshot_error(data: bytes) -> None:
    with pytest.raises(SnapshotError):
        chunk_items(data)
