"""The flat 16-ary sparse Merkle tree over the state: one SHA-256 per 16-ary node, one record
per node, proofs of format version 2 (docs/ledger.md, "Merkle state root"). The store keeps its
records (ledger/store/records.py).
"""

from ledger.merkle.flat.proof import (
    MAX_PROOF_BYTES,
    PROOF_VERSION,
    FlatProof,
    ProofLeaf,
    ProofLevel,
    UnknownProofVersionError,
    prove,
    verify_proof,
)
from ledger.merkle.flat.record import (
    MemoryRecordStore,
    RecordReader,
    check_record,
    children_of,
    record_hash,
)
from ledger.merkle.flat.tree import Writes, root_of, update, update_tracked

__all__ = [
    "MAX_PROOF_BYTES",
    "PROOF_VERSION",
    "FlatProof",
    "MemoryRecordStore",
    "ProofLeaf",
    "ProofLevel",
    "RecordReader",
    "UnknownProofVersionError",
    "Writes",
    "check_record",
    "children_of",
    "prove",
    "record_hash",
    "root_of",
    "update",
    "update_tracked",
    "verify_proof",
]
