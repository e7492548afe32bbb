"""The store's state tree: the flat 16-ary tree (ledger/merkle/flat) over its records in LevelDB
(`RecordStore`, ledger/store/records.py), with the top of the current tree pinned.

What `Store` needs of its tree in one place: the update from a root, the root of a whole state,
and the pinning of the records a commit makes current. Its records are schema version 4
(`schema.SCHEMA_VERSION`): a database of an older schema, the binary tree's pages, is refused
at open ("sync the node again").
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ledger.merkle import flat
from ledger.store.records import RecordStore

Changes = Mapping[bytes, bytes | None]
Tracked = tuple[bytes, dict[bytes, bytes], set[bytes]]


class FlatTree:
    """The flat 16-ary tree's records: what the node's update and the API's proofs walk."""

    __slots__ = ("records",)

    def __init__(self, records: RecordStore) -> None:
        self.records = records

    @property
    def disk_reads(self) -> int:
        """Records read from LevelDB so far."""
        return self.records.disk_reads

    def has_root(self, root: bytes) -> bool:
        """The record store holds the record stored under `root`."""
        return self.records.has_record(root)

    def warm(self, root: bytes) -> None:
        self.records.warm(root)

    def advance(self, old_root: bytes, new_root: bytes, writes: Mapping[bytes, bytes]) -> None:
        self.records.advance(old_root, new_root, writes)

    def new_pinned(self, new_root: bytes, writes: Mapping[bytes, bytes]) -> set[bytes]:
        """The records of `writes` that `advance` to `new_root` keeps in memory (the rest a
        block's write releases once in its batch: ledger/store/block_write.py)."""
        return self.records.new_pinned(new_root, writes)

    def read_from(self, source: Any) -> None:
        self.records.read_from(source)

    def update_tracked(self, root: bytes, changes: Changes) -> Tracked:
        """The new root, the records to write and the old ones the new tree no longer holds."""
        return flat.update_tracked(self.records, root, changes)

    def root_of(self, state: Mapping[bytes, bytes]) -> bytes:
        return flat.root_of(state)

    def prove(self, root: bytes, key: bytes) -> flat.FlatProof:
        """The proof of `key` against `root` (format version 2), read through the records."""
        return flat.prove(self.records, root, key)
