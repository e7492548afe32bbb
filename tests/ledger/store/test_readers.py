"""The node store pins exactly the top pages of the current tree, never stale ones."""

from __future__ import annotations

import random
from pathlib import Path

import plyvel
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.merkle import EMPTY, prove, update, update_tracked
from ledger.merkle.page import PAGE_BITS, child_pages, decode_page
from ledger.store import NodeStore, Store, schema
from tests.ledger.store.synthetic import (
    GENESIS_HASH,
    Model,
    block_changes,
    commit_next,
    open_store,
)


def top_pages(nodes: NodeStore, root: bytes, depth_limit: int) -> set[bytes]:
    """The pages whose root lies above `depth_limit`, found from the tree itself."""
    found: set[bytes] = set()
    level = [root] if root != EMPTY else []
    for _ in range(0, depth_limit, PAGE_BITS):
        below: list[bytes] = []
        for page_hash in level:
            found.add(page_hash)
            page = nodes.get_page(page_hash)
            assert page is not None
            below += child_pages(page).values()
        level = below
    return found


def test_pinned_pages_are_the_top_of_the_current_tree(store: Store, db_path: Path) -> None:
    top = top_pages(store.nodes, store.state_root, 16)
    assert store.nodes.pinned() == top  # initialize pinned the whole (small) genesis tree
    for _ in range(25):
        commit_next(store, seed=9)
        pinned = store.nodes.pinned()
        top = top_pages(store.nodes, store.state_root, 16)
        assert pinned == top, "a page of an old root stayed pinned, or a new one was not pinned"
        for page_hash in pinned:  # pinned as the update built it: equal to the stored bytes
            assert store.nodes.get_page(page_hash) == decode_page(
                store._db.get(schema.node(page_hash))
            )
    store.close()
    with Store.open(db_path, GENESIS_HASH) as reopened:
        assert reopened.nodes.pinned() == top_pages(reopened.nodes, reopened.state_root, 16)
        commit_next(reopened, seed=9)
        assert reopened.state_root in reopened.nodes.pinned()


def test_the_pinned_top_costs_its_stored_bytes(store: Store, db_path: Path) -> None:
    """Pinned pages are kept as the bytes read or written, not decoded into a dict of entries
    (at a million keys 5.1 MiB against 9.3 MiB, and no small objects made per block)."""

    def stored_bytes(nodes: NodeStore, db: plyvel.DB) -> int:
        return sum(len(db.get(schema.node(page_hash))) for page_hash in nodes.pinned())

    for _ in range(10):
        commit_next(store, seed=4)
        assert store.nodes.pinned_bytes() == stored_bytes(store.nodes, store._db)
    store.close()
    with Store.open(db_path, GENESIS_HASH) as reopened:  # pinned by `warm` at open
        assert reopened.nodes.pinned_bytes() == stored_bytes(reopened.nodes, reopened._db)


def test_pinning_stops_at_the_pin_depth(tmp_path: Path) -> None:
    db = plyvel.DB(str(tmp_path / "raw"), create_if_missing=True)
    nodes = NodeStore(db, pin_depth=4)
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
        assert nodes.pinned() <= top_pages(nodes, root, 4)
        assert root in nodes.pinned() and len(nodes.pinned()) == 1
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


@settings(max_examples=8, deadline=None)
@given(st.integers(0, 2**32))
def test_the_page_cache_never_changes_a_result(
    tmp_path_factory: pytest.TempPathFactory, seed: int
) -> None:
    """The same block over pinned pages, over no pinned page at all, and after reopening (cold
    cache): the same root, the same pages to write, the same orphans, the same proofs."""
    path = tmp_path_factory.mktemp("cache") / "db"
    store = open_store(path)
    try:
        for _ in range(4):
            commit_next(store, seed=seed)
        changes = block_changes(seed, store.height + 1)
        warm = update_tracked(store.nodes, store.state_root, changes)
        cold_nodes = NodeStore(store._db, pin_depth=0)
        assert update_tracked(cold_nodes, store.state_root, changes) == warm
        probes = [*list(changes)[:20], b"\x01absent"]
        proofs = [prove(store.nodes, store.state_root, key) for key in probes]
        assert [prove(cold_nodes, store.state_root, key) for key in probes] == proofs
    finally:
        store.close()
    with Store.open(path, GENESIS_HASH) as reopened:
        assert update_tracked(reopened.nodes, reopened.state_root, changes) == warm
        assert [prove(reopened.nodes, reopened.state_root, key) for key in probes] == proofs
        assert reopened.recompute_state_root() == reopened.state_root


@settings(max_examples=6, deadline=None)
@given(st.integers(0, 2**32))
def test_pins_swap_only_changed_pages_and_stay_the_exact_top(
    tmp_path_factory: pytest.TempPathFactory, seed: int
) -> None:
    """`advance` looks only into the slots a block changed and not below the lowest pinned
    level: the pinned set stays exactly the top of the tree, block after block (inserts,
    updates, deletes down to an empty tree), and a fresh `warm` pins the same pages."""
    rng = random.Random(seed)
    db = plyvel.DB(str(tmp_path_factory.mktemp("pins") / "raw"), create_if_missing=True)
    nodes = NodeStore(db, pin_depth=8)
    live: set[bytes] = set()
    root = EMPTY
    for block in range(8):
        changes: dict[bytes, bytes | None] = {}
        for _ in range(rng.choice((1, 30, 600))):
            key = rng.randbytes(4)
            changes[key] = rng.randbytes(8)
        for key in rng.sample(sorted(live), min(len(live), rng.choice((0, 5, 300)))):
            changes[key] = None
        if block == 7:
            changes = dict.fromkeys(live)  # the tree empties
        new_root, writes = update(nodes, root, changes)
        for node_hash, encoding in writes.items():
            db.put(schema.node(node_hash), encoding)
        nodes.advance(root, new_root, writes)
        root = new_root
        live = {k for k in live | changes.keys() if changes.get(k, b"") is not None}
        assert nodes.pinned() == top_pages(nodes, root, 8)
        fresh = NodeStore(db, pin_depth=8)
        fresh.warm(root)
        assert fresh.pinned() == nodes.pinned()
    assert root == EMPTY and not nodes.pinned()
    db.close()
