"""Reading the next block's Merkle records while this block's batch is written (issue 17).

A block's update of the flat tree reads, below the pinned top, about 1.5 records from LevelDB
per changed key (ledger/store/records.py). Those reads can be made earlier: while block N's
synced batch is written (plyvel releases the GIL for the write and its fsync, and in each
`get`), a thread walks the paths of the keys block N + 1 is expected to change (SHA-256 of each
key, as nibbles) down from block N's new root and keeps the records on them in a bounded cache,
which N + 1's update then takes its records from (`RecordStore.get_record`).

Records are stored under their hash and never change, so the cache cannot be wrong whatever the
keys or the root it was filled for: a wrong guess costs a wasted read and the bytes it holds
until the cache is dropped. A record read from LevelDB is checked as the update checks it (its
head hashed to its key) before it goes in; one that fails is left out, and the update then
reads it itself and raises. Records in memory are taken from there: the pinned top, and block
N's writes (not in LevelDB before its write returns; those the write already released from
memory are left for the update to read).

The fill runs only while the batch is written (`Store.write_block`): once the write returns the
committing thread wants the GIL again, and a thread running Python beside it slows it down
(docs/performance.md, "State root at a million keys", says what it gains and why the node does
not use it). Bounded: a fill keeps at most `max_records` records and `max_bytes` of their bytes;
the records the update takes leave the cache, the rest are dropped when the next fill begins or
the store moves to a root other than the one the cache was filled for.
"""

from __future__ import annotations

import threading
from bisect import bisect_left
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from ledger.hashing import HASH_LEN
from ledger.merkle.flat.record import HEAD, TOP_SHIFT
from ledger.merkle.node import EMPTY, INNER_TAG, sha256
from ledger.store import schema

MAX_RECORDS = 40_000
"""Records one fill keeps at most: a block of 10,000 changed keys at a million keys reads
about 15,500 below the pinned top (7.9 MB), one of 20,000 about twice that."""
MAX_BYTES = 32 << 20
"""Bytes of records one fill keeps at most (a record at a million keys is 0.2 to 1.5 KB)."""

Memory = tuple[Mapping[bytes, bytes], Mapping[bytes, bytes]]
"""The records in memory: the pinned top, and the block's writes (an empty value: released)."""
_Frontier = list[tuple[bytes, int, int, int]]
"""Records still to read: (hash, nibble depth, the sorted paths [lo, hi) routed to it)."""


class ReadAhead:
    """The records read ahead for the next update, and the thread that reads them."""

    __slots__ = (
        "_paths",
        "_thread",
        "_walk",
        "complete",
        "filled",
        "finish_fills",
        "hits",
        "max_bytes",
        "max_records",
        "read",
        "records",
        "root",
    )

    def __init__(self, max_records: int = MAX_RECORDS, max_bytes: int = MAX_BYTES) -> None:
        self.max_records = max_records
        self.max_bytes = max_bytes
        self.records: dict[bytes, bytes] = {}
        """The cache: hash -> record, each checked."""
        self._paths: list[int] = []
        self._walk: _Walk | None = None
        self._thread: threading.Thread | None = None
        self.root = EMPTY
        """The root the cache was last filled for."""
        self.hits = 0
        """Records updates took from the cache, so far (for tests and metrics)."""
        self.read = 0
        """Records fills read from LevelDB, so far (for tests and metrics)."""
        self.filled = 0
        """Records the last fill put in the cache."""
        self.complete = False
        """The last fill found every record it looked for before it was stopped or bounded."""
        self.finish_fills = False
        """`stop` waits for the fill to end by itself (tests: a fill then reads all it can)."""

    def nbytes(self) -> int:
        """The bytes the cache holds (for tests and metrics)."""
        return sum(map(len, self.records.values()))

    def take(self, record_hash_: bytes) -> bytes | None:
        """The record, if a fill read it (checked); it leaves the cache."""
        record = self.records.pop(record_hash_, None)
        if record is not None:
            self.hits += 1
        return record

    def expect(self, keys: Iterable[bytes]) -> None:
        """The keys the next update will change, as far as the caller can tell: the next
        `start` reads the records on their paths (hashed and sorted here, on the caller's
        thread, so that the fill spends the write's time on reads)."""
        self._paths = sorted({int.from_bytes(sha256(key).digest(), "big") for key in keys})

    def start(self, root: bytes, memory: Memory, db: Any, pinned_levels: int) -> None:
        """Drop the last fill's records and, if keys are expected, read the records on their
        paths under `root` on a thread of its own until `stop`: from `memory` where it holds
        them, else from `db`. It keeps what it read from `db`, and the records of `memory`
        below the top `pinned_levels` (the store pins the top ones)."""
        self.drop()
        paths, self._paths = self._paths, []
        self.root = root
        if not paths or root == EMPTY:
            return
        walk = _Walk(self.records, (self.max_records, self.max_bytes), pinned_levels)
        self._walk = walk
        self._thread = threading.Thread(
            target=self._fill,
            args=(root, paths, memory, db, walk),
            name="merkle-read-ahead",
            daemon=True,
        )
        self._thread.start()

    def stop(self) -> None:
        """End the fill in flight, if any, and wait until it has (within one record's read)."""
        if self._walk is not None and not self.finish_fills:
            self._walk.stopped = True
        if self._thread is not None:
            self._thread.join()
            self._thread = None

    def drop(self) -> None:
        """Stop the fill and forget every record it read."""
        self.stop()
        self.records = {}

    def _fill(self, root: bytes, paths: list[int], memory: Memory, db: Any, walk: _Walk) -> None:
        frontier: _Frontier = [(root, 0, 0, len(paths))]
        while frontier and not walk.stopped:
            frontier = walk.level(paths, frontier, memory, db.get)
        self.read += walk.read
        self.filled = walk.kept
        self.complete = not walk.stopped


