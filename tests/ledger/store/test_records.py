"""The flat tree's record store (ledger/store/records.py) on a real LevelDB: it pins exactly the
top of the current tree, never a stale record, and refuses records that are not what their key
says."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.merkle.flat import (
    children_of,
    prove,
    record_hash,
    update,
    update_tracked,
    verify_proof,
)
from ledger.merkle.node import EMPTY, MerkleError, sha256
from ledger.store import schema
from ledger.store.leveldb import open_leveldb
from ledger.store.records import RecordStore
from tests.ledger.store.synthetic import top_records

Block = dict[bytes, bytes | None]


def commit(db: Any, records: RecordStore, root: bytes, block: Block) -> bytes:
    """Update, write the records durably in one batch, then move the pinned top."""
    new_root, writes = update(records, root, block)
    with db.write_batch(transaction=True, sync=True) as batch:  # type: ignore[attr-defined]
        for hash_, record in writes.items():
            batch.put(schema.NODE + hash_, record)
    records.advance(root, new_root, writes)
    return new_root


KEYS = st.integers(0, 900).map(lambda n: b"k%d" % n)
BLOCKS = st.lists(
    st.dictionaries(KEYS, st.none() | st.binary(max_size=3), max_size=60), min_size=1, max_size=5
)


@settings(max_examples=15, deadline=None)
@given(BLOCKS, st.integers(1, 3))
def test_the_pinned_records_are_the_top_of_the_current_tree(
    tmp_path_factory: pytest.TempPathFactory, blocks: list[Block], levels: int
) -> None:
    """After each block `advance` leaves exactly what `warm` pins on a store opened afresh:
    deletes that empty or collapse pinned records included."""
    db = open_leveldb(tmp_path_factory.mktemp("records"))
    try:
        records = RecordStore(db, levels)
        root = commit(db, records, EMPTY, {b"k%d" % n: b"v" for n in range(0, 900, 3)})
        assert records.pinned() == top_records(records, root, levels)
        for block in blocks:
            root = commit(db, records, root, block)
            assert records.pinned() == top_records(records, root, levels)
            fresh = RecordStore(db, levels)
            fresh.warm(root)
            assert fresh.pinned() == records.pinned()
        root = commit(db, records, root, {b"k%d" % n: None for n in range(901)})
        assert root == EMPTY and records.pinned() == set()
    finally:
        db.close()


@settings(max_examples=15, deadline=None)
@given(BLOCKS, st.integers(0, 4))
def test_new_pinned_is_the_written_part_of_the_new_top(
    tmp_path_factory: pytest.TempPathFactory, blocks: list[Block], levels: int
) -> None:
    """What a block's write keeps in memory is exactly what `advance` then pins of its writes."""
    db = open_leveldb(tmp_path_factory.mktemp("records"))
    try:
        records = RecordStore(db, levels)
        root = commit(db, records, EMPTY, {b"k%d" % n: b"v" for n in range(0, 900, 3)})
        for block in blocks:
            new_root, writes = update(records, root, block)
            kept = records.new_pinned(new_root, writes)
            root = commit(db, records, root, block)
            assert root == new_root
            assert kept == top_records(records, root, levels) & writes.keys()
    finally:
        db.close()


def test_a_store_reads_below_the_pinned_top_only_from_leveldb(tmp_path: Path) -> None:
    db = open_leveldb(tmp_path / "db")
    try:
        records = RecordStore(db, 1)
        state = {b"k%d" % n: b"v%d" % n for n in range(2000)}
        root = commit(db, records, EMPTY, dict(state))
        records.warm(root)
        assert records.pinned() == {root}
        before = records.disk_reads
        for key in (b"k5", b"k1999", b"absent"):
            assert verify_proof(root, key, state.get(key), prove(records, root, key))
        assert records.disk_reads > before  # levels below the root are LevelDB's
        before = records.disk_reads
        records.get_record(root)
        assert records.disk_reads == before
    finally:
        db.close()


