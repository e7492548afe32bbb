"""Records of the flat 16-ary state tree: its hashes, how a node is stored, and its checks.

The path of a key is SHA-256(key) read as 64 nibbles, most significant first. An empty subtree
is 32 zero bytes; a subtree holding one key is that key's leaf, at the shallowest nibble depth
where the key is alone (a leaf shortcut); a subtree holding two or more keys is an inner node with
one to 16 children. So the shape, and the root, are a function of the key/value set.

    leaf  = SHA-256(0x00 || key_hash || value_hash)                 (as the binary tree's leaf)
    inner = SHA-256(0x01 || masks || hash of each present child, in nibble order)

`masks` is 4 bytes, big-endian: the high 16 bits are the children present (bit i: child i), the
low 16 those of them that are leaves. The preimage holds only the present children (5 + 32 n
bytes), one SHA-256 per node instead of the 15 of a binary 16-way subtree. The leaf mask is
hashed, though the children's own domain tags already keep a leaf from posing as an inner node:
with it beside the bitmap one 4-byte int says where a path goes, and a proof level carries it.

A record is stored per inner node, under its hash: the preimage (its "head") followed by what an
update and a proof need without reading anything below it, the key_hash and value_hash of each
leaf child in nibble order:

    0x01 || masks (4) || child hashes (32 n) || (key_hash || value_hash) per leaf child

A leaf is stored as a record only when it is the root (its 65-byte preimage under its hash).
Records are content-addressed and never overwritten, so old roots stay readable.
"""

from __future__ import annotations

from typing import Protocol

from ledger.hashing import HASH_LEN
from ledger.merkle.node import EMPTY, INNER_TAG, LEAF_TAG, NODE_LEN, MerkleError, sha256

NIBBLES = 64
"""The depth of the tree at most: a path has 64 nibbles."""
FANOUT = 16
HEAD = 5
"""Bytes of a record before its child hashes: the tag and the masks."""
MAX_RECORD = HEAD + FANOUT * HASH_LEN + FANOUT * 2 * HASH_LEN
"""A full record: 16 children, all leaves (1,541 bytes)."""
TOP_SHIFT = 8 * HASH_LEN - 4
"""The shift of a path's first nibble, as an int."""

LEAF = bytes([LEAF_TAG])
INNER = bytes([INNER_TAG])

Leaf = tuple[bytes, bytes, bytes]
"""A leaf child: (leaf hash, key_hash, value_hash)."""
Child = bytes | Leaf | None
"""An inner node's hash, a leaf, or an empty subtree."""


class RecordReader(Protocol):
    """Where records are read from: the store's node records, or a dict in tests."""

    def get_record(self, record_hash: bytes) -> bytes | None:
        """The record stored under this hash, or None."""
        ...


class MemoryRecordStore:
    """A dict of records: for building trees in memory (genesis, tests, benchmarks)."""

    def __init__(self) -> None:
        self.records: dict[bytes, bytes] = {}

    def get_record(self, record_hash: bytes) -> bytes | None:
        return self.records.get(record_hash)

    def put_all(self, writes: dict[bytes, bytes]) -> None:
        self.records.update(writes)


def leaf_of(key_hash: bytes, value_hash: bytes) -> Leaf:
    return sha256(LEAF + key_hash + value_hash).digest(), key_hash, value_hash


def head_length(record: bytes) -> int:
    """The length of an inner record's hashed head (read from its bitmap)."""
    return HEAD + HASH_LEN * (record[1] << 8 | record[2]).bit_count()


def record_hash(record: bytes) -> bytes:
    """The hash a record is stored under: of all of a leaf record, of an inner record's head.
    Raises `MerkleError` if the record is too short for what its tag and bitmap say."""
    if record[:1] == LEAF and len(record) == NODE_LEN:
        return sha256(record).digest()
    if record[:1] == INNER and len(record) >= HEAD and len(record) >= head_length(record):
        return sha256(record[: head_length(record)]).digest()
    raise MerkleError("malformed Merkle record")


def child_at(record: bytes, nib: int) -> Child:
    """Child `nib` of an inner record, without decoding the others."""
    masks = int.from_bytes(record[1:5], "big")
    bitmap = masks >> 16
    bit = 1 << nib
    if not bitmap & bit:
        return None
    offset = HEAD + HASH_LEN * (bitmap & (bit - 1)).bit_count()
    hash_ = record[offset : offset + HASH_LEN]
    if not masks & bit:
        return hash_
    at = HEAD + HASH_LEN * bitmap.bit_count() + 2 * HASH_LEN * (masks & (bit - 1)).bit_count()
    return hash_, record[at : at + HASH_LEN], record[at + HASH_LEN : at + 2 * HASH_LEN]


