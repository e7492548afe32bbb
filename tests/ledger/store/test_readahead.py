"""Reading the next block's Merkle records ahead (ledger/store/readahead.py) on a real LevelDB:
an update that takes records from the cache makes exactly the root, writes and replaced records
of one that reads them all, whatever the cache was filled with; the cache stays in its bounds
and is dropped when the store moves on."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.merkle.flat import children_of, update, update_tracked
from ledger.merkle.node import EMPTY, MerkleError
from ledger.store import Store, schema
from ledger.store.leveldb import open_leveldb
from ledger.store.readahead import ReadAhead
from ledger.store.records import RecordStore
from ledger.store.trees import FlatTree
from tests.ledger.store.synthetic import commit_changes, commit_next, open_store

Block = dict[bytes, bytes | None]
GENESIS = {b"k%d" % n: b"v%d" % n for n in range(0, 3000, 2)}


def store_records(db: Any, writes: dict[bytes, bytes]) -> None:
    with db.write_batch(transaction=True, sync=True) as batch:
        for hash_, record in writes.items():
            batch.put(schema.NODE + hash_, record)


def records_of(store: Store) -> RecordStore:
    assert isinstance(store.tree, FlatTree)
    return store.tree.records


def fresh(db: Any, root: bytes, levels: int) -> RecordStore:
    """A record store that has read nothing ahead, opened on `root`."""
    records = RecordStore(db, levels)
    records.warm(root)
    return records


def fill(records: RecordStore, root: bytes, keys: list[bytes], written: dict[bytes, bytes]) -> None:
    """A whole fill, as a store runs one while a block's batch is written."""
    records.ahead.finish_fills = True
    records.ahead.expect(keys)
    with records.reading_ahead(root, written):
        pass


def genesis(db: Any, levels: int) -> tuple[RecordStore, bytes]:
    records = RecordStore(db, levels)
    root, writes = update(records, EMPTY, GENESIS)
    store_records(db, writes)
    records.advance(EMPTY, root, writes)
    return records, root


KEYS = st.integers(0, 3500).map(lambda n: b"k%d" % n)
CHANGES = st.dictionaries(KEYS, st.none() | st.binary(max_size=3), min_size=1, max_size=80)


@settings(max_examples=25, deadline=None)
@given(
    st.tuples(CHANGES, CHANGES),
    st.lists(KEYS | st.binary(max_size=8), max_size=60),
    st.integers(0, 2),
    st.booleans(),
)
def test_an_update_with_records_read_ahead_makes_what_one_without_makes(
    tmp_path_factory: pytest.TempPathFactory,
    blocks: tuple[Block, Block],
    guessed: list[bytes],
    levels: int,
    released: bool,
) -> None:
    """Block A is updated; while it is "written" the records of B's keys (or of guessed ones,
    right or wrong) are read ahead from A's root, with A's records in memory or released; B's
    update then gives exactly what it gives on a store that read nothing ahead, and reads from
    LevelDB exactly what that one reads less what the cache served."""
    first, second = blocks
    db = open_leveldb(tmp_path_factory.mktemp("ahead"))
    try:
        records, root = genesis(db, levels)
        root_a, writes_a = update(records, root, first)
        in_memory = dict.fromkeys(writes_a, b"") if released else dict(writes_a)
        fill(records, root_a, guessed + list(second), in_memory)
        store_records(db, writes_a)
        records.advance(root, root_a, writes_a)
        reads, hits = records.disk_reads, records.ahead.hits
        got = update_tracked(records, root_a, second)
        plain = fresh(db, root_a, levels)
        plain_reads = plain.disk_reads
        assert got == update_tracked(plain, root_a, second)
        assert (
            records.disk_reads - reads + records.ahead.hits - hits == plain.disk_reads - plain_reads
        )
    finally:
        db.close()


def test_the_next_blocks_records_come_from_the_cache(tmp_path: Path) -> None:
    db = open_leveldb(tmp_path / "db")
    try:
        records, root = genesis(db, 1)
        block = {b"k%d" % n: b"new" for n in range(0, 3000, 7)}
        fill(records, root, list(block), {})
        assert records.ahead.complete and records.ahead.filled == len(records.ahead.records) > 0
        got = update_tracked(records, root, block)
        assert got == update_tracked(fresh(db, root, 1), root, block)
        assert records.ahead.hits == records.ahead.filled and records.disk_reads == 0
        assert not records.ahead.records  # what the update took left the cache
    finally:
        db.close()


