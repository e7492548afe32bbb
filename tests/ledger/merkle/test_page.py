"""Pages store the binary tree whole: every page is well formed, every key is found through them."""

from __future__ import annotations

import functools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.merkle import EMPTY, MemoryNodeStore, MerkleError, prove, root_of, update, verify_proof
from ledger.merkle.node import INNER_TAG, LEAF_TAG, key_hash, value_hash
from ledger.merkle.page import (
    SLOTS,
    RawPage,
    check_page,
    child_pages,
    decode_page,
    encode_page,
)
from tests.ledger.state_model import apply_to

keys = st.integers(min_value=0, max_value=300).map(lambda n: b"k%d" % n)
values = st.binary(min_size=0, max_size=4)
batches = st.lists(st.dictionaries(keys, st.none() | values, max_size=80), min_size=1, max_size=6)


def leaves_under(store: MemoryNodeStore, root: bytes) -> dict[bytes, bytes]:
    """key hash -> value hash of every leaf reachable from `root`, walking page by page."""
    found: dict[bytes, bytes] = {}
    todo = [root] if root != EMPTY else []
    while todo:
        page_hash = todo.pop()
        page = store.get_page(page_hash)
        assert page is not None, "a page of the current tree is missing"
        check_page(page_hash, page)
        for data in page.values():
            if data[0] == LEAF_TAG:
                found[data[1:33]] = data[33:65]
        todo += child_pages(page).values()
    return found


@settings(max_examples=40, deadline=None)
@given(batches, st.binary(max_size=3))
def test_pages_hold_exactly_the_state_and_prove_every_key(
    blocks: list[dict[bytes, bytes | None]], probe: bytes
) -> None:
    store = MemoryNodeStore()
    root = EMPTY
    state: dict[bytes, bytes] = {}
    for changes in blocks:
        root, writes = update(store, root, changes)
        for page_hash, data in writes.items():
            check_page(page_hash, decode_page(data))
        store.put_all(writes)
        apply_to(state, changes)
        assert root == root_of(state)
        assert leaves_under(store, root) == {key_hash(k): value_hash(v) for k, v in state.items()}
    for key, value in state.items():
        assert verify_proof(root, key, value, prove(store, root, key))
    assert verify_proof(root, probe, state.get(probe), prove(store, root, probe))


def test_a_page_is_four_levels_and_the_fifth_starts_new_pages() -> None:
    store = MemoryNodeStore()
    root, writes = update(store, EMPTY, {b"k%d" % i: b"v" for i in range(5000)})
    page = decode_page(writes[root])
    assert set(page) == set(range(1, SLOTS))  # 5,000 keys fill the top four levels
    assert all(page[p][0] == INNER_TAG for p in range(1, SLOTS))
    assert len(child_pages(page)) == SLOTS  # each inner node at depth 4 roots a page
    assert len(writes) < (2 * 5000 - 1) // 4  # a binary tree of n keys has 2n - 1 nodes


def test_encoding_round_trips_and_malformed_pages_are_refused() -> None:
    store = MemoryNodeStore()
    root, writes = update(store, EMPTY, {b"a": b"1", b"b": b"2", b"c": b"3"})
    data = writes[root]
    assert encode_page(decode_page(data)) == data
    assert dict(RawPage(data)) == decode_page(data)
    for bad in (
        b"",
        data[:3],
        data[:-1],  # a cut entry
        data + bytes(65),  # an entry the bitmap does not list
        b"\x03\x00\x00\x00" + data[4:],  # bit 0 set
        b"\x04\x00\x00\x00" + data[4:69],  # no root entry
    ):
        with pytest.raises(MerkleError, match="corrupt"):
            decode_page(bad)
        with pytest.raises(MerkleError, match="corrupt"):
            RawPage(bad)


