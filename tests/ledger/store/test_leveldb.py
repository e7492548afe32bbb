"""LevelDB's options: tables uncompressed, and databases written compressed still read the same."""

from __future__ import annotations

from pathlib import Path

import plyvel

from ledger.store import Store
from ledger.store.leveldb import open_leveldb
from tests.ledger.store.synthetic import GENESIS_HASH, commit_next, open_store

MIB = 1 << 20


def table_bytes(path: Path) -> int:
    return sum(f.stat().st_size for f in path.glob("*.ldb"))


def test_tables_are_written_uncompressed(db_path: Path) -> None:
    """Decompressing a block on every uncached read cost more CPU than the disk it saved."""
    db = open_leveldb(db_path)
    db.put(b"zeros", bytes(MIB))  # Snappy shrinks this to about 50 KiB
    db.compact_range()
    db.close()
    assert table_bytes(db_path) >= MIB


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