def test_a_record_that_does_not_hash_to_its_key_is_refused(tmp_path: Path) -> None:
    """A changed head is caught on any read; a changed leaf child (outside the hashed head) by
    the whole-record check of `warm`."""
    db = open_leveldb(tmp_path / "db")
    try:
        records = RecordStore(db, 2)
        root, writes, _ = update_tracked(records, EMPTY, {b"k%d" % n: b"v" for n in range(300)})
        for hash_, record in writes.items():
            db.put(schema.NODE + hash_, record)
        below = children_of(writes[root])[0]
        good = writes[below]
        db.put(schema.NODE + below, good[:5] + bytes([good[5] ^ 1]) + good[6:])
        with pytest.raises(MerkleError, match="corrupt"):
            RecordStore(db, 2).get_record(below)
        db.put(schema.NODE + below, good[:-1] + bytes([good[-1] ^ 1]))  # a leaf child's value hash
        assert RecordStore(db, 2).get_record(below) is not None
        with pytest.raises(MerkleError, match="leaf child"):
            RecordStore(db, 2).warm(root)
        db.put(schema.NODE + below, good[:3])
        with pytest.raises(MerkleError, match="corrupt"):
            RecordStore(db, 2).get_record(below)
        db.delete(schema.NODE + below)
        with pytest.raises(MerkleError, match="missing"):
            RecordStore(db, 2).warm(root)
        assert not RecordStore(db, 2).has_record(below)
    finally:
        db.close()


@settings(max_examples=60, deadline=None)
@given(
    st.integers(1, 40),
    st.integers(0, 2000),
    st.sampled_from(["as is", "cut", "flip", "append"]),
    st.integers(0, 255),
)
def test_a_read_from_leveldb_is_refused_exactly_when_its_bytes_do_not_hash_to_its_key(
    tmp_path_factory: pytest.TempPathFactory, keys: int, at: int, how: str, byte: int
) -> None:
    """`get_record` agrees with `record_hash` (the definition) on any stored bytes: the inner
    record's head hashed in place, a leaf root's whole record, anything malformed refused."""
    db = open_leveldb(tmp_path_factory.mktemp("records"))
    try:
        root, writes = update(RecordStore(db, 0), EMPTY, {b"k%d" % n: b"v" for n in range(keys)})
        for hash_, good in writes.items():
            at %= len(good) + 1
            stored = {
                "as is": good,
                "cut": good[:at],
                "flip": good[:at] + bytes([good[at] ^ (byte or 1)]) + good[at + 1 :]
                if at < len(good)
                else good,
                "append": good + bytes([byte]),
            }[how]
            db.put(schema.NODE + hash_, stored)
            try:
                fits = record_hash(stored) == hash_
            except (MerkleError, IndexError):
                fits = False
            if fits:
                assert RecordStore(db, 0).get_record(hash_) == stored
            else:
                with pytest.raises(MerkleError, match="corrupt"):
                    RecordStore(db, 0).get_record(hash_)
        assert root in writes
    finally:
        db.close()


def test_a_leaf_root_that_reads_like_a_short_inner_record_is_read(tmp_path: Path) -> None:
    """A leaf root whose key hash starts with at most one set bit in its first two bytes would
    pass for an inner record's short head if the tag were not checked first."""
    key = next(
        b"k%d" % n
        for n in range(1_000_000)
        if int.from_bytes(sha256(b"k%d" % n).digest()[:2]).bit_count() <= 1
    )
    db = open_leveldb(tmp_path / "db")
    try:
        root, writes = update(RecordStore(db, 0), EMPTY, {key: b"v"})
        db.put(schema.NODE + root, writes[root])
        assert RecordStore(db, 0).get_record(root) == writes[root]
    finally:
        db.close()


def test_reads_follow_a_snapshot_while_a_block_is_written(tmp_path: Path) -> None:
    """`read_from` a snapshot: the old tree stays whole for readers while new records land."""
    db = open_leveldb(tmp_path / "db")
    try:
        records = RecordStore(db, 0)
        root = commit(db, records, EMPTY, {b"k%d" % n: b"v" for n in range(100)})
        snapshot = db.snapshot()
        records.read_from(snapshot)
        new_root, writes = update(records, root, {b"k1": b"w"})
        for hash_, record in writes.items():
            db.put(schema.NODE + hash_, record)
        assert not records.has_record(new_root)
        assert verify_proof(root, b"k1", b"v", prove(records, root, b"k1"))
        records.read_from(db)
        assert records.has_record(new_root)
        snapshot.close()
    finally:
        db.close()
