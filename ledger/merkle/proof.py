"""Proofs of format version 1, of the binary sparse Merkle tree the chain kept until schema 4:
decoded and verified only (the store proves with the flat tree, ledger/merkle/flat/proof.py).

A proof is the list of sibling hashes on the path of SHA-256(key), from the root down, and what
the path ends in: a leaf `(key_hash, value_hash)` or an empty subtree. The verifier folds the
siblings back up to the root using the bits of the key's path, so it needs nothing but the root
(from a header signed by 2/3+ of the validators), the key and the claimed value:

- inclusion of (key, value): the path ends in the leaf (SHA-256(key), SHA-256(value));
- non-inclusion of key: the path ends in an empty subtree, or in the leaf of another key whose
  path shares the first `len(siblings)` bits (so that leaf sits exactly where key would be).

Encoding (canonical, ledger.codec): `[[sibling, ...], null | [key_hash, value_hash]]`, at most 256
siblings of 32 bytes each; about 33 bytes per level, about 20 levels for a million keys.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ledger import codec
from ledger.codec import Fields, MalformedError
from ledger.hashing import HASH_LEN
from ledger.merkle.node import (
    EMPTY,
    KEY_BITS,
    bit_at,
    inner_hash,
    key_hash,
    leaf_hash,
    value_hash,
)

MAX_PROOF_BYTES = 16 * 1024


@dataclass(frozen=True, slots=True)
class ProofLeaf:
    key_hash: bytes
    value_hash: bytes


@dataclass(frozen=True, slots=True)
class Proof:
    siblings: tuple[bytes, ...]  # root first
    leaf: ProofLeaf | None  # None: the path ends in an empty subtree

    def to_fields(self) -> list[Any]:
        leaf = None if self.leaf is None else [self.leaf.key_hash, self.leaf.value_hash]
        return [list(self.siblings), leaf]

    @classmethod
    def from_fields(cls, raw: object) -> Proof:
        f = Fields(raw, 2, "proof")
        siblings = []
        for item in f.list("siblings", KEY_BITS):
            if not isinstance(item, bytes) or len(item) != HASH_LEN:
                raise MalformedError("proof.siblings: each sibling must be 32 bytes")
            siblings.append(item)
        leaf_raw = f.raw()
        leaf = None
        if leaf_raw is not None:
            lf = Fields(leaf_raw, 2, "proof.leaf")
            leaf = ProofLeaf(
                lf.bytes("key_hash", HASH_LEN, exact=True),
                lf.bytes("value_hash", HASH_LEN, exact=True),
            )
        return cls(tuple(siblings), leaf)

    def encode(self) -> bytes:
        return codec.encode(self.to_fields())

    @classmethod
    def decode(cls, data: bytes) -> Proof:
        """Decode a proof; raises `MalformedError` on any bad byte, length or count."""
        return cls.from_fields(codec.decode(data, MAX_PROOF_BYTES))


def verify_proof(root: bytes, key: bytes, value: bytes | None, proof: Proof) -> bool:
    """True when `proof` shows that `key` holds `value` (None: is absent) in the tree `root`."""
    depth = len(proof.siblings)
    if depth > KEY_BITS or any(len(s) != HASH_LEN for s in proof.siblings):
        return False
    path = key_hash(key)
    leaf = proof.leaf
    if leaf is not None and (len(leaf.key_hash) != HASH_LEN or len(leaf.value_hash) != HASH_LEN):
        return False
    if value is not None:
        if leaf is None or leaf.key_hash != path or leaf.value_hash != value_hash(value):
            return False
        hash_ = leaf_hash(leaf.key_hash, leaf.value_hash)
    elif leaf is None:
        hash_ = EMPTY
    else:
        if leaf.key_hash == path or not _same_prefix(leaf.key_hash, path, depth):
            return False
        hash_ = leaf_hash(leaf.key_hash, leaf.value_hash)
    for level in range(depth - 1, -1, -1):
        sibling = proof.siblings[level]
        hash_ = inner_hash(sibling, hash_) if bit_at(path, level) else inner_hash(hash_, sibling)
    return hash_ == root


def _same_prefix(a: bytes, b: bytes, bits: int) -> bool:
    full, rest = divmod(bits, 8)
    if a[:full] != b[:full]:
        return False
    if rest == 0:
        return True
    mask = (0xFF << (8 - rest)) & 0xFF
    return (a[full] & mask) == (b[full] & mask)
