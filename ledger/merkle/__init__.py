"""The sparse Merkle tree over the whole state: the flat 16-ary tree (ledger/merkle/flat) and
what all of it shares (ledger/merkle/node.py: hashing, the empty subtree, `MerkleError`)."""

from ledger.merkle.node import EMPTY, MerkleError, key_hash, value_hash
from ledger.merkle.proof import Proof, ProofLeaf, verify_proof

__all__ = [
    "EMPTY",
    "MerkleError",
    "Proof",
    "ProofLeaf",
    "key_hash",
    "value_hash",
    "verify_proof",
]
