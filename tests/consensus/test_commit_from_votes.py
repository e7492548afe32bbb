"""Building a commit certificate from the votes a node holds: only precommits for the decided
block at the decided (height, round) go in, in address order, whatever else was received."""

from __future__ import annotations

from consensus.commit import commit_from_votes, verify_commit
from consensus.validators import Validator, ValidatorSet
from ledger.block import VoteType
from tests.consensus.harness import GENESIS_HASH, raw_vote, validator_keys

BLOCK = b"\x11" * 32
OTHER = b"\x22" * 32


def test_only_precommits_for_the_block_at_its_height_and_round_are_taken() -> None:
    keys = validator_keys(4)
    validators = ValidatorSet(
        tuple(
            sorted((Validator.create(k.public_key, 1) for k in keys), key=lambda v: v.address.raw)
        )
    )
    wanted = [raw_vote(k, VoteType.PRECOMMIT, 7, 1, BLOCK) for k in keys[:3]]
    noise = [
        raw_vote(keys[3], VoteType.PREVOTE, 7, 1, BLOCK),  # a prevote
        raw_vote(keys[3], VoteType.PRECOMMIT, 7, 1, OTHER),  # another block
        raw_vote(keys[3], VoteType.PRECOMMIT, 7, 2, BLOCK),  # another round
        raw_vote(keys[3], VoteType.PRECOMMIT, 8, 1, BLOCK),  # another height
        raw_vote(keys[3], VoteType.PRECOMMIT, 7, 1, b""),  # nil
    ]
    commit = commit_from_votes(7, 1, BLOCK, [noise[0], *wanted[::-1], *noise[1:]])
    assert (commit.height, commit.round, commit.block_hash) == (7, 1, BLOCK)
    assert [s.validator for s in commit.signatures] == sorted(
        (v.validator for v in wanted), key=lambda a: a.raw
    )
    verify_commit(validators, GENESIS_HASH, BLOCK, commit, height=7)
