"""The node store pins exactly the top levels of the current tree, never stale nodes."""

from __future__ import annotations

from pathlib import Path

import plyvel

from ledger.merkle import EMPTY, update
from ledger.merkle.node import INNER_TAG
from ledger.store import NodeStore, Store, schema
from tests.ledger.store.synthetic import GENESIS_HASH, Model, commit_next


def top_nodes(nodes: NodeStore, root: bytes, depth_limit: int) -> set[bytes]:
    found: set[bytes] = set()
    level = [root]
    for _ in range(depth_limit):
        below = []
        for node_hash in level:
            if node_hash == EMPTY:
                continue
            found.add(node_hash)
            data = nodes.get_node(node_hash)
            assert data is not None
            if data[0] == INNER_TAG:
                below += [data[1:33], data[33:65]]
        level = below
    return found


def test_pinned_nodes_are_the_top_of_the_current_tree(store: Store, db_path: Path) -> None:
    top = top_nodes(store.nodes, store.state_root, 16)
    assert store.nodes.pinned() == top  # initialize pinned the whole (small) genesis tree
    for _ in range(25):
        commit_next(store, seed=9)
        pinned = store.nodes.pinned()
        top = top_nodes(store.nodes, store.state_root, 16)
        assert pinned <= top, "a node of an old root stayed pinned"
        assert store.state_root in pinned
    store.close()
    with Store.open(db_path, GENESIS_HASH) as reopened:
        assert reopened.nodes.pinned() == top_nodes(reopened.nodes, reopened.state_root, 16)
        commit_next(reopened, seed=9)
        assert reopened.state_root in reopened.nodes.pinned()


def test_pinning_stops_at_the_pin_depth(tmp_path: Path) -> None:
    db = plyvel.DB(str(tmp_path / "raw"), create_if_missing=True)
    nodes = NodeStore(db, pin_depth=3)
    root = EMPTY
    for changes in (
        {b"k%d" % i: b"v" for i in range(500)},
        {b"k1": None, b"k2": b"w", b"new": b"x"},
        {b"k%d" % i: None for i in range(400)},
    ):
        new_root, writes = update(nodes, root, changes)
        for node_hash, encoding in writes.items():
            db.put(schema.node(node_hash), encoding)
        nodes.advance(root, new_root, writes)
        root = new_root
        assert nodes.pinned() <= top_nodes(nodes, root, 3)
        assert root in nodes.pinned() and len(nodes.pinned()) <= 7
    db.close()


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
