"""Proofs of the prototype 16-ary tree (benchmarks/flat16_tree.py), and its root from the
definition alone (the reference the batched update is checked against).

A proof is, for each inner node on the key's path from the root down, its masks and the hashes
of its other present children, then what the path ends in: the key's own leaf (inclusion; the
verifier hashes it from the key and value), an empty slot (the last bitmap lacks the path's
nibble) or another key's leaf (its key_hash and value_hash). Encoding:

    levels (1) || end (1: 0 own leaf, 1 empty slot, 2 another leaf)
    || per level: masks (4) || siblings (32 each) || [key_hash || value_hash of the other leaf]

The verifier checks the masks too: the path's child is an inner node at every level but the
last, where it is the leaf the proof ends in, or absent. About 4 + 32 (n - 1) bytes per level,
n the node's children: at a million keys the top four levels are full (15 siblings each), so
about 2.1 to 2.4 KB against about 0.7 KB for the binary tree (flat16_bench prints both).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from benchmarks.flat16_tree import (
    EMPTY,
    INNER,
    LEAF,
    TOP,
    Records,
    child_at,
    root_descriptor,
)
from ledger.merkle.node import MerkleError, sha256


@dataclass(frozen=True)
class Proof:
    levels: tuple[tuple[int, tuple[bytes, ...]], ...]  # (masks, siblings), root first
    other: tuple[bytes, bytes] | None  # the leaf of another key the path ends in

    def encode(self) -> bytes:
        end = 2 if self.other is not None else 1 if self.empty_slot() else 0
        parts = [bytes([len(self.levels), end])]
        for masks, siblings in self.levels:
            parts += (masks.to_bytes(4, "big"), *siblings)
        if self.other is not None:
            parts += self.other
        return b"".join(parts)

    def empty_slot(self) -> bool:
        """The path ends in an empty slot of the last node: it lists all its children."""
        if not self.levels:
            return False
        masks, siblings = self.levels[-1]
        return self.other is None and len(siblings) == (masks >> 16).bit_count()

    @classmethod
    def decode(cls, data: bytes) -> Proof:
        """The header says how the path ends (0: the key's leaf, 1: an empty slot, 2: another
        key's leaf), so the decoder knows how many siblings each level lists."""
        count, end, at = data[0], data[1], 2
        levels = []
        for level in range(count):
            masks = int.from_bytes(data[at : at + 4], "big")
            at += 4
            n = (masks >> 16).bit_count() - (0 if end == 1 and level == count - 1 else 1)
            siblings = tuple(data[at + 32 * k : at + 32 * k + 32] for k in range(max(n, 0)))
            at += 32 * max(n, 0)
            levels.append((masks, siblings))
        other = None
        if end == 2:
            other = (data[at : at + 32], data[at + 32 : at + 64])
            at += 64
        if at != len(data) or end > 2:
            raise ValueError("bad proof")
        return cls(tuple(levels), other)


def prove(records: Records, root: bytes, key: bytes) -> Proof:
    path = int.from_bytes(sha256(key).digest(), "big")
    node = root_descriptor(records, root)
    levels: list[tuple[int, tuple[bytes, ...]]] = []
    while type(node) is bytes:
        record = records.get(node)
        if record is None:
            raise MerkleError(f"missing record {node.hex()}")
        nib = (path >> (TOP - 4 * len(levels))) & 15
        masks = int.from_bytes(record[1:5], "big")
        bitmap = masks >> 16
        hashes = [record[o : o + 32] for o in range(5, 5 + 32 * bitmap.bit_count(), 32)]
        if bitmap >> nib & 1:
            del hashes[(bitmap & ((1 << nib) - 1)).bit_count()]
        levels.append((masks, tuple(hashes)))
        node = child_at(record, nib)
    other = None
    if type(node) is tuple and node[1] != path.to_bytes(32, "big"):
        other = (node[1], node[2])
    return Proof(tuple(levels), other)


def verify(root: bytes, key: bytes, value: bytes | None, proof: Proof) -> bool:
    """True when `proof` shows that `key` holds `value` (None: is absent) under `root`."""
    key_hash = sha256(key).digest()
    path = int.from_bytes(key_hash, "big")
    depth = len(proof.levels)
    hash_: bytes | None
    if value is not None:
        if proof.other is not None:
            return False
        hash_ = sha256(LEAF + key_hash + sha256(value).digest()).digest()
    elif proof.other is None:
        hash_ = None  # an empty slot
    else:
        other, other_value = proof.other
        shift = 256 - 4 * depth
        if other == key_hash or int.from_bytes(other, "big") >> shift != path >> shift:
            return False  # not another key, or not where this key would be
        hash_ = sha256(LEAF + other + other_value).digest()
    if depth == 0:
        return (hash_ or EMPTY) == root
    for level in range(depth - 1, -1, -1):
        masks, siblings = proof.levels[level]
        bitmap = masks >> 16
        bit = 1 << ((path >> (TOP - 4 * level)) & 15)
        hashes = list(siblings)
        if masks & 0xFFFF & ~bitmap:
            return False  # a leaf child that is not there
        if hash_ is None:
            if bitmap & bit:
                return False
        else:
            is_leaf = level == depth - 1
            if not bitmap & bit or bool(masks & bit) != is_leaf:
                return False
            hashes.insert((bitmap & (bit - 1)).bit_count(), hash_)
        if len(hashes) != bitmap.bit_count() or any(len(h) != 32 for h in hashes):
            return False
        hash_ = sha256(INNER + masks.to_bytes(4, "big") + b"".join(hashes)).digest()
    return hash_ == root


def reference_root(state: Mapping[bytes, bytes]) -> bytes:
    """The root of the tree holding `state`, straight from the definition (no records, no
    batching): written apart from the update it checks."""
    items = sorted((sha256(key).digest(), sha256(value).digest()) for key, value in state.items())
    return _subtree(items, 0)[0] if items else EMPTY


def _subtree(items: list[tuple[bytes, bytes]], depth: int) -> tuple[bytes, bool]:
    """(hash, is a leaf) of the subtree at nibble `depth` holding `items`."""
    if len(items) == 1:
        return sha256(LEAF + items[0][0] + items[0][1]).digest(), True
    groups: dict[int, list[tuple[bytes, bytes]]] = {}
    for item in items:
        byte = item[0][depth // 2]
        groups.setdefault(byte >> 4 if depth % 2 == 0 else byte & 15, []).append(item)
    masks = 0
    hashes = []
    for nib in sorted(groups):
        hash_, is_leaf = _subtree(groups[nib], depth + 1)
        masks |= 1 << (16 + nib) | (1 << nib if is_leaf else 0)
        hashes.append(hash_)
    return sha256(INNER + masks.to_bytes(4, "big") + b"".join(hashes)).digest(), False
