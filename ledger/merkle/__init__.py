"""The sparse Merkle tree over the whole state: batched updates, proofs and their verification."""

from ledger.merkle.node import EMPTY, MerkleError, key_hash, value_hash
from ledger.merkle.page import MemoryNodeStore, NodeReader
from ledger.merkle.proof import Proof, ProofLeaf, prove, verify_proof
from ledger.merkle.tree import root_of, update, update_tracked

__all__ = [
    "EMPTY",
    "MemoryNodeStore",
    "MerkleError",
    "NodeReader",
    "Proof",
    "ProofLeaf",
    "key_hash",
    "prove",
    "root_of",
    "update",
    "update_tracked",
    "value_hash",
    "verify_proof",
]
