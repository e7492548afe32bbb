"""Which state tree a store holds: the binary tree's pages (schema 3, the chain's tree) or the
flat 16-ary tree's records (schema 4, not yet the chain's: docs/ledger.md, "Next: the flat
16-ary tree").

A `StateTree` is what `Store` needs of its tree: its reader of stored nodes with the top pinned
(`NodeStore` or `RecordStore`), the update from a root, and the root of a whole state. The
schema version goes with it, so a database of one tree is refused by a store of the other
("sync the node again"), as any schema change is. Proofs are not here yet: the API's proof view
and the light client switch to format version 2 with the store (phase 2).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from contextlib import AbstractContextManager, nullcontext
from typing import Any, Protocol

from ledger.merkle import flat
from ledger.merkle import root_of as binary_root_of
from ledger.merkle import update_tracked as binary_update_tracked
from ledger.store import schema
from ledger.store.readers import NodeStore
from ledger.store.records import RecordStore

Changes = Mapping[bytes, bytes | None]
Tracked = tuple[bytes, dict[bytes, bytes], set[bytes]]

BINARY_SCHEMA = schema.SCHEMA_VERSION
FLAT_SCHEMA = 4


class StateTree(Protocol):
    """A store's state tree: its stored nodes (pinned top, reads counted) and its update."""

    @property
    def schema_version(self) -> int: ...

    @property
    def disk_reads(self) -> int:
        """Nodes read from LevelDB so far."""
        ...

    def has_root(self, root: bytes) -> bool:
        """The node store holds the node stored under `root`."""
        ...

    def warm(self, root: bytes) -> None: ...

    def advance(self, old_root: bytes, new_root: bytes, writes: Mapping[bytes, bytes]) -> None: ...

    def new_pinned(self, new_root: bytes, writes: Mapping[bytes, bytes]) -> set[bytes]:
        """The nodes of `writes` that `advance` to `new_root` keeps in memory (the rest a
        block's write releases once in its batch: ledger/store/block_write.py)."""
        ...

    def read_from(self, source: Any) -> None: ...

    def expect(self, keys: Iterable[bytes]) -> None:
        """The keys the next update is expected to change (ledger/store/readahead.py)."""
        ...

    def reading_ahead(
        self, root: bytes, written: Mapping[bytes, bytes]
    ) -> AbstractContextManager[object]:
        """While inside, the records of the expected keys under `root` are read ahead."""
        ...

    def update_tracked(self, root: bytes, changes: Changes) -> Tracked:
        """The new root, the records to write and the old ones the new tree no longer holds."""
        ...

    def root_of(self, state: Mapping[bytes, bytes]) -> bytes: ...


class BinaryTree:
    """The binary tree's pages (ledger/merkle): the chain's tree."""

    schema_version = BINARY_SCHEMA

    def __init__(self, nodes: NodeStore) -> None:
        self.nodes = nodes

    @property
    def disk_reads(self) -> int:
        return self.nodes.disk_reads

    def has_root(self, root: bytes) -> bool:
        return self.nodes.has_page(root)

    def warm(self, root: bytes) -> None:
        self.nodes.warm(root)

    def advance(self, old_root: bytes, new_root: bytes, writes: Mapping[bytes, bytes]) -> None:
        self.nodes.advance(old_root, new_root, writes)

    def new_pinned(self, new_root: bytes, writes: Mapping[bytes, bytes]) -> set[bytes]:
        return self.nodes.new_pinned(new_root, writes)

    def read_from(self, source: Any) -> None:
        self.nodes.read_from(source)

    def expect(self, keys: Iterable[bytes]) -> None:
        pass  # the binary tree reads nothing ahead

    def reading_ahead(
        self, root: bytes, written: Mapping[bytes, bytes]
    ) -> AbstractContextManager[object]:
        return nullcontext()

    def update_tracked(self, root: bytes, changes: Changes) -> Tracked:
        return binary_update_tracked(self.nodes, root, changes)

    def root_of(self, state: Mapping[bytes, bytes]) -> bytes:
        return binary_root_of(state)


class FlatTree:
    """The flat 16-ary tree's records (ledger/merkle/flat): for tests and benchmarks until the
    switch."""

    schema_version = FLAT_SCHEMA

    def __init__(self, records: RecordStore) -> None:
        self.records = records

    @property
    def disk_reads(self) -> int:
        return self.records.disk_reads

    def has_root(self, root: bytes) -> bool:
        return self.records.has_record(root)

    def warm(self, root: bytes) -> None:
        self.records.warm(root)

    def advance(self, old_root: bytes, new_root: bytes, writes: Mapping[bytes, bytes]) -> None:
        self.records.advance(old_root, new_root, writes)

    def new_pinned(self, new_root: bytes, writes: Mapping[bytes, bytes]) -> set[bytes]:
        return self.records.new_pinned(new_root, writes)

    def read_from(self, source: Any) -> None:
        self.records.read_from(source)

    def expect(self, keys: Iterable[bytes]) -> None:
        self.records.ahead.expect(keys)

    def reading_ahead(
        self, root: bytes, written: Mapping[bytes, bytes]
    ) -> AbstractContextManager[object]:
        return self.records.reading_ahead(root, written)

    def update_tracked(self, root: bytes, changes: Changes) -> Tracked:
        return flat.update_tracked(self.records, root, changes)

    def root_of(self, state: Mapping[bytes, bytes]) -> bytes:
        return flat.root_of(state)
