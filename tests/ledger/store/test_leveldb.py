"""LevelDB's options: tables uncompressed, databases written compressed still read the same, and
compaction really frees what was deleted (the bench's "compacted" figures and a pruning node's
background compaction rely on it: plyvel's `compact_range()` with no bounds left every table file as
it was)."""

from __future__ import annotations

import random
from pathlib import Path

import plyvel

from ledger.store import Store
from ledger.store.leveldb import compact_all, open_leveldb
from tests.ledger.store.synthetic import GENESIS_HASH, commit_next, open_store

MIB = 1 << 20


def test_tables_are_written_uncompressed(db_path: Path) -> None:
    """Decompressing a block on every uncached read cost more CPU than the disk it saved."""
    db = open_leveldb(db_path)
    db.put(b"zeros", bytes(MIB))  # Snappy shrinks this to about 50 KiB
    compact_all(db)
    db.close()
    assert _table_bytes(db_path) >= MIB


def test_a_database_written_compressed_reads_the_same(tmp_path: Path) -> None:
    """A node's database from before keeps its Snappy tables: every value and the root hold."""
    written, snappy = tmp_path / "written", tmp_path / "snappy"
    with open_store(written) as store:
        for _ in range(12):
            commit_next(store, seed=5)
        root, height = store.state_root, store.height
    source = plyvel.DB(str(written))
    copy = plyvel.DB(str(snappy), create_if_missing=True, compression="snappy")
    with copy.write_batch() as batch:
        for key, value in source:
            batch.put(key, value)
    copy.compact_range()
    copy.close()
    with Store.open(snappy, GENESIS_HASH) as reopened:
        assert (reopened.state_root, reopened.height) == (root, height)
        assert reopened.recompute_state_root() == root
        assert dict(reopened._db) == dict(source)
        commit_next(reopened, seed=5)  # and it goes on from there
    source.close()


def _table_bytes(path: Path) -> int:
    return sum(f.stat().st_size for f in path.iterdir() if f.suffix == ".ldb")


def test_compacting_a_database_drops_deleted_records(tmp_path: Path) -> None:
    path = tmp_path / "db"
    db = open_leveldb(path)
    rng = random.Random(1)  # incompressible values
    try:
        for round_ in range(3):  # several table files, on more than one level
            with db.write_batch() as batch:
                for i in range(4000):
                    batch.put(
                        b"n" + round_.to_bytes(2, "big") + i.to_bytes(4, "big"), rng.randbytes(1000)
                    )
            db.compact_range(start=b"n" + round_.to_bytes(2, "big"), stop=b"o")
        with db.write_batch() as batch:
            for key in db.iterator(include_value=False):
                if not key.endswith(b"\x00\x00"):
                    batch.delete(key)
        before = _table_bytes(path)
        compact_all(db)
        after = _table_bytes(path)
        assert sum(1 for _ in db.iterator()) == 3
    finally:
        db.close()
    assert before > 1_000_000 and after < 20_000, (before, after)
