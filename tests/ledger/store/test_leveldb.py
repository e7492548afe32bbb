"""Compaction really frees what was deleted: the bench's "compacted" figures and a pruning node's
background compaction both rely on it (plyvel's `compact_range()` with no bounds left every
table file as it was)."""

from __future__ import annotations

import random
from pathlib import Path

from ledger.store.leveldb import compact_all, open_leveldb


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
