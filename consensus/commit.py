"""Commit certificates: build one from counted precommits, and verify one against a validator set.

A commit proves a block when precommits for its hash at one (height, round), signed by distinct
validators of the set that signs that height, hold strictly more than 2/3 of the set's power.
`verify_commit` is strict: a certificate with any unknown, duplicate or invalid signature is
refused even if the rest would suffice, because an honest builder never produces one (a peer that
sends one is at fault). It is the check a late joiner, block sync and a light client run on every
block they did not see decided.
"""

from __future__ import annotations

from collections.abc import Iterable

from consensus.application import Verifier
from consensus.errors import (
    BadSignatureError,
    DuplicateSignerError,
    InsufficientPowerError,
    UnknownSignerError,
    WrongBlockError,
)
from consensus.validators import ValidatorSet
from ledger.block import Commit, CommitSig, Vote, VoteType
from ledger.keys import verify


def commit_from_votes(height: int, round_: int, block_hash: bytes, votes: Iterable[Vote]) -> Commit:
    """A commit from precommits for `block_hash`, with signatures in address order."""
    sigs = sorted(
        (
            CommitSig(v.validator, v.signature)
            for v in votes
            if v.type == VoteType.PRECOMMIT
            and (v.height, v.round, v.block_hash) == (height, round_, block_hash)
        ),
        key=lambda s: s.validator.raw,
    )
    return Commit(height, round_, block_hash, tuple(sigs))


def verify_commit(
    validators: ValidatorSet,
    genesis_hash: bytes,
    block_hash: bytes,
    commit: Commit,
    *,
    height: int | None = None,
    verifier: Verifier = verify,
) -> None:
    """Raise a `CommitError` subclass unless `commit` proves `block_hash` under `validators`.

    `height`, when given, must be the commit's height (the caller's block height).
    """
    if commit.block_hash != block_hash:
        raise WrongBlockError(
            f"commit is for block {commit.block_hash.hex()[:16]}, not {block_hash.hex()[:16]}"
        )
    if height is not None and commit.height != height:
        raise WrongBlockError(f"commit is for height {commit.height}, not {height}")
    message = Vote.sign_bytes_for(
        genesis_hash, VoteType.PRECOMMIT, commit.height, commit.round, commit.block_hash
    )
    seen: set[bytes] = set()
    power = 0
    for index, sig in enumerate(commit.signatures):
        validator = validators.get(sig.validator)
        if validator is None:
            raise UnknownSignerError(f"signature {index} is by {sig.validator}, not a validator")
        if sig.validator.raw in seen:
            raise DuplicateSignerError(f"signature {index}: {sig.validator} signed twice")
        seen.add(sig.validator.raw)
        if not verifier(validator.public_key, message, sig.signature):
            raise BadSignatureError(f"signature {index} by {sig.validator} does not verify")
        power += validator.power
    if not validators.has_quorum(power):
        raise InsufficientPowerError(
            f"signatures hold {power} of {validators.total_power} power; "
            f"more than 2/3 ({validators.quorum_power}) is needed"
        )