def test_a_raw_page_reads_as_its_decoded_entries() -> None:
    store = MemoryNodeStore()
    root, writes = update(store, EMPTY, {b"k%d" % i: b"v" for i in range(60)})
    raw = RawPage(writes[root])
    assert 31 not in raw and raw.get(99) is None and len(raw) == len(decode_page(writes[root]))
    assert dict(raw) == decode_page(writes[root])
    assert encode_page(raw) == writes[root]


def test_a_forged_node_inside_a_page_fails_the_page_check() -> None:
    store = MemoryNodeStore()
    root, writes = update(store, EMPTY, {b"k%d" % i: b"v" for i in range(40)})
    page = decode_page(writes[root])
    for position in page:
        forged = dict(page)
        entry = forged[position]
        forged[position] = entry[:-1] + bytes([entry[-1] ^ 1])
        with pytest.raises(MerkleError, match="corrupt"):
            check_page(root, forged)
    with pytest.raises(MerkleError, match="corrupt"):  # an entry no parent names
        check_page(root, {**page, 31: page[1]} if 31 not in page else {**page, 30: page[1]})


def pages_under(store: MemoryNodeStore, root: bytes) -> dict[bytes, bytes]:
    """Every page reachable from `root`: page root hash -> stored bytes."""
    found: dict[bytes, bytes] = {}
    todo = [root] if root != EMPTY else []
    while todo:
        page_hash = todo.pop()
        found[page_hash] = store.pages[page_hash]
        todo += child_pages(RawPage(found[page_hash])).values()
    return found


@functools.cache
def base_tree() -> tuple[MemoryNodeStore, bytes]:
    """3,000 keys: pages three levels deep, most keys alone on their paths below the top page."""
    store = MemoryNodeStore()
    root, writes = update(store, EMPTY, {b"b%d" % i: b"v" for i in range(3000)})
    store.put_all(writes)
    return store, root


changed_keys = st.integers(min_value=0, max_value=3300).map(lambda n: b"b%d" % n)


@settings(max_examples=30, deadline=None)
@given(st.dictionaries(changed_keys, st.none() | values, max_size=60))
def test_a_block_writes_exactly_the_pages_a_fresh_build_holds(
    changes: dict[bytes, bytes | None],
) -> None:
    """Whatever path an update takes (a key alone on its path patched in place, inserts, deletes,
    leaves rising), the pages of the new tree are byte for byte those of a tree built from
    scratch, and the block writes exactly the ones the old tree lacks."""
    base, old_root = base_tree()
    store = MemoryNodeStore()
    store.pages = dict(base.pages)
    state = {b"b%d" % i: b"v" for i in range(3000)}
    for key, value in changes.items():
        if value is None:
            state.pop(key, None)
        else:
            state[key] = value
    root, writes = update(store, old_root, changes)
    store.put_all(writes)
    fresh = MemoryNodeStore()
    fresh_root, fresh_writes = update(fresh, EMPTY, state)
    fresh.put_all(fresh_writes)
    assert root == fresh_root
    new_pages = pages_under(store, root)
    assert new_pages == pages_under(fresh, fresh_root)
    assert writes.keys() == new_pages.keys() - base.pages.keys()


@settings(max_examples=40, deadline=None)
@given(batches)
def test_a_stored_page_names_the_same_pages_below_and_holds_the_same_positions_as_decoded(
    blocks: list[dict[bytes, bytes | None]],
) -> None:
    """`RawPage` answers `child_pages` and `in` from its bitmap and bytes (what a commit asks of
    every new top page): the same as the decoded dict, for every page of random trees."""
    store = MemoryNodeStore()
    root = EMPTY
    for block in blocks:
        root, writes = update(store, root, block)
        store.put_all(writes)
        for data in writes.values():
            raw, decoded = RawPage(data), decode_page(data)
            assert child_pages(raw) == child_pages(decoded)
            assert [p for p in range(-1, 40) if p in raw] == sorted(decoded)
            assert "1" not in raw
