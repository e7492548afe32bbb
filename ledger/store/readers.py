"""Read views over the committed part of the database: state values and Merkle nodes.

`CommittedState` is the `StateReader` the state machine executes on; `NodeStore` is the Merkle
`NodeReader` that `ledger.merkle.update` and `prove` walk. Both read straight from LevelDB, so
they always see the last committed block (LevelDB applies a write batch atomically).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from ledger.merkle.node import EMPTY, INNER_TAG, MerkleError, sha256
from ledger.store import schema

PIN_DEPTH = 16


_MISSING = object()
CACHE_ENTRIES = 500_000


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
    """Merkle nodes by hash, with the top levels of the current tree pinned in memory.

    Every block's update walks the top of the tree, and below about log2(changes) levels each
    changed key has its own path, so the nodes worth keeping out of LevelDB are exactly the top
    levels of the current tree. `warm` reads them at open; `advance` keeps them current: after a
    commit it walks the old and the new root together through the changed nodes only, pinning the
    new ones above `pin_depth` and unpinning the ones they replace. Nodes are content-addressed
    and never change, so a pinned node can never be stale; at most 2^pin_depth nodes are pinned
    (about 13 MB at depth 16, reached from about 65,000 keys; warming them takes about a second).
    """

    __slots__ = ("_db", "_pin_depth", "_pinned")

    def __init__(self, db: Any, pin_depth: int = PIN_DEPTH) -> None:
        self._db = db
        self._pinned: dict[bytes, bytes] = {}
        self._pin_depth = pin_depth

    def get_node(self, node_hash: bytes) -> bytes | None:
        """The node's encoding; raises `MerkleError` if the stored bytes do not hash to it."""
        data = self._pinned.get(node_hash)
        if data is None:
            data = self._db.get(schema.NODE + node_hash)
            if data is not None and sha256(data).digest() != node_hash:
                raise MerkleError(f"corrupt Merkle node {node_hash.hex()} in the database")
        return data

    def has_node(self, node_hash: bytes) -> bool:
        return self.get_node(node_hash) is not None

    def pinned(self) -> set[bytes]:
        """The hashes of the pinned nodes (for tests and metrics)."""
        return set(self._pinned)

    def warm(self, root: bytes) -> None:
        """Pin the top levels of the tree under `root`, read from LevelDB (once, at open)."""
        level = [root]
        for _ in range(self._pin_depth):
            below: list[bytes] = []
            for node_hash in level:
                data = self.get_node(node_hash) if node_hash != EMPTY else None
                if data is None:
                    continue
                self._pinned[node_hash] = data
                if data[0] == INNER_TAG:
                    below += (data[1:33], data[33:65])
            level = below

    def advance(self, old_root: bytes, new_root: bytes, writes: Mapping[bytes, bytes]) -> None:
        """Pin the new top nodes of a committed block (`writes` must be durably stored)."""
        self._swap(old_root, new_root, 0, writes)

    def _swap(
        self, old: bytes | None, new: bytes | None, depth: int, writes: Mapping[bytes, bytes]
    ) -> None:
        """`old` None: nothing is pinned below here; `new` None: nothing new below here."""
        if old == new or depth >= self._pin_depth:
            return
        old_data = self._pinned.pop(old, None) if old is not None else None
        new_data = writes.get(new) if new is not None else None
        if new is not None and new_data is not None:
            self._pinned[new] = new_data
        old_left, old_right = _children(old_data)
        new_left, new_right = _children(new_data)
        if old_left is not None or new_left is not None:
            self._swap(old_left, new_left, depth + 1, writes)
            self._swap(old_right, new_right, depth + 1, writes)


def _children(data: bytes | None) -> tuple[bytes | None, bytes | None]:
    if data is None or data[0] != INNER_TAG:
        return None, None
    return data[1:33], data[33:65]
