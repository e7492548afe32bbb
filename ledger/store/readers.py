"""Read views over the committed part of the database: state values and Merkle nodes.

`CommittedState` is the `StateReader` the state machine executes on; `NodeStore` is the Merkle
`NodeReader` (of pages, ledger/merkle/page.py) that `ledger.merkle.update` and `prove` walk.
Both read straight from LevelDB, so they always see the last committed block (LevelDB applies a
write batch atomically), or from a snapshot of it while a block is written on another thread
(`Store.pin_reads`, ledger/store/block_write.py).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from ledger.hashing import HASH_LEN
from ledger.merkle.node import EMPTY, INNER_TAG, NODE_LEN, MerkleError, sha256
from ledger.merkle.page import (
    PAGE_BITS,
    SLOTS,
    Page,
    RawPage,
    check_page,
    child_pages,
)
from ledger.store import schema
from ledger.store.leveldb import STATE_CACHE_ENTRIES

PIN_DEPTH = 16


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


class NodeStore:
    """Merkle pages by their root's hash, with the top pages of the current tree pinned in memory.

    Every block's update walks the top of the tree, and below about log2(changes) levels each
    changed key has its own path, so the pages worth keeping out of LevelDB are exactly the top
    ones of the current tree. `warm` reads them at open (checking every node in them); `advance`
    keeps them current: after a commit it walks the old and the new root together through the
    changed pages only, pinning the new ones whose root lies above `pin_depth` and unpinning the
    ones they replace. Pages are content-addressed and never change, so a pinned page can never be
    stale. With pin depth 16 that is 4 levels of pages (at most 4,369, read and checked in about
    a second); the pages below cost one LevelDB read each. A pinned page is kept as read or
    written (`RawPage`: its encoded bytes, the very object of the block's write batch), 5.1 MiB at
    a million keys; decoded into dicts of entries they took 9.3 MiB, and a 20,000-tx block made
    about 65,000 small objects for the new ones.

    A page read from LevelDB is checked by hashing its root node (its key); the nodes below in
    the page are covered by LevelDB's block checksums (read with `verify_checksums`), by the
    whole-page check of `warm`, and for a wallet by the proof it verifies itself.
    """

    __slots__ = ("_db", "_pin_depth", "_pinned", "disk_reads")

    def __init__(self, db: Any, pin_depth: int = PIN_DEPTH) -> None:
        self._db = db
        self._pinned: dict[bytes, RawPage] = {}
        self._pin_depth = pin_depth
        self.disk_reads = 0
        """Pages read from LevelDB so far (for benchmarks and metrics)."""

    def get_page(self, page_hash: bytes) -> RawPage | None:
        """The decoded page; raises `MerkleError` if the stored bytes do not hash to its key."""
        page = self._pinned.get(page_hash)
        if page is None:
            self.disk_reads += 1
            data = self._db.get(schema.NODE + page_hash, verify_checksums=True)
            if data is None:
                return None
            page = RawPage(data)
            if sha256(data[4 : 4 + NODE_LEN]).digest() != page_hash:  # its root node (position 1)
                raise MerkleError(f"corrupt Merkle node {page_hash.hex()} in the database")
        return page

    def read_from(self, source: Any) -> None:
        """Read pages through `source` from now on (the database or a snapshot of it)."""
        self._db = source

    def has_page(self, page_hash: bytes) -> bool:
        return self.get_page(page_hash) is not None

    def pinned(self) -> set[bytes]:
        """The root hashes of the pinned pages (for tests and metrics)."""
        return set(self._pinned)

    def pinned_bytes(self) -> int:
        """The encoded size of the pinned pages (for tests and metrics)."""
        return sum(len(page.data) for page in self._pinned.values())

    def warm(self, root: bytes) -> None:
        """Pin the top pages of the tree under `root`, read from LevelDB and checked (at open)."""
        level = [root] if root != EMPTY else []
        for _ in range(0, self._pin_depth, PAGE_BITS):
            below: list[bytes] = []
            for page_hash in level:
                page = self.get_page(page_hash)
                if page is None:
                    raise MerkleError(f"missing Merkle node {page_hash.hex()}")
                check_page(page_hash, page)
                self._pinned[page_hash] = page
                below += child_pages(page).values()
            level = below

    def new_pinned(self, new_root: bytes, writes: Mapping[bytes, bytes]) -> set[bytes]:
        """The pages of `writes` that `advance(old, new_root, writes)` may pin: the written
        pages above `pin_depth` of the tree under `new_root` (a page not written has no written
        page below it: the tree is content-addressed). The rest of a block's pages are needed
        only in its write batch (`block_write.write` releases them once there)."""
        keep: set[bytes] = set()
        level = [new_root]
        for _ in range(0, self._pin_depth, PAGE_BITS):
            below: list[bytes] = []
            for page_hash in level:
                data = writes.get(page_hash)
                if data is None or page_hash in keep:
                    continue
                keep.add(page_hash)
                below += child_pages(RawPage(data)).values()
            level = below
        return keep

    def advance(self, old_root: bytes, new_root: bytes, writes: Mapping[bytes, bytes]) -> None:
        """Pin the new top pages of a committed block (`writes` must be durably stored)."""
        self._swap(old_root, new_root, 0, writes)

    def _swap(
        self, old: bytes | None, new: bytes | None, depth: int, writes: Mapping[bytes, bytes]
    ) -> None:
        """`old` None: nothing is pinned below here; `new` None: nothing new below here."""
        if old == new or depth >= self._pin_depth:
            return
        old_page = self._pinned.pop(old, None) if old is not None else None
        new_page: RawPage | None = None
        if new is not None and (data := writes.get(new)) is not None:
            new_page = self._pinned[new] = RawPage(data)
        if depth + PAGE_BITS >= self._pin_depth:
            return  # nothing below is pinned
        for position in range(SLOTS // 2, SLOTS):  # the parents of the pages below
            old_parent = None if old_page is None else old_page.get(position)
            new_parent = None if new_page is None else new_page.get(position)
            if old_parent == new_parent:
                continue  # the same node: the same pages below it
            for slot, side in ((2 * position, 1), (2 * position + 1, 33)):
                old_child = _child_page(old_page, old_parent, slot, side)
                new_child = _child_page(new_page, new_parent, slot, side)
                if old_child is not None or new_child is not None:
                    self._swap(old_child, new_child, depth + PAGE_BITS, writes)


def _child_page(page: Page | None, parent: bytes | None, slot: int, side: int) -> bytes | None:
    """The root of the page at bottom `slot` below `parent` (the entry above it), if any."""
    if page is None or parent is None or parent[0] != INNER_TAG or slot in page:
        return None
    child = parent[side : side + HASH_LEN]
    return None if child == EMPTY else child
