"""Equivocation: detect two conflicting signed votes by one validator, and verify such evidence.

Two votes conflict when one validator signed both for the same (height, round, type) with
different block hashes (nil counts as a value). Both signatures cover the genesis hash, so the
evidence proves the fault happened on this chain. `detect_duplicate` orders the pair canonically
(smaller block hash first) so every honest node builds byte-identical evidence with one hash, and
the ledger can record it once. What the chain does with it (record, suspend, remove) is governance.
"""

from __future__ import annotations

from consensus.application import Verifier
from consensus.errors import EvidenceError
from consensus.validators import ValidatorSet
from ledger.block import DuplicateVoteEvidence, Vote
from ledger.keys import verify


def detect_duplicate(first: Vote, second: Vote) -> DuplicateVoteEvidence | None:
    """Evidence when the two votes conflict, else None (same vote, or not comparable)."""
    evidence = make_evidence(first, second)
    return None if evidence.structural_error() else evidence


def make_evidence(a: Vote, b: Vote) -> DuplicateVoteEvidence:
    """The canonical pair: ordered by block hash, then signature."""
    if (a.block_hash, a.signature) > (b.block_hash, b.signature):
        a, b = b, a
    return DuplicateVoteEvidence(a, b)


def verify_evidence(
    validators: ValidatorSet,
    genesis_hash: bytes,
    evidence: DuplicateVoteEvidence,
    *,
    verifier: Verifier = verify,
) -> None:
    """Raise `EvidenceError` unless `evidence` proves a double-sign by a member of `validators`.

    `validators` must be the set of the evidence's height; how old evidence may be is the
    ledger's rule, not checked here.
    """
    reason = evidence.structural_error()
    if reason is not None:
        raise EvidenceError(reason)
    a, b = evidence.vote_a, evidence.vote_b
    if (a.block_hash, a.signature) > (b.block_hash, b.signature):
        raise EvidenceError("votes are not in canonical order")
    validator = validators.get(a.validator)
    if validator is None:
        raise EvidenceError(f"{a.validator} is not a validator at height {a.height}")
    for name, vote in (("vote_a", a), ("vote_b", b)):
        if not verifier(validator.public_key, vote.sign_bytes(genesis_hash), vote.signature):
            raise EvidenceError(f"{name}: signature does not verify")