def children(record: bytes) -> list[Child]:
    """The 16 children of an inner record, in one pass over it."""
    masks = int.from_bytes(record[1:5], "big")
    bitmap = masks >> 16
    kids: list[Child] = [None] * FANOUT
    offset = HEAD
    at = HEAD + HASH_LEN * bitmap.bit_count()
    for nib in range(FANOUT):
        if bitmap >> nib & 1:
            hash_ = record[offset : offset + HASH_LEN]
            offset += HASH_LEN
            if masks >> nib & 1:
                key_at, at = at + HASH_LEN, at + 2 * HASH_LEN
                kids[nib] = hash_, record[key_at - HASH_LEN : key_at], record[key_at:at]
            else:
                kids[nib] = hash_
    return kids


def children_of(record: bytes) -> list[bytes]:
    """The hashes of the records directly below this one (its inner children), in nibble order:
    what a walk over the stored tree follows (pinning, pruning checks, snapshots)."""
    if record[0] != INNER_TAG:
        return []
    masks = int.from_bytes(record[1:5], "big")
    bitmap = masks >> 16
    out = []
    offset = HEAD
    for nib in range(FANOUT):
        if bitmap >> nib & 1:
            if not masks >> nib & 1:
                out.append(record[offset : offset + HASH_LEN])
            offset += HASH_LEN
    return out


def encode(kids: list[Child]) -> tuple[bytes, bytes]:
    """(hash, record) of the inner node with these 16 children (at least one present)."""
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
            hashes.append(kid)  # type: ignore[arg-type]  # not a tuple, not None: bytes
    head = INNER + (bitmap << 16 | leafmask).to_bytes(4, "big") + b"".join(hashes)
    return sha256(head).digest(), head + b"".join(leaves)


def read_root(nodes: RecordReader, root: bytes) -> tuple[Child, bytes | None]:
    """The root as a child (None: empty; a leaf, its record checked; an inner node's hash) and
    its record (None for the empty tree), read once for the walk that starts there."""
    if root == EMPTY:
        return None, None
    record = nodes.get_record(root)
    if record is None:
        raise MerkleError(f"missing Merkle record {root.hex()}")
    if record[0] == LEAF_TAG:
        if len(record) != NODE_LEN or sha256(record).digest() != root:
            raise MerkleError(f"corrupt Merkle record {root.hex()}")
        return (root, record[1:33], record[33:65]), record
    return root, record


def child_hash(child: Child) -> bytes:
    if child is None:
        return EMPTY
    return child[0] if type(child) is tuple else child  # type: ignore[return-value]


def check_record(record_hash_: bytes, record: bytes) -> None:
    """The record is well formed and holds what its hash commits to; raises `MerkleError`.

    Checks the tag, the length the masks imply, that leaves are only where there are children,
    that no inner child is empty, that each leaf child's hash is SHA-256 of its key_hash and
    value_hash, and that the head hashes to `record_hash_`. Costs a hash per leaf child: run on
    the records pinned at open; a record read during an update has its head hashed only (the
    rest is covered by LevelDB's block checksums and, for a wallet, by the proof it verifies).
    """
    where = f"corrupt Merkle record {record_hash_.hex()}"
    if not record:
        raise MerkleError(f"{where}: empty")
    if record[0] == LEAF_TAG:
        if len(record) != NODE_LEN or sha256(record).digest() != record_hash_:
            raise MerkleError(f"{where}: bad leaf record")
        return
    if record[0] != INNER_TAG or len(record) < HEAD:
        raise MerkleError(f"{where}: bad tag or too short")
    masks = int.from_bytes(record[1:5], "big")
    bitmap, leafmask = masks >> 16, masks & 0xFFFF
    if not bitmap or leafmask & ~bitmap:
        raise MerkleError(f"{where}: bad masks")
    head = HEAD + HASH_LEN * bitmap.bit_count()
    if len(record) != head + 2 * HASH_LEN * leafmask.bit_count():
        raise MerkleError(f"{where}: bad length")
    if sha256(record[:head]).digest() != record_hash_:
        raise MerkleError(f"{where}: its head does not hash to its key")
    for nib in range(FANOUT):
        kid = child_at(record, nib)
        if kid is None:
            continue
        if type(kid) is tuple:
            if sha256(LEAF + kid[1] + kid[2]).digest() != kid[0]:
                raise MerkleError(f"{where}: leaf child {nib} does not hash to its hash")
        elif kid == EMPTY:
            raise MerkleError(f"{where}: child {nib} is an empty subtree")
