"""A prototype 16-ary sparse Merkle tree with a flat node hash, for benchmarks/flat16_bench.py.

Not used by the node: it measures whether a flat 16-ary hash (one SHA-256 over a node's present
children, as issue 17 suggests after Diem's Jellyfish tree) would bring a block's state root at a
million keys under 150 ms. The tree of the chain is ledger/merkle (binary, docs/ledger.md).

Definition. The path of a key is SHA-256(key), read as 64 nibbles, most significant first. An
empty subtree is 32 zero bytes; a subtree holding one key is that key's leaf, at the shallowest
nibble depth where it is alone (a leaf shortcut); a subtree with two or more keys is an inner
node with up to 16 children. So the shape, and the root, are a function of the key/value set.

    leaf  = SHA-256(0x00 || key_hash || value_hash)                      (65-byte preimage)
    inner = SHA-256(0x01 || masks || hash of each present child, in nibble order)

`masks` is 4 bytes, big-endian: the high 16 bits are the bitmap of present children (bit i:
child i), the low 16 those of them that are leaves. The preimage holds only the present children
(5 + 32 n bytes; 517 for 16), so a proof gives the masks and the n - 1 siblings of a level. The
leaf mask is hashed, though the children's own tags already keep a leaf from posing as an inner
node, because it is what the update reads first of a record: with it beside the bitmap one
4-byte int says where a path goes, and a record's preimage is its head (one slice to check it).

Storage: one record per inner node under its hash, its preimage followed by what an update and
a proof need without reading or hashing anything below it: the key_hash and value_hash (64
bytes) of each child that is a leaf, in nibble order:

    0x01 || masks (4) || child hashes (32 n) || (key_hash || value_hash) per leaf child

A leaf is stored only when it is the root (its 65-byte preimage under its hash). Records are
content-addressed and never overwritten, as the binary tree's pages are.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

from ledger.merkle.batch import Batch
from ledger.merkle.node import MerkleError, sha256

EMPTY = bytes(32)
LEAF = b"\x00"
INNER = b"\x01"
TOP = 252  # shift of the first nibble of a 256-bit path

Leaf = tuple[bytes, bytes, bytes]  # (leaf hash, key_hash, value_hash)
Child = bytes | Leaf | None  # an inner node's hash, a leaf, or an empty subtree


class Records(Protocol):
    def get(self, hash_: bytes) -> bytes | None:
        """The record stored under `hash_`, or None."""
        ...


def leaf_of(key_hash: bytes, value_hash: bytes) -> Leaf:
    return sha256(LEAF + key_hash + value_hash).digest(), key_hash, value_hash


def record_hash(record: bytes) -> bytes:
    """The hash of an inner record (its preimage is its head) or of a leaf record (all of it)."""
    if record[0] == 0:
        return sha256(record).digest()
    return sha256(record[: 5 + 32 * (record[1] << 8 | record[2]).bit_count()]).digest()


def children(record: bytes) -> list[Child]:
    """The 16 children of an inner record."""
    masks = int.from_bytes(record[1:5], "big")
    bitmap = masks >> 16
    at = 5 + 32 * bitmap.bit_count()
    out: list[Child] = [None] * 16
    offset = 5
    for nib in range(16):
        if bitmap >> nib & 1:
            hash_ = record[offset : offset + 32]
            offset += 32
            if masks >> nib & 1:
                out[nib] = (hash_, record[at : at + 32], record[at + 32 : at + 64])
                at += 64
            else:
                out[nib] = hash_
    return out


def child_at(record: bytes, nib: int) -> Child:
    """Child `nib` of an inner record, without decoding the others."""
    masks = int.from_bytes(record[1:5], "big")
    bitmap = masks >> 16
    bit = 1 << nib
    if not bitmap & bit:
        return None
    offset = 5 + 32 * (bitmap & (bit - 1)).bit_count()
    hash_ = record[offset : offset + 32]
    if not masks & bit:
        return hash_
    at = 5 + 32 * bitmap.bit_count() + 64 * (masks & 0xFFFF & (bit - 1)).bit_count()
    return hash_, record[at : at + 32], record[at + 32 : at + 64]


def encode(kids: list[Child]) -> tuple[bytes, bytes]:
    """(hash, record) of the inner node with these 16 children."""
    bitmap = leafmask = 0
    hashes: list[bytes] = []
    leaves: list[bytes] = []
    for nib, kid in enumerate(kids):
        if kid is None:
            continue
        bitmap |= 1 << nib
        if type(kid) is tuple:
            leafmask |= 1 << nib
            hashes.append(kid[0])
            leaves += (kid[1], kid[2])
        else:
            hashes.append(kid)  # type: ignore[arg-type]
    head = INNER + (bitmap << 16 | leafmask).to_bytes(4, "big") + b"".join(hashes)
    return sha256(head).digest(), head + b"".join(leaves)


def root_descriptor(records: Records, root: bytes) -> Child:
    if root == EMPTY:
        return None
    record = records.get(root)
    if record is None:
        raise MerkleError(f"missing record {root.hex()}")
    return (root, record[1:33], record[33:65]) if record[0] == 0 else root


def descriptor_hash(child: Child) -> bytes:
    if child is None:
        return EMPTY
    return child[0] if type(child) is tuple else child  # type: ignore[return-value]


@dataclass
class Result:
    root: bytes
    writes: dict[bytes, bytes]  # hash -> record
    pin_new: dict[bytes, bytes]  # the written records above the pin depth
    pin_old: set[bytes]  # the records above the pin depth that the new tree no longer holds


def update(
    records: Records, root: bytes, changes: Mapping[bytes, bytes | None], pin_depth: int = 0
) -> Result:
    """Apply `changes` (key -> value, None deletes) to the tree under `root`, batched: the
    changed paths are sorted once and walked down together, each touched node read once and
    rehashed once."""
    entries: list[tuple[int, bytes, bytes | None]] = []
    for key, value in changes.items():
        path = sha256(key).digest()
        entries.append(
            (int.from_bytes(path, "big"), path, None if value is None else sha256(value).digest())
        )
    updater = Updater(records, Batch.of(entries), pin_depth)
    if not entries:
        return Result(root, {}, {}, set())
    new = updater.apply(root_descriptor(records, root), 0, 0, len(entries))
    if type(new) is tuple:  # a lone leaf is the root: stored as its preimage
        updater.writes[new[0]] = LEAF + new[1] + new[2]
        if pin_depth > 0:
            updater.pin_new[new[0]] = updater.writes[new[0]]
    new_root = descriptor_hash(new)
    if root not in (new_root, EMPTY) and pin_depth > 0:
        updater.pin_old.add(root)
    return Result(new_root, updater.writes, updater.pin_new, updater.pin_old)


def build(state: Mapping[bytes, bytes]) -> Result:
    """The tree holding exactly `state`, built from scratch in memory."""
    return update({}, EMPTY, state)


class Updater:
    __slots__ = ("batch", "pin", "pin_new", "pin_old", "reads", "records", "writes")

    def __init__(self, records: Records, batch: Batch, pin: int) -> None:
        self.records = records
        self.batch = batch
        self.pin = pin
        self.writes: dict[bytes, bytes] = {}
        self.pin_new: dict[bytes, bytes] = {}
        self.pin_old: set[bytes] = set()

    def _read(self, hash_: bytes) -> bytes:
        record = self.records.get(hash_)
        if record is None or record[0] != 1:
            raise MerkleError(f"missing or bad record {hash_.hex()}")
        return record

    def _write(self, hash_: bytes, record: bytes, depth: int) -> None:
        self.writes[hash_] = record
        if depth < self.pin:
            self.pin_new[hash_] = record

    def apply(self, old: Child, depth: int, lo: int, hi: int) -> Child:
        """The new subtree at `depth` that was `old`, after batch[lo:hi] (all routed here)."""
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
        if depth >= 64:
            raise MerkleError("tree deeper than 64 nibbles")
        if hi - lo == 1 and batch.values[lo] is not None:
            return self._set_one(old, depth, lo)  # type: ignore[arg-type]
        return self._node(old, self._read(old), depth, lo, hi)  # type: ignore[arg-type]

    def _node(self, hash_: bytes, record: bytes, depth: int, lo: int, hi: int) -> Child:
        """An inner node with batch[lo:hi] (two or more changes, or a delete) routed below."""
        batch = self.batch
        ints = batch.ints
        values = batch.values
        shift = TOP - 4 * depth
        masks = int.from_bytes(record[1:5], "big")
        bitmap = masks >> 16
        inner = bitmap & ~masks
        at = 5 + 32 * bitmap.bit_count()
        new: dict[int, Child] = {}
        simple = True  # every change lands in an inner child, which stays inner
        while lo < hi:
            prefix = ints[lo] >> shift
            nib = prefix & 15
            mid = bisect_left(ints, (prefix + 1) << shift, lo, hi)
            if inner >> nib & 1:
                offset = 5 + 32 * (bitmap & ((1 << nib) - 1)).bit_count()
                child = record[offset : offset + 32]
                if mid - lo == 1 and values[lo] is not None:
                    kid: Child = self._set_one(child, depth + 1, lo)
                else:
                    kid = self.apply(child, depth + 1, lo, mid)
                    simple = simple and type(kid) is bytes
            else:
                kid = self.apply(child_at(record, nib), depth + 1, lo, mid)
                simple = False
            new[nib] = kid
            lo = mid
        if simple:  # splice the new hashes into the record; the leaves stay as they are
            hashes = [record[o : o + 32] for o in range(5, at, 32)]
            for nib, kid in new.items():
                hashes[(bitmap & ((1 << nib) - 1)).bit_count()] = kid  # type: ignore[assignment]
            head = record[:5] + b"".join(hashes)
            new_hash = sha256(head).digest()
            if new_hash != hash_:
                self.writes[new_hash] = new_record = head + record[at:]
                if depth < self.pin:
                    self.pin_new[new_hash] = new_record
                    self.pin_old.add(hash_)
            return new_hash
        kids = children(record)
        for nib, kid in new.items():
            kids[nib] = kid
        present = [kid for kid in kids if kid is not None]
        if depth < self.pin:
            self.pin_old.add(hash_)
        if not present:
            return None
        if len(present) == 1 and type(present[0]) is tuple:
            return present[0]  # a lone leaf rises to where a fresh tree would hold it
        new_hash, new_record = encode(kids)
        if new_hash == hash_:
            self.pin_old.discard(hash_)
        else:
            self._write(new_hash, new_record, depth)
        return new_hash

    def _set_one(self, hash_: bytes, depth: int, i: int) -> bytes:
        """One key set (not deleted) below this inner node, the common case below the top: its
        path is walked down in a loop and the records on it cut and joined again on the way up,
        as nothing on the way can collapse."""
        batch = self.batch
        path = batch.ints[i]
        key_hash = batch.paths[i]
        vhash = batch.values[i]
        assert vhash is not None
        get = self.records.get
        top = hash_
        trail: list[tuple[bytes, bytes, int, int]] = []
        shift = TOP - 4 * depth
        while True:
            record = get(hash_)
            if record is None or record[0] != 1:
                raise MerkleError(f"missing or bad record {hash_.hex()}")
            bit = 1 << ((path >> shift) & 15)
            masks = int.from_bytes(record[1:5], "big")
            bitmap = masks >> 16
            offset = 5 + 32 * (bitmap & (bit - 1)).bit_count()
            if bitmap & ~masks & bit:  # an inner child: go down
                trail.append((hash_, record, offset, 5 + 32 * bitmap.bit_count()))
                hash_ = record[offset : offset + 32]
                shift -= 4
                if shift < 0:
                    raise MerkleError("tree deeper than 64 nibbles")
                continue
            at = 5 + 32 * bitmap.bit_count()
            lat = at + 64 * (masks & 0xFFFF & (bit - 1)).bit_count()
            if not bitmap & bit:  # an empty slot: the new leaf goes there
                leaf = sha256(LEAF + key_hash + vhash).digest()
                masks |= bit << 16 | bit
                head = b"".join(
                    (INNER, masks.to_bytes(4, "big"), record[5:offset], leaf, record[offset:at])
                )
                new_record = b"".join((head, record[at:lat], key_hash, vhash, record[lat:]))
            elif record[lat : lat + 32] == key_hash:  # its own leaf: a new value
                if record[lat + 32 : lat + 64] == vhash:
                    return top
                leaf = sha256(LEAF + key_hash + vhash).digest()
                head = b"".join((record[:offset], leaf, record[offset + 32 : at]))
                new_record = b"".join((head, record[at : lat + 32], vhash, record[lat + 64 :]))
            else:  # another key's leaf: both go one level down, in a new subtree
                other = record[lat : lat + 32]
                pair: list[tuple[int, bytes, bytes | None]] = sorted(
                    [
                        (path, key_hash, vhash),
                        (int.from_bytes(other, "big"), other, record[lat + 32 : lat + 64]),
                    ]
                )
                below = self.build(pair, (TOP - shift) // 4 + 1)
                assert type(below) is bytes
                masks ^= bit
                head = b"".join(
                    (
                        INNER,
                        masks.to_bytes(4, "big"),
                        record[5:offset],
                        below,
                        record[offset + 32 : at],
                    )
                )
                new_record = b"".join((head, record[at:lat], record[lat + 64 :]))
            break
        new_hash = sha256(head).digest()
        writes = self.writes
        writes[new_hash] = new_record
        depth = (TOP - shift) // 4
        pin = self.pin
        if depth < pin:
            self.pin_new[new_hash] = new_record
            self.pin_old.add(hash_)
        while trail:
            depth -= 1
            hash_, record, offset, at = trail.pop()
            head = b"".join((record[:offset], new_hash, record[offset + 32 : at]))
            new_hash = sha256(head).digest()
            writes[new_hash] = new_record = head + record[at:]
            if depth < pin:
                self.pin_new[new_hash] = new_record
                self.pin_old.add(hash_)
        return new_hash

    def build(self, items: list[tuple[int, bytes, bytes | None]], depth: int) -> Child:
        """A fresh subtree at `depth` holding `items` (sorted inserts): jumps to the depth where
        the first and last paths part, then wraps that node in one-child nodes up to `depth`."""
        if not items:
            return None
        if len(items) == 1:
            _, key_hash, vhash = items[0]
            assert vhash is not None
            return leaf_of(key_hash, vhash)
        first = items[0][0]
        diff = first ^ items[-1][0]
        if diff == 0:
            raise MerkleError("two changes share one 256-bit path")
        branch = (256 - diff.bit_length()) // 4
        shift = TOP - 4 * branch
        kids: list[Child] = [None] * 16
        start = 0
        while start < len(items):
            prefix = items[start][0] >> shift
            end = start + 1
            while end < len(items) and items[end][0] >> shift == prefix:
                end += 1
            kids[prefix & 15] = self.build(items[start:end], branch + 1)
            start = end
        hash_, record = encode(kids)
        self._write(hash_, record, branch)
        for level in range(branch - 1, depth - 1, -1):
            kids = [None] * 16
            kids[(first >> (TOP - 4 * level)) & 15] = hash_
            hash_, record = encode(kids)
            self._write(hash_, record, level)
        return hash_


def top(records: Records, root: bytes, depth: int) -> dict[bytes, bytes]:
    """The records of the tree under `root` above nibble depth `depth` (what a store pins)."""
    out: dict[bytes, bytes] = {}
    level = [root] if root != EMPTY else []
    for _ in range(depth):
        below: list[bytes] = []
        for hash_ in level:
            record = records.get(hash_)
            if record is None:
                raise MerkleError(f"missing record {hash_.hex()}")
            if record_hash(record) != hash_:
                raise MerkleError(f"corrupt record {hash_.hex()}")
            out[hash_] = record
            if record[0] == 1:
                below += [kid for kid in children(record) if type(kid) is bytes]
        level = below
    return out
