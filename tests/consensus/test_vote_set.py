"""The tally of one vote type at one (height, round): who voted for what, with how much power.

The machine's rules fire on what `VoteSet` answers, so each answer is pinned here on its own:
first votes count once, the vote that crosses +2/3 is the one that says so, an equivocator's
second value counts only for that value and only once, and each equivocator is reported once.
"""

from __future__ import annotations

import pytest

from consensus.validators import Validator, ValidatorSet
from consensus.vote_set import VoteSet
from ledger.block import Vote, VoteType
from ledger.keys import PrivateKey

KEYS = sorted(  # a validator set lists its validators by address
    (PrivateKey.from_secret(f"vote-set-{i}".encode()) for i in range(7)),
    key=lambda k: k.address.raw,
)
BLOCK_A = b"\xaa" * 32
BLOCK_B = b"\xbb" * 32
NIL = b""


def validators(*powers: int) -> ValidatorSet:
    return ValidatorSet(
        tuple(Validator.create(k.public_key, p) for k, p in zip(KEYS, powers, strict=False))
    )


def vote(i: int, block_hash: bytes, vote_type: VoteType = VoteType.PREVOTE) -> Vote:
    """An unsigned vote: the set trusts its caller to have checked signatures."""
    return Vote(vote_type, 5, 2, block_hash, KEYS[i].address, bytes(64))


def test_first_votes_count_each_validators_power_once_for_its_value() -> None:
    votes = VoteSet(validators(1, 2, 3, 4), VoteType.PREVOTE)
    assert votes.vote_type is VoteType.PREVOTE
    assert votes.quorum == 7 and len(votes) == 0 and votes.get(vote(0, NIL)) is None
    votes.add(vote(3, BLOCK_A))
    votes.add(vote(1, BLOCK_A))
    votes.add(vote(0, NIL))
    assert (votes.power_for(BLOCK_A), votes.power_for(NIL), votes.power_for(BLOCK_B)) == (6, 1, 0)
    assert votes.power == 7 and len(votes) == 3
    assert votes.get(vote(3, BLOCK_B)) == vote(3, BLOCK_A)  # the counted one, whatever is asked
    assert votes.votes_for(BLOCK_A) == sorted([vote(3, BLOCK_A), vote(1, BLOCK_A)], key=by_address)
    with pytest.raises(ValueError, match="already voted"):
        votes.add(vote(3, BLOCK_B))
    assert votes.power == 7 and votes.power_for(BLOCK_B) == 0


def by_address(v: Vote) -> bytes:
    return v.validator.raw


def test_a_given_power_is_used_as_is() -> None:
    """The caller may pass the power it already looked up (the set does not look it up again)."""
    votes = VoteSet(validators(1, 2, 3, 4), VoteType.PRECOMMIT)
    assert votes.add(vote(0, BLOCK_A), power=7)
    assert votes.power == 7 and votes.power_for(BLOCK_A) == 7


def test_only_the_vote_that_crosses_two_thirds_says_so() -> None:
    """Seven equal validators, +2/3 is 5: the 5th vote takes the set across, the 5th for A takes
    A across; the votes in between and after change no rule's outcome."""
    votes = VoteSet(validators(*[1] * 7), VoteType.PREVOTE)
    assert votes.quorum == 5
    crossed = [votes.add(vote(i, h)) for i, h in enumerate([NIL, NIL, BLOCK_A, BLOCK_A])]
    assert crossed == [False] * 4 and not votes.has_quorum_any()
    assert votes.add(vote(4, BLOCK_A))  # the set: 5 of 7
    assert votes.has_quorum_any() and not votes.has_quorum_for(BLOCK_A)
    assert not votes.add(vote(5, BLOCK_A))  # A: 4 of 7
    assert votes.add(vote(6, BLOCK_A))  # A: 5 of 7
    assert votes.has_quorum_for(BLOCK_A) and not votes.has_quorum_for(NIL)


def test_a_value_already_past_two_thirds_is_not_crossed_again() -> None:
    """Four equal validators, +2/3 is 3: the 3rd vote for A crosses, the 4th adds power only."""
    votes = VoteSet(validators(1, 1, 1, 1), VoteType.PRECOMMIT)
    assert [votes.add(vote(i, BLOCK_A)) for i in range(4)] == [False, False, True, False]
    assert votes.power_for(BLOCK_A) == 4


def test_an_equivocators_second_value_counts_for_that_value_only_and_once() -> None:
    votes = VoteSet(validators(1, 2, 3, 4), VoteType.PRECOMMIT)
    votes.add(vote(3, BLOCK_A))
    assert votes.counted(vote(3, BLOCK_A)) and not votes.counted(vote(3, BLOCK_B))
    assert votes.add_conflicting(vote(3, BLOCK_B))
    assert votes.counted(vote(3, BLOCK_B))
    assert votes.power_for(BLOCK_B) == 4  # a value nobody had voted for: exactly its power
    assert votes.power_for(BLOCK_A) == 4 and votes.power == 4 and len(votes) == 1
    assert not votes.add_conflicting(vote(3, BLOCK_B))  # already counted
    assert not votes.add_conflicting(vote(3, BLOCK_A))  # its first value
    assert votes.power_for(BLOCK_B) == 4 and votes.power_for(BLOCK_A) == 4
    assert votes.add_conflicting(vote(3, NIL))
    assert votes.power_for(NIL) == 4 and votes.power == 4
    assert votes.all_votes() == [vote(3, BLOCK_A), vote(3, BLOCK_B), vote(3, NIL)]
    assert votes.votes_for(BLOCK_B) == [vote(3, BLOCK_B)]


def test_a_conflicting_vote_without_a_first_vote_is_not_counted() -> None:
    votes = VoteSet(validators(1, 2, 3, 4), VoteType.PREVOTE)
    assert not votes.counted(vote(2, BLOCK_A))
    assert not votes.add_conflicting(vote(2, BLOCK_A))
    assert votes.power_for(BLOCK_A) == 0 and votes.all_votes() == []


def test_a_conflicting_vote_adds_to_a_value_others_voted_for() -> None:
    """Counted for its value, a second vote can take that value across +2/3."""
    votes = VoteSet(validators(1, 2, 3, 4), VoteType.PREVOTE)
    votes.add(vote(3, BLOCK_A))
    votes.add(vote(2, BLOCK_B))
    assert not votes.has_quorum_for(BLOCK_B)
    assert votes.add_conflicting(vote(3, BLOCK_B))
    assert votes.power_for(BLOCK_B) == 7 and votes.has_quorum_for(BLOCK_B)
    assert votes.power == 7  # each validator once in "+2/3 of any"


def test_each_equivocator_is_reported_once_per_set() -> None:
    votes = VoteSet(validators(1, 2, 3, 4), VoteType.PREVOTE)
    assert votes.first_report(vote(0, BLOCK_A))
    assert not votes.first_report(vote(0, BLOCK_B))  # the same validator again
    assert votes.first_report(vote(1, BLOCK_B))  # another equivocator is news
    assert not votes.first_report(vote(1, NIL))
    other_round = VoteSet(validators(1, 2, 3, 4), VoteType.PREVOTE)
    assert other_round.first_report(vote(0, BLOCK_A))
