"""The flat tree's records in LevelDB, with the top of the current tree pinned in memory.

The store's state tree (`Store.tree`): the flat 16-ary tree (ledger/merkle/flat/) over its
records under the `n` prefix, the `RecordReader` that its update and proofs walk. Schema version
4 (`schema.SCHEMA_VERSION`): a database of an older schema, the binary tree's pages, is refused
at open ("sync the node again").

Every block's update walks the top of the tree, and below about log16(changes) levels each
changed key has its own path, so the records worth keeping out of LevelDB are exactly the top
ones of the current tree: `warm` reads them at open (checking each whole), `advance` keeps them
current after a commit by walking the old and the new root together through the changed records
only. With 4 nibble levels that is at most 4,369 records (about 2.2 MiB at a million keys).
Records are
content-addressed and never change, so a pinned record cannot be stale.

A record read from LevelDB is checked by hashing its head (its key); its leaf children's key and
value hashes are covered by LevelDB's block checksums (read with `verify_checksums`), by the
whole-record check of `warm`, and for a wallet by the proof it verifies itself.

Records are read without filling LevelDB's block cache (`fill_cache=False`): below the pinned top
a block's reads are random over the whole tree, so a cached block is seldom read again (a block
of 10,000 changed keys reads about 15,500 records at a million keys, against about 2,000 blocks
the 8 MiB cache holds), and each fill costs the read about 0.6 µs; the cache is left to the
state values. The records a block just wrote are read from the memtable, outside that cache.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ledger.hashing import HASH_LEN
from ledger.merkle.flat.proof import FlatProof, prove
from ledger.merkle.flat.record import FANOUT, HEAD, check_record, children_of, record_hash
from ledger.merkle.flat.tree import root_of, update_tracked
from ledger.merkle.node import EMPTY, INNER_TAG, MerkleError, sha256
from ledger.store import schema

_NODE = schema.NODE
Changes = Mapping[bytes, bytes | None]
Tracked = tuple[bytes, dict[bytes, bytes], set[bytes]]
PIN_LEVELS = 4
"""Nibble levels of the current tree kept in memory."""


class RecordStore:
    """Flat tree records by hash, the top `pin_levels` nibble levels of the current tree pinned."""

    __slots__ = ("_db", "_pin_levels", "_pinned", "disk_reads")

    def __init__(self, db: Any, pin_levels: int = PIN_LEVELS) -> None:
        self._db = db
        self._pinned: dict[bytes, bytes] = {}
        self._pin_levels = pin_levels
        self.disk_reads = 0
        """Records read from LevelDB so far (for benchmarks and metrics)."""

    def get_record(self, record_hash_: bytes) -> bytes | None:
        """The record; raises `MerkleError` if the stored bytes do not hash to its key."""
        record = self._pinned.get(record_hash_)
        if record is None:
            self.disk_reads += 1
            record = self._db.get(_NODE + record_hash_, verify_checksums=True, fill_cache=False)
            if record is None:
                return None
            # `record_hash` inline for an inner record (nearly every read: a leaf is stored
            # only as a root): its head is hashed without the calls
            if (
                len(record) >= HEAD
                and record[0] == INNER_TAG
                and len(record)
                >= (head := HEAD + HASH_LEN * (record[1] << 8 | record[2]).bit_count())
            ):
                stored: bytes | None = sha256(record[:head]).digest()
            else:
                try:
                    stored = record_hash(record)
                except MerkleError:
                    stored = None
            if stored != record_hash_:
                raise MerkleError(f"corrupt Merkle record {record_hash_.hex()} in the database")
        return record

    def read_from(self, source: Any) -> None:
        """Read records through `source` from now on (the database or a snapshot of it)."""
        self._db = source

    def has_record(self, record_hash_: bytes) -> bool:
        return self.get_record(record_hash_) is not None

    def update_tracked(self, root: bytes, changes: Changes) -> Tracked:
        """The new root, the records to write and the old ones the new tree no longer holds
        (`ledger.merkle.flat.update_tracked` over these records)."""
        return update_tracked(self, root, changes)

    @staticmethod
    def root_of(state: Mapping[bytes, bytes]) -> bytes:
        """The root of a tree holding exactly `state`, built in memory."""
        return root_of(state)

    def prove(self, root: bytes, key: bytes) -> FlatProof:
        """The proof of `key` against `root` (format version 2), read through these records."""
        return prove(self, root, key)

    def pinned(self) -> set[bytes]:
        """The hashes of the pinned records (for tests and metrics)."""
        return set(self._pinned)

    def pinned_bytes(self) -> int:
        """The size of the pinned records (for tests and metrics)."""
        return sum(map(len, self._pinned.values()))

    def warm(self, root: bytes) -> None:
        """Pin the top records of the tree under `root`, read from LevelDB and each checked whole
        (at open)."""
        self._pinned = {}
        level = [root] if root != EMPTY else []
        for depth in range(self._pin_levels):
            below: list[bytes] = []
            last = depth + 1 == self._pin_levels  # its children are not pinned
            for hash_ in level:
                record = self.get_record(hash_)
                if record is None:
                    raise MerkleError(f"missing Merkle record {hash_.hex()}")
                check_record(hash_, record)
                self._pinned[hash_] = record
                if not last:
                    below += children_of(record)
            level = below

    def new_pinned(self, new_root: bytes, writes: Mapping[bytes, bytes]) -> set[bytes]:
        """The records of `writes` that `advance(old, new_root, writes)` may pin: the written
        records of the top `pin_levels` of the tree under `new_root` (a record not written has
        no written record below it: the tree is content-addressed). The rest of a block's
        records are needed only in its write batch (`block_write.write` releases them there)."""
        keep: set[bytes] = set()
        if not self._pin_levels:
            return keep
        level = [new_root]
        for _ in range(self._pin_levels - 1):
            below: list[bytes] = []
            for hash_ in level:
                record = writes.get(hash_)
                if record is None or hash_ in keep:
                    continue
                keep.add(hash_)
                below += children_of(record)
            level = below
        keep.update(hash_ for hash_ in level if hash_ in writes)  # the last level: no children
        return keep

    def advance(self, old_root: bytes, new_root: bytes, writes: Mapping[bytes, bytes]) -> None:
        """Pin the new top records of a committed block (`writes` must be durably stored)."""
        self._swap(
            None if old_root == EMPTY else old_root,
            None if new_root == EMPTY else new_root,
            0,
            writes,
        )

    def _swap(
        self, old: bytes | None, new: bytes | None, depth: int, writes: Mapping[bytes, bytes]
    ) -> None:
        """`old` None: nothing is pinned below here; `new` None: nothing new below here."""
        if old == new or depth >= self._pin_levels:
            return
        pinned = self._pinned
        old_record = pinned.pop(old, None) if old is not None else None
        new_record = None if new is None else pinned.setdefault(new, self._written(new, writes))
        if depth + 1 >= self._pin_levels:
            return
        last = depth + 2 >= self._pin_levels  # the children are the last pinned level
        for old_child, new_child in zip(
            _inner_children(old_record), _inner_children(new_record), strict=True
        ):
            if old_child == new_child:
                continue
            if not last:
                self._swap(old_child, new_child, depth + 1, writes)
                continue
            if old_child is not None:  # the last level inline: 4,096 records a block at 1M
                pinned.pop(old_child, None)
            if new_child is not None:
                pinned[new_child] = self._written(new_child, writes)

    def _written(self, hash_: bytes, writes: Mapping[bytes, bytes]) -> bytes:
        """A record of the new tree: written by the block, or else stored before (an update
        writes every record it makes, so only a caller's own `writes` can miss one)."""
        record = writes.get(hash_)
        if record is None:
            record = self.get_record(hash_)
            if record is None:
                raise MerkleError(f"missing Merkle record {hash_.hex()}")
        return record


_NONE: list[bytes | None] = [None] * FANOUT


def _inner_children(record: bytes | None) -> list[bytes | None]:
    """The hash of the record below `record` at each nibble, None where no inner node is (one
    pass over the record: `advance` compares the old and the new record's, about 270 pairs per
    block of 10,000 keys)."""
    if record is None or record[0] != INNER_TAG:
        return _NONE
    masks = int.from_bytes(record[1:5], "big")
    bitmap = masks >> 16
    out: list[bytes | None] = [None] * FANOUT
    offset = HEAD
    for nib in range(FANOUT):
        if bitmap >> nib & 1:
            if not masks >> nib & 1:
                out[nib] = record[offset : offset + HASH_LEN]
            offset += HASH_LEN
    return out
