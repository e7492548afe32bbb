"""Read views over the committed part of the database: state values and Merkle nodes.

`CommittedState` is the `StateReader` the state machine executes on; `NodeStore` is the Merkle
`NodeReader` that `ledger.merkle.update` and `prove` walk. Both read straight from LevelDB, so
they always see the last committed block (LevelDB applies a write batch atomically).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from ledger.store import schema

NODE_CACHE_SIZE = 1 << 18  # nodes; about 50 MB at most


class CommittedState:
    """The committed state: `get` and sorted `iter_prefix` over the state prefix."""

    __slots__ = ("_db",)

    def __init__(self, db: Any) -> None:
        self._db = db

    def get(self, key: bytes) -> bytes | None:
        value: bytes | None = self._db.get(schema.STATE + key)
        return value

    def iter_prefix(self, prefix: bytes) -> Iterator[tuple[bytes, bytes]]:
        with self._db.iterator(prefix=schema.STATE + prefix) as items:
            for key, value in items:
                yield key[1:], value


class NodeStore:
    """Merkle nodes by hash, with a cache of recently read or written nodes.

    Nodes are content-addressed and never change, so a cached node can never be stale. The cache
    keeps the upper levels of the tree, which every block's update walks, out of LevelDB. It has
    two generations (no per-read LRU bookkeeping): when the young one is full it becomes the old
    one and the previous old one is dropped; a hit in the old generation moves back to the young.
    Callers must only `remember` nodes that are durably stored.
    """

    __slots__ = ("_db", "_generation_size", "_old", "_young")

    def __init__(self, db: Any, cache_size: int = NODE_CACHE_SIZE) -> None:
        self._db = db
        self._young: dict[bytes, bytes] = {}
        self._old: dict[bytes, bytes] = {}
        self._generation_size = max(1, cache_size // 2)

    def get_node(self, node_hash: bytes) -> bytes | None:
        data = self._young.get(node_hash)
        if data is None:
            data = self._old.get(node_hash)
            if data is None:
                data = self._db.get(schema.NODE + node_hash)
                if data is None:
                    return None
            self._put(node_hash, data)
        return data

    def has_node(self, node_hash: bytes) -> bool:
        return self.get_node(node_hash) is not None

    def remember(self, writes: Mapping[bytes, bytes]) -> None:
        """Cache a committed block's new nodes: the next block's update starts from them."""
        if len(writes) >= self._generation_size:
            return  # a huge block (a bulk load) would only flush the useful upper levels
        for node_hash, data in writes.items():
            self._put(node_hash, data)

    def _put(self, node_hash: bytes, data: bytes) -> None:
        if len(self._young) >= self._generation_size:
            self._old = self._young
            self._young = {}
        self._young[node_hash] = data
