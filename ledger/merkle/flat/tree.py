"""Batched, pure updates of the flat 16-ary state tree (records: ledger/merkle/flat/record.py).

`update` applies a whole block's changes at once: the changed paths are sorted once and walked
down from the root together, splitting the sorted run at each inner node by bisection on the
path's nibble, so every record on a shared prefix is read, rehashed and written once per block.
Below the shared top a changed key usually has its path to itself: a key set to a new value
there is walked down in a loop and its records cut and joined again on the way up (`_set_one`),
as nothing on such a path can change shape above the record where the key's leaf lands.

Nothing is mutated: records are content-addressed and never overwritten, so old roots stay
readable, and `update_tracked` says which old records the new tree no longer holds.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Mapping

from ledger.hashing import HASH_LEN
from ledger.merkle.batch import Batch
from ledger.merkle.flat.record import (
    FANOUT,
    HEAD,
    INNER,
    LEAF,
    NIBBLES,
    TOP_SHIFT,
    Child,
    MemoryRecordStore,
    RecordReader,
    child_at,
    child_hash,
    children,
    encode,
    leaf_of,
    read_root,
)
from ledger.merkle.node import EMPTY, INNER_TAG, MerkleError, sha256

Writes = dict[bytes, bytes]
"""The records a block writes: hash -> record."""
_Items = list[tuple[int, bytes, bytes | None]]
_LOW = 0xFFFF


def update(
    nodes: RecordReader, root: bytes, changes: Mapping[bytes, bytes | None]
) -> tuple[bytes, Writes]:
    """Apply `changes` (key -> new value, None deletes) to the tree under `root`.

    Returns the new root and the records to store (hash -> record). Raises `MerkleError` if a
    record under `root` is missing from `nodes` or malformed.
    """
    new_root, writes, _ = update_tracked(nodes, root, changes)
    return new_root, writes


def update_tracked(
    nodes: RecordReader, root: bytes, changes: Mapping[bytes, bytes | None]
) -> tuple[bytes, Writes, set[bytes]]:
    """`update`, plus the records of the old tree that the new one no longer holds (what a
    pruning store may delete once no root it keeps needs them)."""
    hashed = {
        sha256(key).digest(): None if value is None else sha256(value).digest()
        for key, value in changes.items()
    }
    if not hashed:
        return root, {}, set()
    old, record = read_root(nodes, root)
    updater = _Updater(nodes, Batch.of(hashed), root, record)
    new = updater.apply(old, 0, 0, len(hashed))
    new_root = child_hash(new)
    if type(new) is tuple and new_root != root:  # a lone leaf is the root: stored as a record
        updater.writes[new_root] = LEAF + new[1] + new[2]
    if type(old) is tuple and new_root != root:  # the old root was a leaf record
        updater.replaced.add(root)
    return new_root, updater.writes, updater.replaced - updater.writes.keys()


def root_of(state: Mapping[bytes, bytes]) -> bytes:
    """The root of the tree holding exactly `state`, built in memory."""
    return update(MemoryRecordStore(), EMPTY, state)[0]


class _Updater:
    __slots__ = ("batch", "get", "replaced", "root", "root_record", "writes")

    def __init__(
        self, nodes: RecordReader, batch: Batch, root: bytes, root_record: bytes | None
    ) -> None:
        self.get = nodes.get_record
        self.batch = batch
        self.root = root
        self.root_record = root_record
        """Read once to tell a leaf root from an inner one; the walk starts with it."""
        self.writes: Writes = {}
        self.replaced: set[bytes] = set()
        """Old inner records whose place the new tree holds otherwise (or not at all)."""

    def _read(self, hash_: bytes) -> bytes:
        record = self.root_record if hash_ is self.root else self.get(hash_)
        if (
            record is None
            or len(record) < HEAD
            or record[0] != INNER_TAG
            or len(record) < HEAD + HASH_LEN * (record[1] << 8 | record[2]).bit_count()
        ):
            raise _bad(hash_, record)
        return record

    def apply(self, old: Child, depth: int, lo: int, hi: int) -> Child:
        """The new subtree at nibble `depth` that was `old`, after batch[lo:hi] (not empty, all
        routed here)."""
        batch = self.batch
        if old is None:
            return self.build(batch.inserts(lo, hi), depth)
        if type(old) is tuple:
            key_hash = old[1]
            paths = batch.paths
            if hi - lo == 1 and paths[lo] == key_hash:  # that key changes
                vhash = batch.values[lo]
                return None if vhash is None else leaf_of(key_hash, vhash)
            merged = batch.inserts(lo, hi)
            if key_hash not in paths[lo:hi]:
                if not merged:
                    return old  # only deletes of absent keys reached this leaf
                merged.append((int.from_bytes(key_hash, "big"), key_hash, old[2]))
                merged.sort()
            return self.build(merged, depth)
        assert type(old) is bytes
        if depth >= NIBBLES:
            raise MerkleError("Merkle tree deeper than 64 nibbles")
        if hi - lo == 1 and batch.values[lo] is not None:
            return self._set_one(old, depth, lo)
        return self._node(old, self._read(old), depth, lo, hi)

    def _node(self, hash_: bytes, record: bytes, depth: int, lo: int, hi: int) -> Child:
        """An inner node with batch[lo:hi] (two or more changes, or a delete) routed below."""
        ints = self.batch.ints
        values = self.batch.values
        shift = TOP_SHIFT - 4 * depth
        masks = int.from_bytes(record[1:5], "big")
        bitmap = masks >> 16
        inner = bitmap & ~masks
        at = HEAD + HASH_LEN * bitmap.bit_count()
        new: dict[int, Child] = {}
        spliced: list[bytes] = []  # the head cut around each new inner child's hash
        cut = 0
        simple = True  # every change lands in an inner child, which stays inner
        while lo < hi:
            prefix = ints[lo] >> shift
            nib = prefix & 15
            mid = bisect_left(ints, (prefix + 1) << shift, lo, hi)
            if inner >> nib & 1:
                offset = HEAD + HASH_LEN * (bitmap & ((1 << nib) - 1)).bit_count()
                child = record[offset : offset + HASH_LEN]
                if mid - lo == 1 and values[lo] is not None:
                    kid: Child = self._set_one(child, depth + 1, lo)
                else:
                    kid = self.apply(child, depth + 1, lo, mid)
                    simple = simple and type(kid) is bytes
                spliced += (record[cut:offset], kid)  # type: ignore[arg-type]  # used if simple
                cut = offset + HASH_LEN
            else:
                kid = self.apply(child_at(record, nib), depth + 1, lo, mid)
                simple = False
            new[nib] = kid
            lo = mid
        if simple:  # splice the new hashes into the record; its leaves stay as they are
            spliced.append(record[cut:at])
            head = b"".join(spliced)
            new_hash = sha256(head).digest()
            if new_hash != hash_:
                self.writes[new_hash] = head + record[at:]
                self.replaced.add(hash_)
            return new_hash
        kids = children(record)
        for nib, kid in new.items():
            kids[nib] = kid
        present = [kid for kid in kids if kid is not None]
        if not present:
            self.replaced.add(hash_)
            return None
        if len(present) == 1 and type(present[0]) is tuple:
            self.replaced.add(hash_)
            return present[0]  # a lone leaf rises to where a fresh tree would hold it
        new_hash, new_record = encode(kids)
        if new_hash != hash_:
            self.writes[new_hash] = new_record
            self.replaced.add(hash_)
        return new_hash

    def _set_one(self, hash_: bytes, depth: int, i: int) -> bytes:
        """One key set (not deleted) below this inner node, the common case below the top: its
        path is walked down in a loop and the records on it cut and joined again on the way up,
        as nothing on the way can collapse (a set never removes a child)."""
        batch = self.batch
        path = batch.ints[i]
        key_hash = batch.paths[i]
        vhash = batch.values[i]
        assert vhash is not None  # _set_one only sees a set
        top = hash_
        trail: list[tuple[bytes, bytes, int, int]] = []
        shift = TOP_SHIFT - 4 * depth
        get, root = self.get, self.root
        while True:  # each record read is checked as `_read` does, inline
            record = self.root_record if hash_ is root else get(hash_)
            if record is None or len(record) < HEAD or record[0] != INNER_TAG:
                raise _bad(hash_, record)
            bitmap = record[1] << 8 | record[2]
            at = HEAD + HASH_LEN * bitmap.bit_count()
            if len(record) < at:
                raise _bad(hash_, record)
            bit = 1 << ((path >> shift) & 15)
            masks = bitmap << 16 | record[3] << 8 | record[4]
            offset = HEAD + HASH_LEN * (bitmap & (bit - 1)).bit_count()
            if bitmap & ~masks & bit:  # an inner child: go down
                trail.append((hash_, record, offset, at))
                hash_ = record[offset : offset + HASH_LEN]
                shift -= 4
                if shift < 0:
                    raise MerkleError("Merkle tree deeper than 64 nibbles")
                continue
            lat = at + 2 * HASH_LEN * (masks & _LOW & (bit - 1)).bit_count()
            if not bitmap & bit:  # an empty slot: the new leaf goes there
                leaf = sha256(LEAF + key_hash + vhash).digest()
                masks |= bit << 16 | bit
                head = b"".join(
                    (INNER, masks.to_bytes(4, "big"), record[HEAD:offset], leaf, record[offset:at])
                )
                new_record = b"".join((head, record[at:lat], key_hash, vhash, record[lat:]))
            elif record[lat : lat + HASH_LEN] == key_hash:  # its own leaf: a new value
                if record[lat + HASH_LEN : lat + 2 * HASH_LEN] == vhash:
                    return top
                leaf = sha256(LEAF + key_hash + vhash).digest()
                head = b"".join((record[:offset], leaf, record[offset + HASH_LEN : at]))
                new_record = b"".join(
                    (head, record[at : lat + HASH_LEN], vhash, record[lat + 2 * HASH_LEN :])
                )
            else:  # another key's leaf: both go one level down, in a new subtree
                other = record[lat : lat + HASH_LEN]
                pair: _Items = sorted(
                    [
                        (path, key_hash, vhash),
                        (int.from_bytes(other, "big"), other, record[lat + HASH_LEN : lat + 64]),
                    ]
                )
                below = self.build(pair, (TOP_SHIFT - shift) // 4 + 1)
                assert type(below) is bytes  # two keys: an inner node
                masks ^= bit
                head = b"".join(
                    (
                        INNER,
                        masks.to_bytes(4, "big"),
                        record[HEAD:offset],
                        below,
                        record[offset + HASH_LEN : at],
                    )
                )
                new_record = b"".join((head, record[at:lat], record[lat + 2 * HASH_LEN :]))
            break
        new_hash = sha256(head).digest()
        writes = self.writes
        replaced = self.replaced
        writes[new_hash] = new_record
        replaced.add(hash_)
        while trail:
            hash_, record, offset, at = trail.pop()
            head = b"".join((record[:offset], new_hash, record[offset + HASH_LEN : at]))
            new_hash = sha256(head).digest()
            writes[new_hash] = head + record[at:]
            replaced.add(hash_)
        return new_hash

    def build(self, items: _Items, depth: int) -> Child:
        """A fresh subtree at `depth` holding `items` (sorted inserts): jumps to the depth where
        the first and last paths part, then wraps that node in one-child nodes up to `depth`."""
        if not items:
            return None
        if len(items) == 1:
            _, key_hash, vhash = items[0]
            assert vhash is not None  # build only sees inserts
            return leaf_of(key_hash, vhash)
        first = items[0][0]
        diff = first ^ items[-1][0]
        if diff == 0:
            raise MerkleError("two changes share one 256-bit path")
        branch = (8 * HASH_LEN - diff.bit_length()) // 4
        shift = TOP_SHIFT - 4 * branch
        kids: list[Child] = [None] * FANOUT
        start = 0
        while start < len(items):
            prefix = items[start][0] >> shift
            end = start + 1
            while end < len(items) and items[end][0] >> shift == prefix:
                end += 1
            kids[prefix & 15] = self.build(items[start:end], branch + 1)
            start = end
        hash_, record = encode(kids)
        self.writes[hash_] = record
        for level in range(branch - 1, depth - 1, -1):
            kids = [None] * FANOUT
            kids[(first >> (TOP_SHIFT - 4 * level)) & 15] = hash_
            hash_, record = encode(kids)
            self.writes[hash_] = record
        return hash_


def _bad(hash_: bytes, record: bytes | None) -> MerkleError:
    """The error for a record that is missing or not an inner record."""
    if record is None:
        return MerkleError(f"missing Merkle record {hash_.hex()}")
    return MerkleError(f"corrupt Merkle record {hash_.hex()}")
