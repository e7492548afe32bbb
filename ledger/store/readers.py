"""The read view over the committed state values (the Merkle records' is ledger/store/records.py).

`CommittedState` is the `StateReader` the state machine executes on. It reads straight from
LevelDB, so it always sees the last committed block (LevelDB applies a write batch atomically),
or from a snapshot of it while a block is written on another thread (`Store.pin_reads`,
ledger/store/block_write.py).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from ledger.store import schema
from ledger.store.leveldb import STATE_CACHE_ENTRIES

_MISSING = object()
CACHE_ENTRIES = STATE_CACHE_ENTRIES


class CommittedState:
    """The committed state: `get` and sorted `iter_prefix` over the state prefix.

    `get` answers from a write-through cache of recent reads (absent keys included): each tx
    reads its accounts at admission and again in its block, and a LevelDB read costs about
    10 us, most of it the GIL round trip (plyvel releases the GIL around every read, and the
    verifier threads take it meanwhile). The store calls `written` with every committed
    change, after the batch is durable, so a cached value is never stale; the cache is dropped
    whole when it outgrows `max_entries`.
    """

    __slots__ = ("_cache", "_db", "_max_entries")

    def __init__(self, db: Any, max_entries: int = CACHE_ENTRIES) -> None:
        self._db = db
        self._cache: dict[bytes, bytes | None] = {}
        self._max_entries = max_entries

    def get(self, key: bytes) -> bytes | None:
        cache = self._cache
        value: bytes | object | None = cache.get(key, _MISSING)
        if value is _MISSING:
            if len(cache) >= self._max_entries:
                cache.clear()
            found: bytes | None = self._db.get(schema.STATE + key)
            cache[key] = found
            return found
        return value  # type: ignore[return-value]

    def read_from(self, source: Any) -> None:
        """Read through `source` from now on: the database, or a snapshot of it that
        `Store.pin_reads` took (the cache holds values of that same state)."""
        self._db = source

    def written(self, changes: Mapping[bytes, bytes | None]) -> None:
        """The committed values of `changes` (None: deleted), once they are durable."""
        cache = self._cache
        if len(cache) + len(changes) > self._max_entries:
            cache.clear()
            if len(changes) > self._max_entries:
                return
        cache.update(changes)

    def forget(self) -> None:
        """Drop the cache (the state was written by other means than `written` reports)."""
        self._cache.clear()

    def iter_prefix(self, prefix: bytes) -> Iterator[tuple[bytes, bytes]]:
        with self._db.iterator(prefix=schema.STATE + prefix) as items:
            for key, value in items:
                yield key[1:], value
