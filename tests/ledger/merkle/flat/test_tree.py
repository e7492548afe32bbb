"""The flat tree's root is a function of the key/value set, computed as its definition says,
and `update_tracked` reports exactly what a pruning store may delete."""

from __future__ import annotations

import hashlib
import random
from collections import defaultdict

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.merkle.flat import MemoryRecordStore, children_of, root_of, update, update_tracked
from ledger.merkle.flat.record import HEAD, child_at
from ledger.merkle.node import EMPTY, MerkleError
from tests.ledger.state_model import apply_to

Block = dict[bytes, bytes | None]


def sha(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def reference_root(state: dict[bytes, bytes]) -> bytes:
    """The definition written down as plainly as possible, apart from the batched code: paths
    as hex strings, a node's children grouped by the hex digit at its depth."""

    def node(items: list[tuple[str, bytes, bytes]], depth: int) -> tuple[bytes, bool]:
        if len(items) == 1:
            _, path, vhash = items[0]
            return sha(b"\x00" + path + vhash), True
        groups: dict[int, list[tuple[str, bytes, bytes]]] = defaultdict(list)
        for item in items:
            groups[int(item[0][depth], 16)].append(item)
        present = leaves = 0
        hashes = b""
        for nib in range(16):
            if nib in groups:
                hash_, is_leaf = node(groups[nib], depth + 1)
                present |= 1 << nib
                leaves |= is_leaf << nib
                hashes += hash_
        return sha(b"\x01" + (present << 16 | leaves).to_bytes(4, "big") + hashes), False

    items = [(sha(k).hex(), sha(k), sha(v)) for k, v in state.items()]
    return node(items, 0)[0] if items else bytes(32)


def reachable(store: MemoryRecordStore, root: bytes) -> set[bytes]:
    """Every record the tree under `root` holds; checks that no inner record holds one leaf
    alone (a lone leaf always rises)."""
    out: set[bytes] = set()
    todo = [] if root == EMPTY else [root]
    while todo:
        hash_ = todo.pop()
        record = store.records[hash_]
        out.add(hash_)
        if record[0] == 1:
            present, leaves = record[1] << 8 | record[2], record[3] << 8 | record[4]
            assert not (present.bit_count() == 1 and leaves), "a lone leaf did not rise"
            assert len(record) >= HEAD
        todo += children_of(record)
    return out


def apply(store: MemoryRecordStore, root: bytes, state: dict[bytes, bytes], block: Block) -> bytes:
    root, writes = update(store, root, block)
    store.put_all(writes)
    apply_to(state, block)
    return root


KEYS = st.integers(0, 60).map(lambda n: b"k%d" % n)
VALUES = st.binary(max_size=3)
BLOCKS = st.lists(st.dictionaries(KEYS, st.none() | VALUES, max_size=25), max_size=6)


@settings(max_examples=80, deadline=None)
@given(BLOCKS)
def test_the_root_after_any_blocks_is_the_root_the_definition_gives(blocks: list[Block]) -> None:
    """Deletes included: after each block, the root is that of a fresh tree of the state."""
    store = MemoryRecordStore()
    root = EMPTY
    state: dict[bytes, bytes] = {}
    for block in blocks:
        root = apply(store, root, state, block)
        assert root == reference_root(state) == root_of(state)
        reachable(store, root)


@settings(max_examples=40, deadline=None)
@given(BLOCKS, st.randoms(use_true_random=False))
def test_the_root_does_not_depend_on_order_or_on_how_changes_are_split_into_blocks(
    blocks: list[Block], rng: random.Random
) -> None:
    final: dict[bytes, bytes | None] = {}
    for block in blocks:
        final.update(block)
    items = list(final.items())
    rng.shuffle(items)
    cut = rng.randrange(len(items) + 1)
    splits = [
        [dict(items)],
        [dict([item]) for item in items],
        [dict(items[:cut]), dict(items[cut:])],
    ]
    roots = set()
    for split in splits:
        store, root, state = MemoryRecordStore(), EMPTY, {}
        for block in blocks[:1] + split:  # from the same first block: deletes of present keys
            root = apply(store, root, state, block)
        roots.add(root)
    assert len(roots) == 1


BASE = {b"k%d" % n: b"v" for n in range(0, 1600, 2)}
"""800 keys: three nibble levels, so a lone key's path below the root is walked more than a
level down (`_set_one`'s loop) and deletes collapse nodes below the top."""
WIDE_KEYS = st.integers(0, 1700).map(lambda n: b"k%d" % n)


@settings(max_examples=40, deadline=None)
@given(
    st.dictionaries(WIDE_KEYS, st.none() | VALUES, max_size=30),
    st.dictionaries(WIDE_KEYS, st.none() | VALUES, min_size=1, max_size=30),
)
def test_replaced_is_exactly_the_records_no_longer_reachable(first: Block, last: Block) -> None:
    """What a pruning store deletes must be exactly what the new root cannot reach, and a
    block's writes exactly what it can reach and the old root could not."""
    store, state = MemoryRecordStore(), {}
    root = apply(store, EMPTY, state, dict(BASE))
    for block in (first, last):
        root = check_tracked(store, root, state, block)


def test_deleting_every_key_of_a_subtree_replaces_all_its_records() -> None:
    """The subtrees under two nibbles and under one go whole, and then the tree."""
    store, state = MemoryRecordStore(), {}
    root = apply(store, EMPTY, state, dict(BASE))
    for prefix in ("a7", "3"):
        gone = [key for key in state if sha(key).hex().startswith(prefix)]
        assert len(gone) > 1
        root = check_tracked(store, root, state, dict.fromkeys(gone))
    assert check_tracked(store, root, state, dict.fromkeys(state)) == EMPTY


def check_tracked(
    store: MemoryRecordStore, root: bytes, state: dict[bytes, bytes], block: Block
) -> bytes:
    """Apply `block`, checking `update_tracked`'s writes and replaced records against the sets
    of records the old and the new root reach."""
    new_root, writes, replaced = update_tracked(store, root, block)
    before = reachable(store, root)
    store.put_all(writes)
    after = reachable(store, new_root)
    assert replaced == before - after
    assert set(writes) == after - before
    root = apply(store, root, state, block)
    assert root == new_root == reference_root(state)
    return root


def test_the_empty_tree_and_a_single_key() -> None:
    """A lone key is the root: its leaf, stored as its 65-byte preimage."""
    assert root_of({}) == EMPTY
    assert update(MemoryRecordStore(), EMPTY, {b"a": None}) == (EMPTY, {})
    root, writes = update(MemoryRecordStore(), EMPTY, {b"a": b"1"})
    assert root == sha(b"\x00" + sha(b"a") + sha(b"1"))
    assert writes == {root: b"\x00" + sha(b"a") + sha(b"1")}


def _keys_sharing(nibbles: int, count: int) -> list[bytes]:
    """`count` keys whose paths share their first `nibbles` nibbles (found by search)."""
    groups: dict[str, list[bytes]] = defaultdict(list)
    for n in range(200_000):
        key = b"s%d" % n
        group = groups[sha(key).hex()[:nibbles]]
        group.append(key)
        if len(group) == count:
            return group
    raise AssertionError("no such keys")


def test_deletes_move_a_lone_leaf_up_to_where_a_fresh_tree_holds_it() -> None:
    """Three keys under one chain of nodes three nibbles deep, two deleted: the third rises all
    the way to the root; and in a bigger tree a leaf left alone rises to its parent's place."""
    deep = _keys_sharing(3, 3)
    store, state = MemoryRecordStore(), {}
    root = apply(store, EMPTY, state, dict.fromkeys(deep, b"v"))
    assert root == reference_root(state)
    root = apply(store, root, state, {deep[0]: None, deep[1]: None})
    assert root == sha(b"\x00" + sha(deep[2]) + sha(b"v"))
    assert store.records[root] == b"\x00" + sha(deep[2]) + sha(b"v")
    others = {b"o%d" % n: b"w" for n in range(40)}
    root = apply(store, root, state, {**others, deep[0]: b"v", deep[1]: b"v"})
    new_root, _, replaced = update_tracked(store, root, {deep[0]: None})
    root = apply(store, root, state, {deep[0]: None})
    assert root == new_root == reference_root(state)
    assert replaced  # the records on the deleted key's path
    reachable(store, root)


def test_deleting_absent_keys_changes_nothing_and_writes_nothing() -> None:
    store, state = MemoryRecordStore(), {}
    root = apply(store, EMPTY, state, {b"k%d" % n: b"v" for n in range(50)})
    assert update_tracked(store, root, {b"absent%d" % n: None for n in range(20)}) == (
        root,
        {},
        set(),
    )
    assert update_tracked(store, root, {b"k3": b"v"}) == (root, {}, set())


def test_a_block_reads_each_record_at_most_once() -> None:
    """The batched walk: records on shared prefixes are read once per block, not once a key."""
    store, state = MemoryRecordStore(), {}
    root = apply(store, EMPTY, state, {b"k%d" % n: b"v" for n in range(3000)})
    reads: list[bytes] = []

    class Counting:
        def get_record(self, record_hash: bytes) -> bytes | None:
            reads.append(record_hash)
            return store.get_record(record_hash)

    block: Block = {b"k%d" % n: b"w" for n in range(0, 3000, 3)}
    block.update({b"k%d" % n: None for n in range(1, 3000, 7)})
    block.update({b"new%d" % n: b"x" for n in range(100)})
    new_root, _ = update(Counting(), root, block)
    assert len(reads) == len(set(reads))
    assert new_root == apply(store, root, state, block) == reference_root(state)


def test_a_missing_or_corrupt_record_is_a_merkle_error() -> None:
    store, _state = MemoryRecordStore(), {}
    root = apply(store, EMPTY, {}, {b"k%d" % n: b"v" for n in range(300)})
    with pytest.raises(MerkleError, match="missing"):
        update(MemoryRecordStore(), root, {b"k1": b"w"})
    below = children_of(store.records[root])[0]
    store.records[below] = b"\x07" + store.records[below][1:]
    with pytest.raises(MerkleError, match="corrupt"):
        update(store, root, {b"k%d" % n: b"w" for n in range(300)})


@pytest.mark.parametrize("route", ["one set", "two sets", "a delete"])
@pytest.mark.parametrize(
    ("fault", "error"),
    [("gone", "missing"), ("tag", "corrupt"), ("cut to 3", "corrupt"), ("head cut", "corrupt")],
)
def test_a_bad_record_below_the_root_is_a_merkle_error_on_every_walk(
    route: str, fault: str, error: str
) -> None:
    """The single set's loop (`_set_one`) and the batched walk (`_read`) check each record
    they read: present, an inner record, as long as its bitmap says its head is."""
    store = MemoryRecordStore()
    keys = [b"k%d" % n for n in range(300)]
    root = apply(store, EMPTY, {}, dict.fromkeys(keys, b"v"))
    key = keys[0]
    nib = sha(key)[0] >> 4
    twin = next(k for k in keys[1:] if sha(k)[0] >> 4 == nib)  # under the same child
    below = child_at(store.records[root], nib)
    assert type(below) is bytes
    good = store.records[below]
    store.records[below] = {
        "gone": b"",
        "tag": b"\x00" + good[1:],
        "cut to 3": good[:3],
        "head cut": good[: HEAD + 32 * (good[1] << 8 | good[2]).bit_count() - 1],
    }[fault]
    if fault == "gone":
        del store.records[below]
    block: Block = {
        "one set": {key: b"w"},
        "two sets": {key: b"w", twin: b"w"},
        "a delete": {key: None},
    }[route]
    with pytest.raises(MerkleError, match=error):
        update(store, root, block)


def test_a_lone_leaf_root_record_is_replaced_when_its_key_changes_and_kept_otherwise() -> None:
    store, state = MemoryRecordStore(), {}
    root = apply(store, EMPTY, state, {b"a": b"1"})
    assert update_tracked(store, root, {b"absent": None}) == (root, {}, set())
    assert update_tracked(store, root, {b"a": b"1"}) == (root, {}, set())
    new_root, writes, replaced = update_tracked(store, root, {b"a": b"2"})
    assert replaced == {root} and set(writes) == {new_root}
    new_root, writes, replaced = update_tracked(store, root, {b"b": b"1"})
    assert replaced == {root} and new_root in writes
    assert check_tracked(store, root, state, {b"a": None}) == EMPTY


def test_a_corrupt_leaf_root_record_or_a_truncated_inner_record_is_a_merkle_error() -> None:
    store, state = MemoryRecordStore(), {}
    root = apply(store, EMPTY, state, {b"a": b"1"})
    store.records[root] = store.records[root][:-1] + b"\x00"
    with pytest.raises(MerkleError, match="corrupt"):
        update(store, root, {b"b": b"1"})
    store, state = MemoryRecordStore(), {}
    root = apply(store, EMPTY, state, {b"k%d" % n: b"v" for n in range(300)})
    below = children_of(store.records[root])[0]
    store.records[below] = store.records[below][:20]
    with pytest.raises(MerkleError, match="corrupt"):
        update(store, root, {b"k%d" % n: b"w" for n in range(300)})


def test_a_new_key_on_another_keys_leaf_goes_down_to_where_their_paths_part() -> None:
    """The new key alone on its path (`_set_one`) meets a leaf whose key shares more nibbles
    than the slot's depth: the pair goes down a chain of one-child nodes, as a fresh tree has."""
    store, state = MemoryRecordStore(), {}
    root = apply(store, EMPTY, state, dict(BASE))
    prefixes = {sha(key).hex()[:5]: key for key in state}
    new = next(b"n%d" % n for n in range(2_000_000) if sha(b"n%d" % n).hex()[:5] in prefixes)
    root = apply(store, root, state, {new: b"x"})
    assert root == reference_root(state)
