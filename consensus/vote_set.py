"""The votes of one type at one (height, round), tallied per value.

The paper counts, for each value, the messages from distinct processes that vote for it. A
validator's first vote counts (`add`). A second, different vote from the same validator is
evidence of equivocation, and it also counts for its own value (`add_conflicting`) when the
caller says that value matters (nil, or a block proposed at this height): the paper counts it, and
without it honest nodes that saw an equivocator's votes in different orders would disagree forever
on whether a value has +2/3 (a proof-of-lock one node locked on, the others can never see).
CometBFT does the same for blocks a peer claims +2/3 for. "+2/3 of any" still counts each
validator once. Power is tallied per block hash (nil is `b""`) as votes arrive, so every threshold
question is O(1). The set does not check signatures or membership: the caller (`HeightState`)
admits only verified votes of validators of the set it was built with.
"""

from __future__ import annotations

from consensus.validators import ValidatorSet
from ledger.block import Vote, VoteType


class VoteSet:
    __slots__ = (
        "_extra",
        "_power_by_hash",
        "_reported",
        "power",
        "quorum",
        "validators",
        "vote_type",
        "votes",
    )

    def __init__(self, validators: ValidatorSet, vote_type: VoteType) -> None:
        self.validators = validators
        self.vote_type = vote_type
        self.votes: dict[bytes, Vote] = {}  # validator address bytes -> the counted vote
        self._power_by_hash: dict[bytes, int] = {}
        self.power = 0  # total power of distinct voters, whatever they voted for
        self._reported: set[bytes] = set()  # equivocators already reported at this (round, type)
        self._extra: dict[tuple[bytes, bytes], Vote] = {}  # (validator, hash) -> a further vote
        self.quorum = validators.quorum_power  # the least power that is more than 2/3

    def get(self, vote: Vote) -> Vote | None:
        """The counted vote of `vote.validator`, if any."""
        return self.votes.get(vote.validator.raw)

    def add(self, vote: Vote, power: int | None = None) -> bool:
        """Count `vote` (its validator's `power`, looked up when not given); the caller ensures
        the validator has no counted vote yet. True when this vote took the set, or its value,
        across +2/3 (the only votes that can make a rule of the machine fire)."""
        key = vote.validator.raw
        if key in self.votes:
            raise ValueError("validator already voted in this set")
        if power is None:
            power = self.validators.power_of(vote.validator)
        self.votes[key] = vote
        by_hash = self._power_by_hash
        before = by_hash.get(vote.block_hash, 0)
        by_hash[vote.block_hash] = before + power
        self.power += power
        q = self.quorum
        return self.power - power < q <= self.power or before < q <= before + power

    def counted(self, vote: Vote) -> bool:
        """Whether this validator's vote for this value is already counted."""
        first = self.votes.get(vote.validator.raw)
        if first is None:
            return False
        return first.block_hash == vote.block_hash or (
            (vote.validator.raw, vote.block_hash) in self._extra
        )

    def add_conflicting(self, vote: Vote) -> bool:
        """Count a vote of an equivocator for another value; False if already counted."""
        if self.counted(vote) or vote.validator.raw not in self.votes:
            return False
        self._extra[(vote.validator.raw, vote.block_hash)] = vote
        power = self.validators.power_of(vote.validator)
        self._power_by_hash[vote.block_hash] = self._power_by_hash.get(vote.block_hash, 0) + power
        return True

    def all_votes(self) -> list[Vote]:
        """Every counted vote: first votes, then further votes of equivocators."""
        return [*self.votes.values(), *self._extra.values()]

    def first_report(self, vote: Vote) -> bool:
        """True the first time an equivocation by `vote.validator` is reported here."""
        key = vote.validator.raw
        if key in self._reported:
            return False
        self._reported.add(key)
        return True

    def power_for(self, block_hash: bytes) -> int:
        return self._power_by_hash.get(block_hash, 0)

    def has_quorum_for(self, block_hash: bytes) -> bool:
        """+2/3 of the power voted for `block_hash` (b"" for nil)."""
        return self.validators.has_quorum(self.power_for(block_hash))

    def has_quorum_any(self) -> bool:
        """+2/3 of the power voted, for anything ("2f + 1 ⟨..., *⟩" in the paper)."""
        return self.validators.has_quorum(self.power)

    def votes_for(self, block_hash: bytes) -> list[Vote]:
        """The counted votes for `block_hash`, in validator (address) order."""
        return sorted(
            (v for v in self.all_votes() if v.block_hash == block_hash),
            key=lambda v: v.validator.raw,
        )

    def __len__(self) -> int:
        return len(self.votes)
