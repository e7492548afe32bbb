"""The sparse Merkle tree over the whole state: the flat 16-ary tree (ledger/merkle/flat) and
what all of it shares (ledger/merkle/node.py: hashing, the empty subtree, `MerkleError`)."""

from ledger.merkle.node import EMPTY, MerkleError, key_hash, value_hash

__all__ = ["EMPTY", "MerkleError", "key_hash", "value_hash"]
