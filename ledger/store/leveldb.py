"""Opening the LevelDB directory, turning plyvel's exceptions into clear `StoreOpenError`s."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import plyvel

from ledger.store.errors import StoreCorruptError, StoreLockedError, StoreOpenError
from ledger.store.pread import turn_off_mmap_reads

MIB = 1 << 20
WRITE_BUFFER_MB = 16
BLOCK_CACHE_MB = 8
STATE_CACHE_ENTRIES = 100_000
BLOOM_FILTER_BITS = 10  # most state reads of absent keys skip the disk
MAX_OPEN_FILES = 100  # LevelDB table cache: about 90 table files; node/fdbudget.py reserves them
TABLE_FILE_MB = 16
"""LevelDB's table file size (`max_file_size`; its default is 2 MiB). A read of a table that is
not in the table cache opens the file and reads its index and filter blocks first: with 2 MiB
tables a million-account database has about 150 files against the cache's 90, and a random read
cost 20 us instead of 2.5 to 4 (docs/performance.md). At 16 MiB the cache holds 1.4 GiB of
tables."""
COMPRESSION = None
"""Tables are stored uncompressed: most of what we store is hashes, keys and signatures, which
Snappy shrinks by 5 to 8% per committed tx, while decompressing a 4 KiB block on every read
the block cache misses doubled the CPU of a random read (about 5 to 2.5 us of a Merkle page's,
4 to 2 of an account's at a million accounts), and compactions ran Snappy on every byte they
rewrote. Tables written compressed before stay readable (each block records its own
compression)."""
CREATION_FILES = frozenset({"LOCK", "LOG", "LOG.old"})
MMAP_READS_OFF = turn_off_mmap_reads()
"""Tables are read with `pread`, so their pages stay out of the node's resident set
(ledger/store/pread.py). Set here, at import, before this process opens any database."""
# paranoid_checks stays off: with it, LevelDB refuses to open when the tail of its log is damaged
# (a power cut in the middle of the last, unacknowledged batch); without it, it drops that record
# and the store reopens at the last whole block, which is what a synced commit promises.


@dataclass(frozen=True, slots=True)
class MemoryBudget:
    """What a store may hold in memory besides the pinned Merkle top (`[storage]` of the node's
    config; docs/operating.md says what each costs at a million accounts)."""

    write_buffer_mb: int = WRITE_BUFFER_MB
    """LevelDB's memtable; while one is written to a table the next fills, so up to twice this."""
    block_cache_mb: int = BLOCK_CACHE_MB
    """LevelDB's cache of uncompressed table blocks (the OS page cache holds the files too)."""
    state_cache_entries: int = STATE_CACHE_ENTRIES
    """Committed state values remembered by `CommittedState` (about 120 bytes each)."""


def open_leveldb(path: Path, budget: MemoryBudget | None = None) -> Any:
    """Open (or create, in an empty or missing directory) the LevelDB database at `path`."""
    budget = budget or MemoryBudget()
    if path.exists() and not path.is_dir():
        raise StoreOpenError(f"{path} is a file, not a database directory")
    if path.is_dir() and not (path / "CURRENT").exists() and not _creation_leftovers(path):
        raise StoreOpenError(
            f"{path} holds other files and no LevelDB database; refusing to create one there"
        )
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreOpenError(f"cannot create the directory for {path}: {exc}") from exc
    try:
        return plyvel.DB(
            str(path),
            create_if_missing=True,
            write_buffer_size=budget.write_buffer_mb * MIB,
            lru_cache_size=max(1, budget.block_cache_mb) * MIB,
            bloom_filter_bits=BLOOM_FILTER_BITS,
            max_open_files=MAX_OPEN_FILES,
            compression=COMPRESSION,
            max_file_size=TABLE_FILE_MB * MIB,
        )
    except plyvel.CorruptionError as exc:
        raise StoreCorruptError(f"database at {path} is corrupt: {_text(exc)}") from exc
    except plyvel.IOError as exc:
        text = _text(exc)
        if "temporarily unavailable" in text or "already held" in text:
            raise StoreLockedError(
                f"database at {path} is in use by another process (is a node already running?)"
            ) from exc
        raise StoreOpenError(f"cannot open database at {path}: {text}") from exc
    except plyvel.Error as exc:
        raise StoreOpenError(f"cannot open database at {path}: {_text(exc)}") from exc


def _creation_leftovers(path: Path) -> bool:
    """The directory is empty, or holds only what LevelDB writes while it creates a database
    before CURRENT (its lock, info log, first manifest and CURRENT's temporary file): a
    creation killed in between wrote nothing, so the store is created there again. Anything
    else without CURRENT (a table, a log of writes, another program's file) is refused."""
    return all(
        p.name in CREATION_FILES or p.name.startswith("MANIFEST-") or p.suffix == ".dbtmp"
        for p in path.iterdir()
    )


def compact_all(db: Any) -> None:
    """Rewrite every table of the database, dropping deleted and overwritten records.

    The bounds are given: plyvel's `compact_range()` without them left every table file as it was
    (tests/ledger/store/test_leveldb.py). Every key of the store starts with an ASCII prefix byte
    (ledger/store/schema.py), so [0x00, 0xff] holds them all.
    """
    db.compact_range(start=b"\x00", stop=b"\xff")


def _text(exc: BaseException) -> str:
    arg = exc.args[0] if exc.args else exc
    return arg.decode(errors="replace") if isinstance(arg, bytes) else str(arg)
