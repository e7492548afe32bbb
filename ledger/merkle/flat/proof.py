"""Proofs of the flat 16-ary state tree: proof format version 2.

A proof is, for each inner node on the key's path from the root down, its masks and the hashes
of its other present children (its "siblings"), then the leaf the path ends in: the key's own
leaf (inclusion), another key's leaf (non-inclusion: that leaf sits where the key would), or
none (non-inclusion: the last node has no child at the key's nibble, or the tree is empty). The
leaf is carried even for inclusion, so a proof at a past height says the value hash a key held
then (the store keeps values of the latest height only).

Encoding (canonical, ledger.codec): `[2, [level, ...], nil | [key_hash, value_hash]]`, each level
one byte string `masks (4, big-endian) || sibling hashes (32 each)`; at most 64 levels and
`MAX_PROOF_BYTES`. The leading 2 is the format version: another number is refused as an unknown
version (`UnknownProofVersionError`, so a wallet can say that it needs an update), and version
1, the binary tree's proof before schema 4 (a 2-field array without a number), does not decode.
About 4 + 32 (n - 1) bytes per
level, n the node's children: at a million keys the top four levels are full, so about 2.1 to
2.4 KB.

The verifier checks the masks too: the path's child is an inner node at every level but the
last, where it is the leaf the proof ends in, or absent; so a leaf cannot pose as a subtree.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ledger import codec
from ledger.codec import Fields, MalformedError
from ledger.hashing import HASH_LEN
from ledger.merkle.flat.record import (
    FANOUT,
    INNER,
    LEAF,
    NIBBLES,
    TOP_SHIFT,
    RecordReader,
    child_at,
    read_root,
)
from ledger.merkle.node import EMPTY, MerkleError, sha256

PROOF_VERSION = 2
MAX_PROOF_BYTES = 16 * 1024
"""A level holds at most 4 + 15 * 32 bytes: 16 KiB is 33 full levels, a tree of 16^33 keys."""
_MASKS = 4
_MAX_LEVEL = _MASKS + (FANOUT - 1) * HASH_LEN


class UnknownProofVersionError(MalformedError):
    """A proof whose format version number this code does not know (a newer node's)."""

    def __init__(self, version: int) -> None:
        super().__init__(f"proof format version {version} is unknown (known: {PROOF_VERSION})")
        self.version = version


@dataclass(frozen=True, slots=True)
class ProofLeaf:
    """The leaf a proof's path ends in."""

    key_hash: bytes
    value_hash: bytes


@dataclass(frozen=True, slots=True)
class ProofLevel:
    masks: int
    """Bitmap of the node's children (high 16 bits) and of those that are leaves (low 16)."""
    siblings: tuple[bytes, ...]
    """The hashes of its children other than the path's, in nibble order."""


@dataclass(frozen=True, slots=True)
class FlatProof:
    levels: tuple[ProofLevel, ...]  # root first
    leaf: ProofLeaf | None  # the leaf the path ends in; None: an empty slot or an empty tree

    def to_fields(self) -> list[Any]:
        levels = [
            level.masks.to_bytes(_MASKS, "big") + b"".join(level.siblings) for level in self.levels
        ]
        leaf = None if self.leaf is None else [self.leaf.key_hash, self.leaf.value_hash]
        return [PROOF_VERSION, levels, leaf]

    @classmethod
    def from_fields(cls, raw: object) -> FlatProof:
        if isinstance(raw, list) and raw and type(raw[0]) is int and raw[0] != PROOF_VERSION:
            raise UnknownProofVersionError(raw[0])
        f = Fields(raw, 3, "proof")
        f.int("version", PROOF_VERSION, PROOF_VERSION)
        levels = []
        for item in f.list("levels", NIBBLES):
            if (
                not isinstance(item, bytes)
                or not _MASKS <= len(item) <= _MAX_LEVEL
                or (len(item) - _MASKS) % HASH_LEN
            ):
                raise MalformedError("proof.levels: each level is masks (4) and 32-byte siblings")
            siblings = tuple(item[o : o + HASH_LEN] for o in range(_MASKS, len(item), HASH_LEN))
            levels.append(ProofLevel(int.from_bytes(item[:_MASKS], "big"), siblings))
        leaf_raw = f.raw()
        leaf = None
        if leaf_raw is not None:
            lf = Fields(leaf_raw, 2, "proof.leaf")
            leaf = ProofLeaf(
                lf.bytes("key_hash", HASH_LEN, exact=True),
                lf.bytes("value_hash", HASH_LEN, exact=True),
            )
        return cls(tuple(levels), leaf)

    def encode(self) -> bytes:
        return codec.encode(self.to_fields())

    @classmethod
    def decode(cls, data: bytes) -> FlatProof:
        """Decode a proof; raises `UnknownProofVersionError` for another version number and
        `MalformedError` on any other bad byte, length or count."""
        return cls.from_fields(codec.decode(data, MAX_PROOF_BYTES))


def prove(nodes: RecordReader, root: bytes, key: bytes) -> FlatProof:
    """The proof for `key` (present or absent) in the tree under `root`.

    Raises `MerkleError` if the store does not hold the tree under `root`. The wallet trusts
    nothing of it: `verify_proof` hashes the levels back up to a root it holds.
    """
    key_hash = sha256(key).digest()
    path = int.from_bytes(key_hash, "big")
    node, record = read_root(nodes, root)
    levels: list[ProofLevel] = []
    while type(node) is bytes:
        if len(levels) >= NIBBLES:
            raise MerkleError("Merkle tree deeper than 64 nibbles")
        if levels:
            record = nodes.get_record(node)
        if record is None:
            raise MerkleError(f"missing Merkle record {node.hex()}")
        if record[:1] != INNER:
            raise MerkleError(f"corrupt Merkle record {node.hex()}")
        nib = (path >> (TOP_SHIFT - 4 * len(levels))) & 15
        masks = int.from_bytes(record[1:5], "big")
        bitmap = masks >> 16
        end = 5 + HASH_LEN * bitmap.bit_count()
        hashes = [record[o : o + HASH_LEN] for o in range(5, end, HASH_LEN)]
        if bitmap >> nib & 1:
            del hashes[(bitmap & ((1 << nib) - 1)).bit_count()]
        levels.append(ProofLevel(masks, tuple(hashes)))
        node = child_at(record, nib)
    leaf = None
    if isinstance(node, tuple):  # the leaf the path ends in
        leaf = ProofLeaf(node[1], node[2])
    return FlatProof(tuple(levels), leaf)


def verify_proof(root: bytes, key: bytes, value: bytes | None, proof: FlatProof) -> bool:
    """True when `proof` shows that `key` holds `value` (None: is absent) in the tree `root`."""
    depth = len(proof.levels)
    if depth > NIBBLES:
        return False
    key_hash = sha256(key).digest()
    path = int.from_bytes(key_hash, "big")
    leaf = proof.leaf
    hash_: bytes | None = None  # None: the path ends in an empty slot
    if leaf is not None:
        if len(leaf.key_hash) != HASH_LEN or len(leaf.value_hash) != HASH_LEN:
            return False
        hash_ = sha256(LEAF + leaf.key_hash + leaf.value_hash).digest()
    if value is not None:
        if leaf is None or leaf.key_hash != key_hash or leaf.value_hash != sha256(value).digest():
            return False
    elif leaf is not None:
        shift = 8 * HASH_LEN - 4 * depth
        other = int.from_bytes(leaf.key_hash, "big")
        if leaf.key_hash == key_hash or other >> shift != path >> shift:
            return False  # not another key, or not where this key would be
    for level in range(depth - 1, -1, -1):
        masks = proof.levels[level].masks
        bitmap, leafmask = masks >> 16, masks & 0xFFFF
        if not bitmap or masks >> 32 or leafmask & ~bitmap:
            return False
        bit = 1 << ((path >> (TOP_SHIFT - 4 * level)) & 15)
        hashes = list(proof.levels[level].siblings)
        if hash_ is None:  # the deepest level: the key's slot is empty
            if bitmap & bit:
                return False
        else:
            if not bitmap & bit or bool(leafmask & bit) != (level == depth - 1):
                return False
            hashes.insert((bitmap & (bit - 1)).bit_count(), hash_)
        if len(hashes) != bitmap.bit_count() or any(len(h) != HASH_LEN for h in hashes):
            return False
        hash_ = sha256(INNER + masks.to_bytes(_MASKS, "big") + b"".join(hashes)).digest()
    return (EMPTY if hash_ is None else hash_) == root