def test_a_cache_filled_from_a_stale_root_or_for_other_keys_changes_nothing(
    tmp_path: Path,
) -> None:
    db = open_leveldb(tmp_path / "db")
    try:
        records, old = genesis(db, 1)
        block = {b"k%d" % n: b"new" for n in range(0, 3000, 5)}
        new, writes = update(records, old, block)
        store_records(db, writes)
        records.advance(old, new, writes)
        nxt = {b"k%d" % n: None for n in range(0, 3000, 9)} | {b"x": b"y"}
        want = update_tracked(fresh(db, new, 1), new, nxt)
        for root, keys in ((old, list(nxt)), (new, [b"other %d" % n for n in range(500)])):
            fill(records, root, keys, {})
            assert update_tracked(records, new, nxt) == want
    finally:
        db.close()


def test_a_corrupt_record_is_left_out_and_the_update_still_refuses_it(tmp_path: Path) -> None:
    db = open_leveldb(tmp_path / "db")
    try:
        records, root = genesis(db, 1)
        record = records.get_record(root)
        assert record is not None
        below = children_of(record)[0]  # not pinned at one level
        good = db.get(schema.NODE + below)
        db.put(schema.NODE + below, good[:9] + bytes([good[9] ^ 1]) + good[10:])  # in its head
        fill(records, root, [b"k%d" % n for n in range(0, 3000, 2)], {})
        assert below not in records.ahead.records
        with pytest.raises(MerkleError, match="corrupt"):
            update(records, root, {b"k%d" % n: b"new" for n in range(0, 3000, 2)})
    finally:
        db.close()


@pytest.mark.parametrize(("max_records", "max_bytes"), [(5, 1 << 30), (10_000, 3_000)])
def test_a_fill_keeps_within_its_bounds(tmp_path: Path, max_records: int, max_bytes: int) -> None:
    db = open_leveldb(tmp_path / "db")
    try:
        records, root = genesis(db, 1)
        records.ahead = ReadAhead(max_records, max_bytes)
        fill(records, root, [b"k%d" % n for n in range(3000)], {})
        ahead = records.ahead
        assert not ahead.complete and 0 < len(ahead.records) <= max_records
        assert ahead.nbytes() <= max_bytes
    finally:
        db.close()


def test_the_cache_is_dropped_when_the_store_moves_past_its_root(tmp_path: Path) -> None:
    db = open_leveldb(tmp_path / "db")
    try:
        records, root = genesis(db, 1)
        fill(records, root, [b"k%d" % n for n in range(0, 3000, 3)], {})
        assert records.ahead.records
        new, writes = update(records, root, {b"k1": b"new"})  # a key it did not read ahead
        store_records(db, writes)
        records.advance(root, new, writes)
        assert not records.ahead.records
    finally:
        db.close()


def test_a_store_reads_the_next_blocks_records_while_it_writes_a_block(tmp_path: Path) -> None:
    """`Store.read_ahead` before a commit: the write reads the expected keys' records under
    the block's new root, and the next update takes them; the chain is the one a store that
    read nothing ahead commits. (Small blocks: the records a block writes below the pinned top
    are released from memory before its write and stored by it, so they are not read ahead.)"""
    plain = open_store(tmp_path / "plain", flat_tree=True)
    store = open_store(tmp_path / "ahead", flat_tree=True)
    try:
        for one in (plain, store):
            records_of(one)._pin_levels = 1  # a small tree has records below the pinned top
            one.tree.warm(one.state_root)
        records_of(store).ahead.finish_fills = True
        for seed in range(4):
            changes = {b"\x01" + bytes([seed, i]) + b"..": b"v%d" % i for i in range(2)}
            nxt = {b"\x01" + bytes([seed + 1, i]) + b"..": b"v" for i in range(2)}
            store.read_ahead(nxt)
            for one in (plain, store):
                commit_changes(one, changes, seed)
        assert records_of(store).ahead.hits > 0
        assert store.state_root == plain.state_root == store.recompute_state_root()
        commit_next(store, seed=9)  # nothing expected: what is left is dropped
        assert not records_of(store).ahead.records
    finally:
        plain.close()
        store.close()