class _Walk:
    """One fill's walk down the tree, a level at a time (each level's reads sorted by hash:
    neighbours in LevelDB's tables, a get about 15 % cheaper than in random order)."""

    __slots__ = ("kept", "nbytes", "pinned_levels", "read", "records", "room", "stopped")

    def __init__(self, records: dict[bytes, bytes], room: tuple[int, int], pinned: int) -> None:
        self.records = records
        self.room = room
        self.pinned_levels = pinned
        self.stopped = False
        """Set by `ReadAhead.stop` (another thread), or here once a bound is reached."""
        self.kept = 0
        self.nbytes = 0
        self.read = 0

    def level(
        self,
        paths: list[int],
        frontier: _Frontier,
        memory: Memory,
        get: Callable[..., bytes | None],
    ) -> _Frontier:
        """Read the records of `frontier` and return the next level's."""
        records, (pinned, written), node = self.records, memory, schema.NODE
        max_records, max_bytes = self.room
        below: _Frontier = []
        frontier.sort()
        for hash_, depth, first, hi in frontier:
            if self.stopped or self.kept >= max_records:
                self.stopped = True
                break
            record = written.get(hash_) or pinned.get(hash_)
            if not record:  # not in memory: LevelDB's, unless the write released it (not yet)
                record = get(node + hash_, verify_checksums=True)
                self.read += 1
                if record is None or record[0] != INNER_TAG or len(record) < HEAD:
                    continue  # a leaf is only ever the root, which the update reads itself
                head = HEAD + HASH_LEN * (record[1] << 8 | record[2]).bit_count()
                if len(record) < head or sha256(record[:head]).digest() != hash_:
                    continue  # corrupt: the update reads it itself, and raises
            elif depth < self.pinned_levels or hash_ in records:
                below += _routed(record, paths, depth, first, hi)  # pinned once committed
                continue
            if self.nbytes + len(record) > max_bytes:
                self.stopped = True
                break
            records[hash_] = record  # (block N's own: the update finds it in LevelDB)
            self.kept += 1
            self.nbytes += len(record)
            below += _routed(record, paths, depth, first, hi)
        return below


def _routed(record: bytes, paths: list[int], depth: int, lo: int, hi: int) -> _Frontier:
    """The inner children of `record` (at nibble `depth`) that paths[lo:hi] go down to."""
    if record[0] != INNER_TAG:
        return []
    masks = int.from_bytes(record[1:5], "big")
    bitmap = masks >> 16
    inner = bitmap & ~masks
    shift = TOP_SHIFT - 4 * depth
    out: _Frontier = []
    while lo < hi:
        prefix = paths[lo] >> shift
        nib = prefix & 15
        mid = lo + 1 if hi - lo == 1 else bisect_left(paths, (prefix + 1) << shift, lo, hi)
        if inner >> nib & 1:
            at = HEAD + HASH_LEN * (bitmap & ((1 << nib) - 1)).bit_count()
            out.append((record[at : at + HASH_LEN], depth + 1, lo, mid))
        lo = mid
    return out
