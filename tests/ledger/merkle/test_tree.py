"""The state tree's root is a function of the key/value set, and a block's update is batched."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.merkle import EMPTY, MemoryNodeStore, MerkleError, root_of, update, update_tracked
from ledger.merkle.node import inner_hash, leaf_hash
from ledger.merkle.page import Page, check_page, decode_page


def sha(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def reference_root(state: dict[bytes, bytes]) -> bytes:
    """The scheme written down as plainly as possible, independent of the batched code."""

    def bits(path: bytes) -> str:
        return format(int.from_bytes(path, "big"), "0256b")

    def subtree(leaves: list[tuple[str, bytes, bytes]], depth: int) -> bytes:
        if not leaves:
            return bytes(32)
        if len(leaves) == 1:
            _, path, vhash = leaves[0]
            return sha(b"\x00" + path + vhash)
        left = [leaf for leaf in leaves if leaf[0][depth] == "0"]
        right = [leaf for leaf in leaves if leaf[0][depth] == "1"]
        return sha(b"\x01" + subtree(left, depth + 1) + subtree(right, depth + 1))

    return subtree([(bits(sha(k)), sha(k), sha(v)) for k, v in state.items()], 0)


class CountingReader:
    """A page reader that records every read, to show each page is read at most once."""

    def __init__(self, store: MemoryNodeStore) -> None:
        self.store = store
        self.reads: list[bytes] = []

    def get_page(self, page_hash: bytes) -> Page | None:
        self.reads.append(page_hash)
        return self.store.get_page(page_hash)


keys = st.integers(min_value=0, max_value=60).map(lambda n: b"k%d" % n)
values = st.binary(min_size=0, max_size=4)
batches = st.lists(st.dictionaries(keys, st.none() | values, max_size=25), max_size=8)


@settings(max_examples=100, deadline=None)
@given(batches)
def test_root_after_any_batches_equals_a_tree_built_from_scratch(
    blocks: list[dict[bytes, bytes | None]],
) -> None:
    store = MemoryNodeStore()
    root = EMPTY
    expected: dict[bytes, bytes] = {}
    for changes in blocks:
        root, writes = update(store, root, changes)
        store.put_all(writes)
        for key, value in changes.items():
            if value is None:
                expected.pop(key, None)
            else:
                expected[key] = value
        assert root == reference_root(expected)
        assert root == root_of(expected)


def test_empty_tree_and_single_key() -> None:
    assert root_of({}) == EMPTY
    assert update(MemoryNodeStore(), EMPTY, {b"a": None}) == (EMPTY, {})
    assert root_of({b"a": b"1"}) == leaf_hash(sha(b"a"), sha(b"1"))


def test_golden_root_pins_the_scheme() -> None:
    state = {b"alice": b"10", b"bob": b"20", b"carol": b"30"}
    assert root_of(state) == reference_root(state)
    assert root_of(state).hex() == (
        "f20577cd5250749d0ad240102da3a5d64c47789e5f382bc8c3b563ceef1e6864"
    )


def test_deleting_down_to_one_key_collapses_to_its_leaf() -> None:
    store = MemoryNodeStore()
    root, writes = update(store, EMPTY, {b"k%d" % i: b"v" for i in range(50)})
    store.put_all(writes)
    root, writes = update(store, root, {b"k%d" % i: None for i in range(1, 50)})
    assert root == leaf_hash(sha(b"k0"), sha(b"v"))
    store.put_all(writes)
    root, _ = update(store, root, {b"k0": None})
    assert root == EMPTY


def test_an_inner_node_with_an_empty_side_is_kept_above_two_keys() -> None:
    # two keys whose paths share a first bit: the root is inner(EMPTY, x) or inner(x, EMPTY)
    state = {}
    for i in range(1000):
        if sha(b"k%d" % i)[0] >> 7 == 0:
            state[b"k%d" % i] = b"v"
        if len(state) == 2:
            break
    a, b = (leaf_hash(sha(k), sha(v)) for k, v in sorted(state.items(), key=lambda kv: sha(kv[0])))
    root = root_of(state)
    assert root == reference_root(state)
    assert root != inner_hash(a, b)  # they sit lower than depth 1


def test_noop_changes_keep_the_root_and_write_nothing() -> None:
    store = MemoryNodeStore()
    root, writes = update(store, EMPTY, {b"k%d" % i: b"v" for i in range(100)})
    store.put_all(writes)
    absent = {b"absent%d" % i: None for i in range(20)}
    assert update(store, root, absent) == (root, {})


def test_each_page_is_read_at_most_once_per_block() -> None:
    store = MemoryNodeStore()
    root, writes = update(store, EMPTY, {b"k%d" % i: b"v" for i in range(2000)})
    store.put_all(writes)
    reader = CountingReader(store)
    changes: dict[bytes, bytes | None] = {b"k%d" % i: b"w" for i in range(0, 2000, 3)}
    changes.update({b"k%d" % i: None for i in range(1, 2000, 7)})
    changes.update({b"new%d" % i: b"x" for i in range(300)})
    new_root, writes = update(reader, root, changes)
    assert len(reader.reads) == len(set(reader.reads))
    expected = {b"k%d" % i: b"v" for i in range(2000)}
    expected.update({k: v for k, v in changes.items() if v is not None})
    for k, v in changes.items():
        if v is None:
            expected.pop(k)
    assert new_root == reference_root(expected)
    # every write is a whole, well-formed page of the new tree
    for page_hash, data in writes.items():
        check_page(page_hash, decode_page(data))


def test_old_roots_stay_readable() -> None:
    store = MemoryNodeStore()
    root1, writes = update(store, EMPTY, {b"a": b"1", b"b": b"2"})
    store.put_all(writes)
    root2, writes = update(store, root1, {b"a": None, b"c": b"3"})
    store.put_all(writes)
    # updating from the old root again gives the same answer as from scratch
    root3, _ = update(store, root1, {b"b": None})
    assert root3 == root_of({b"a": b"1"})
    assert root2 == root_of({b"b": b"2", b"c": b"3"})


def test_missing_or_corrupt_node_is_a_merkle_error() -> None:
    store = MemoryNodeStore()
    root, writes = update(store, EMPTY, {b"k%d" % i: b"v" for i in range(10)})
    with pytest.raises(MerkleError, match="missing"):
        update(store, root, {b"k1": b"w"})
    store.put_all(writes)
    store.pages[root] = b"\x02\x00\x00\x00\x02" + bytes(64)
    with pytest.raises(MerkleError, match="corrupt"):
        update(store, root, {b"k1": b"w"})


def test_a_lone_root_leaf_changed_is_the_one_page_orphaned() -> None:
    """A one-key tree is a page holding just its leaf: a new value makes a new page, and the
    old one is what a pruning store may delete."""
    store = MemoryNodeStore()
    root, writes = update(store, EMPTY, {b"a": b"1"})
    store.put_all(writes)
    new_root, writes, orphans = update_tracked(store, root, {b"a": b"2"})
    assert new_root == root_of({b"a": b"2"})
    assert set(writes) == {new_root}
    assert orphans == {root}
