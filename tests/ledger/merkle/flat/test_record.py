"""A record is read back as written, and `check_record` refuses any record that is not exactly
what its hash commits to."""

from __future__ import annotations

import hashlib

import pytest

from ledger.merkle.flat import MemoryRecordStore, check_record, children_of, record_hash, update
from ledger.merkle.flat.record import Child, child_at, children, encode, leaf_of
from ledger.merkle.node import EMPTY, MerkleError


def sha(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def built(count: int) -> tuple[MemoryRecordStore, bytes]:
    store = MemoryRecordStore()
    root, writes = update(store, EMPTY, {b"k%d" % n: b"v%d" % n for n in range(count)})
    store.put_all(writes)
    return store, root


def test_a_record_gives_back_its_children_and_hashes_its_head() -> None:
    leaf = leaf_of(sha(b"a"), sha(b"1"))
    kids: list[Child] = [None] * 16
    kids[3], kids[9], kids[15] = leaf, sha(b"inner"), leaf_of(sha(b"b"), sha(b"2"))
    hash_, record = encode(kids)
    assert children(record) == kids
    assert [child_at(record, nib) for nib in range(16)] == kids
    assert children_of(record) == [sha(b"inner")]
    assert record_hash(record) == hash_ == sha(record[: 5 + 3 * 32])
    assert record[1:5] == (1 << 3 | 1 << 9 | 1 << 15).to_bytes(2, "big") + (
        1 << 3 | 1 << 15
    ).to_bytes(2, "big")
    check_record(hash_, record)


def test_every_record_of_a_tree_checks_and_is_stored_under_its_hash() -> None:
    store, root = built(500)
    walked = 0
    todo = [root]
    while todo:
        hash_ = todo.pop()
        record = store.records[hash_]
        check_record(hash_, record)
        assert record_hash(record) == hash_
        todo += children_of(record)
        walked += 1
    assert walked == len(store.records)  # one tree, built once: every record is reachable
    single, root = built(1)
    check_record(root, single.records[root])  # a leaf root's record
    assert children_of(single.records[root]) == []


def test_any_changed_byte_of_a_record_is_refused() -> None:
    """Head bytes change the hash; a leaf child's key or value hash no longer hashes to the
    leaf hash the head commits to; masks and lengths no longer agree."""
    store, root = built(40)
    records = [(root, store.records[root]), next(iter(store.records.items()))]
    single, leaf_root = built(1)
    records.append((leaf_root, single.records[leaf_root]))
    for hash_, record in records:
        for at in range(len(record)):
            for flip in (0x01, 0x80):
                bad = record[:at] + bytes([record[at] ^ flip]) + record[at + 1 :]
                with pytest.raises(MerkleError):
                    check_record(hash_, bad)
        for bad in (b"", record[:-1], record + b"\x00", record[:4]):
            with pytest.raises(MerkleError):
                check_record(hash_, bad)


def test_a_record_naming_an_empty_child_or_a_leaf_where_none_is_is_refused() -> None:
    kids: list[Child] = [None] * 16
    kids[0], kids[1] = EMPTY, sha(b"x")
    hash_, record = encode(kids)
    with pytest.raises(MerkleError, match="empty subtree"):
        check_record(hash_, record)
    head = b"\x01" + (1 << 17 | 1 << 0).to_bytes(4, "big") + sha(b"x")  # leaf bit 0, child 1
    with pytest.raises(MerkleError, match="masks"):
        check_record(sha(head), head + bytes(64))
    empty = b"\x01" + bytes(4)
    with pytest.raises(MerkleError, match="masks"):
        check_record(sha(empty), empty)


def test_a_record_too_short_for_its_tag_and_bitmap_has_no_hash() -> None:
    """What the store checks each read against: a malformed record is an error, not a hash."""
    store, root = built(40)
    record = store.records[root]
    leaf = b"\x00" + sha(b"k") + sha(b"v")
    assert record_hash(leaf) == sha(leaf)
    for bad in (record[:4], record[:20], leaf[:-1], leaf + b"\x00", b"\x02" + leaf[1:], b""):
        with pytest.raises(MerkleError):
            record_hash(bad)
    assert record_hash(record[:5] + bytes(32 * 16)) != root  # the head alone, fully read


def test_a_record_with_an_unknown_tag_is_refused_even_under_its_own_hash() -> None:
    head = b"\x07" + (1 << 16).to_bytes(4, "big") + sha(b"x")
    with pytest.raises(MerkleError, match="bad tag"):
        check_record(sha(head), head)
