"""Duplicate-vote evidence: detection, canonical form and verification."""

from __future__ import annotations

import pytest

from consensus.errors import EvidenceError
from consensus.evidence import detect_duplicate, verify_evidence
from consensus.validators import ValidatorSet
from ledger.block import DuplicateVoteEvidence, VoteType
from ledger.keys import PrivateKey
from tests.consensus.harness import GENESIS_HASH, raw_vote, validator_keys

KEYS = validator_keys(4)
VALS = ValidatorSet.create((k.public_key, 1) for k in KEYS)
X, Y = bytes([1]) * 32, bytes([2]) * 32


def test_conflicting_votes_are_evidence_in_one_canonical_form() -> None:
    a = raw_vote(KEYS[0], VoteType.PRECOMMIT, 5, 2, Y)
    b = raw_vote(KEYS[0], VoteType.PRECOMMIT, 5, 2, X)
    one, two = detect_duplicate(a, b), detect_duplicate(b, a)
    assert one is not None and one == two
    assert one.vote_a.block_hash == X
    verify_evidence(VALS, GENESIS_HASH, one)
    assert DuplicateVoteEvidence.from_fields(one.to_fields()) == one


def test_nil_against_a_block_is_evidence() -> None:
    a = raw_vote(KEYS[1], VoteType.PREVOTE, 5, 0, b"")
    b = raw_vote(KEYS[1], VoteType.PREVOTE, 5, 0, X)
    evidence = detect_duplicate(a, b)
    assert evidence is not None
    verify_evidence(VALS, GENESIS_HASH, evidence)


@pytest.mark.parametrize(
    ("b_args", "key_index"),
    [
        ((VoteType.PREVOTE, 5, 0, X), 0),  # same vote
        ((VoteType.PRECOMMIT, 5, 0, Y), 0),  # other type
        ((VoteType.PREVOTE, 5, 1, Y), 0),  # other round
        ((VoteType.PREVOTE, 6, 0, Y), 0),  # other height
        ((VoteType.PREVOTE, 5, 0, Y), 1),  # other validator
    ],
)
def test_votes_that_do_not_conflict_are_not_evidence(
    b_args: tuple[VoteType, int, int, bytes], key_index: int
) -> None:
    a = raw_vote(KEYS[0], VoteType.PREVOTE, 5, 0, X)
    b = raw_vote(KEYS[key_index], *b_args)
    assert detect_duplicate(a, b) is None


def test_forged_or_foreign_evidence_is_refused() -> None:
    a = raw_vote(KEYS[0], VoteType.PREVOTE, 5, 0, X)
    b = raw_vote(KEYS[0], VoteType.PREVOTE, 5, 0, Y)
    good = detect_duplicate(a, b)
    assert good is not None
    with pytest.raises(EvidenceError, match="vote_b: signature"):
        forged_b = type(b)(b.type, b.height, b.round, b.block_hash, b.validator, bytes(64))
        verify_evidence(VALS, GENESIS_HASH, DuplicateVoteEvidence(good.vote_a, forged_b))
    with pytest.raises(EvidenceError, match="signature"):
        verify_evidence(VALS, bytes(32), good)  # signed for another chain
    others = ValidatorSet.create((k.public_key, 1) for k in KEYS[1:])
    with pytest.raises(EvidenceError, match="not a validator"):
        verify_evidence(others, GENESIS_HASH, good)
    with pytest.raises(EvidenceError, match="canonical order"):
        verify_evidence(VALS, GENESIS_HASH, DuplicateVoteEvidence(good.vote_b, good.vote_a))
    stranger = PrivateKey.from_secret(b"stranger")
    c = raw_vote(stranger, VoteType.PREVOTE, 5, 0, Y)
    with pytest.raises(EvidenceError, match="different validators"):
        verify_evidence(VALS, GENESIS_HASH, DuplicateVoteEvidence(a, c))
