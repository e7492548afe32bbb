"""verify_commit: accepts a real certificate, refuses forged, duplicated and insufficient ones."""

from __future__ import annotations

import pytest

from consensus.commit import commit_from_votes, verify_commit
from consensus.errors import (
    BadSignatureError,
    DuplicateSignerError,
    InsufficientPowerError,
    UnknownSignerError,
    WrongBlockError,
)
from consensus.validators import ValidatorSet
from ledger.block import Commit, CommitSig, VoteType
from ledger.keys import PrivateKey
from tests.consensus.harness import GENESIS_HASH, raw_vote, validator_keys

KEYS = validator_keys(4)
VALS = ValidatorSet.create((k.public_key, 1) for k in KEYS)
BLOCK = bytes([7]) * 32


def commit_by(keys: list[PrivateKey], block_hash: bytes = BLOCK, height: int = 3) -> Commit:
    votes = [raw_vote(k, VoteType.PRECOMMIT, height, 1, block_hash) for k in keys]
    return commit_from_votes(height, 1, block_hash, votes)


def test_a_commit_of_two_thirds_plus_verifies() -> None:
    commit = commit_by(KEYS[:3])
    verify_commit(VALS, GENESIS_HASH, BLOCK, commit, height=3)
    assert [s.validator.raw for s in commit.signatures] == sorted(
        s.validator.raw for s in commit.signatures
    )
    assert Commit.decode(commit.encode()) == commit


def test_exactly_two_thirds_is_not_enough() -> None:
    vals = ValidatorSet.create((k.public_key, 1) for k in KEYS[:3])
    with pytest.raises(InsufficientPowerError, match="more than 2/3"):
        verify_commit(vals, GENESIS_HASH, BLOCK, commit_by(KEYS[:2]))


def test_insufficient_power_is_refused() -> None:
    with pytest.raises(InsufficientPowerError):
        verify_commit(VALS, GENESIS_HASH, BLOCK, commit_by(KEYS[:2]))
    with pytest.raises(InsufficientPowerError):
        verify_commit(VALS, GENESIS_HASH, BLOCK, Commit(3, 1, BLOCK, ()))


def test_duplicated_signer_is_refused() -> None:
    commit = commit_by(KEYS[:2])
    doubled = Commit(3, 1, BLOCK, (*commit.signatures, commit.signatures[0]))
    with pytest.raises(DuplicateSignerError):
        verify_commit(VALS, GENESIS_HASH, BLOCK, doubled)


def test_forged_signature_is_refused() -> None:
    commit = commit_by(KEYS[:3])
    sigs = list(commit.signatures)
    sigs[1] = CommitSig(sigs[1].validator, bytes(64))
    with pytest.raises(BadSignatureError, match="signature 1"):
        verify_commit(VALS, GENESIS_HASH, BLOCK, Commit(3, 1, BLOCK, tuple(sigs)))
    # precommits of another chain, or prevotes, do not make a commit
    with pytest.raises(BadSignatureError):
        verify_commit(VALS, bytes(32), BLOCK, commit)
    prevotes = [raw_vote(k, VoteType.PREVOTE, 3, 1, BLOCK) for k in KEYS[:3]]
    as_commit = Commit(3, 1, BLOCK, tuple(CommitSig(v.validator, v.signature) for v in prevotes))
    with pytest.raises(BadSignatureError):
        verify_commit(VALS, GENESIS_HASH, BLOCK, as_commit)


def test_unknown_signer_is_refused_even_with_enough_power() -> None:
    stranger = PrivateKey.from_secret(b"stranger")
    with pytest.raises(UnknownSignerError):
        verify_commit(VALS, GENESIS_HASH, BLOCK, commit_by([*KEYS[:3], stranger]))


def test_commit_for_another_block_or_height_is_refused() -> None:
    commit = commit_by(KEYS[:3])
    with pytest.raises(WrongBlockError, match="not"):
        verify_commit(VALS, GENESIS_HASH, bytes(32), commit)
    with pytest.raises(WrongBlockError, match="height"):
        verify_commit(VALS, GENESIS_HASH, BLOCK, commit, height=4)
    # signatures moved to another height no longer verify
    moved = Commit(4, 1, BLOCK, commit.signatures)
    with pytest.raises(BadSignatureError):
        verify_commit(VALS, GENESIS_HASH, BLOCK, moved)


def test_weighted_power_counts_not_heads() -> None:
    vals = ValidatorSet.create((k.public_key, p) for k, p in zip(KEYS, (1, 1, 1, 7), strict=True))
    verify_commit(vals, GENESIS_HASH, BLOCK, commit_by([KEYS[3]]))  # 7 of 10
    with pytest.raises(InsufficientPowerError):
        verify_commit(vals, GENESIS_HASH, BLOCK, commit_by(KEYS[:3]))
