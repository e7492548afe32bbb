"""Everything the machine remembers about one height: per-round proposals and votes, bounded.

Memory is bounded whatever peers send:
- a round at or below `current_round + ROUND_WINDOW` is admitted freely (rounds the machine has
  been through, and the next few);
- a round above that window is opened only for a vote of a validator that has opened fewer than
  `CATCHUP_ROUNDS_PER_VALIDATOR` such rounds (CometBFT's `peerCatchupRounds`, keyed by validator
  instead of peer). Honest validators ahead of us open the rounds they are in, so f + 1 of them
  still make us jump there (line 55), while a Byzantine validator can open at most two far rounds;
- proposals are admitted only inside the window (the proposer of a far round costs a rotation
  walk to find, and a jump makes the round current, where gossip delivers its proposal);
- each round keeps at most one proposal and one vote per validator and type, plus, for an
  equivocator, further votes for values that matter (nil or a block proposed at this height, so
  at most one per tracked round + 1) and at most `PARKED_PER_VALIDATOR` votes for other values,
  parked until a proposal for that value arrives (see consensus.vote_set).

So a height holds at most `current_round + ROUND_WINDOW + 1 + CATCHUP * n` rounds, where the
current round itself only grows by timeouts or by f + 1 honest votes.
"""

from __future__ import annotations

from consensus.messages import MAX_ROUND, Proposal
from consensus.proposer import ProposerRotation
from consensus.validators import Validator, ValidatorSet
from consensus.vote_set import VoteSet
from ledger.block import Vote, VoteType

ROUND_WINDOW = 8
CATCHUP_ROUNDS_PER_VALIDATOR = 2
PARKED_PER_VALIDATOR = 2  # per (round, type): conflicting votes for values not proposed yet
SIGN_BYTES_CACHE = 1024


class RoundState:
    """Proposal, prevotes and precommits of one round, plus the paper's "first time" flags."""

    __slots__ = (
        "precommit_timeout_scheduled",
        "precommits",
        "prevote_timeout_scheduled",
        "prevotes",
        "proposal",
        "proposal_hash",
        "proposal_timely",
        "quorum_prevote_seen",
        "voters",
        "voters_power",
    )

    def __init__(self, validators: ValidatorSet) -> None:
        self.proposal: Proposal | None = None
        self.proposal_hash = b""  # id(v) of the proposal, computed once
        self.proposal_timely = False  # its time was timely when it arrived (consensus.timeliness)
        self.prevotes = VoteSet(validators, VoteType.PREVOTE)
        self.precommits = VoteSet(validators, VoteType.PRECOMMIT)
        self.voters: set[bytes] = set()  # validators with any vote here (line 55)
        self.voters_power = 0
        self.prevote_timeout_scheduled = False  # line 34 "for the first time"
        self.quorum_prevote_seen = False  # line 36 "for the first time"
        self.precommit_timeout_scheduled = False  # line 47 "for the first time"

    def votes(self, vote_type: VoteType) -> VoteSet:
        return self.prevotes if vote_type == VoteType.PREVOTE else self.precommits


class HeightState:
    """The rounds of one height, the proposer rotation and the cache of valid(v)."""

    __slots__ = (
        "_catchup",
        "_parked",
        "_parked_count",
        "_sign_bytes",
        "genesis_hash",
        "height",
        "proposed",
        "rotation",
        "rounds",
        "valid_cache",
        "validators",
    )

    def __init__(self, height: int, validators: ValidatorSet, genesis_hash: bytes) -> None:
        self.height = height
        self.genesis_hash = genesis_hash
        self.validators = validators
        self.rotation: ProposerRotation = validators.rotation()
        self.rounds: dict[int, RoundState] = {}
        self.valid_cache: dict[bytes, bool] = {}  # block hash -> valid(v)
        self._catchup: dict[bytes, list[int]] = {}  # validator -> far rounds it opened
        self._sign_bytes: dict[tuple[VoteType, int, bytes], bytes] = {}  # one vote's bytes, shared
        self.proposed: set[bytes] = set()  # hashes of blocks proposed at this height
        # conflicting votes for a value nobody proposed (yet): hash -> (round, validator, type)
        self._parked: dict[bytes, dict[tuple[int, bytes, int], Vote]] = {}
        self._parked_count: dict[tuple[int, bytes, int], int] = {}

    def vote_sign_bytes(self, vote: Vote) -> bytes:
        """What `vote` signs; most votes of a round share it, so it is encoded once (bounded)."""
        key = (vote.type, vote.round, vote.block_hash)
        data = self._sign_bytes.get(key)
        if data is None:
            data = vote.sign_bytes(self.genesis_hash)
            if len(self._sign_bytes) < SIGN_BYTES_CACHE:
                self._sign_bytes[key] = data
        return data

    def proposer(self, round_: int) -> Validator:
        return self.validators.validators[self.rotation.proposer_index(round_)]

    def get(self, round_: int) -> RoundState | None:
        return self.rounds.get(round_)

    def round(self, round_: int) -> RoundState:
        """The state of a round the machine is in or has been in (always admitted)."""
        state = self.rounds.get(round_)
        if state is None:
            state = self.rounds[round_] = RoundState(self.validators)
        return state

    def in_window(self, round_: int, current_round: int) -> bool:
        return 0 <= round_ <= min(MAX_ROUND, current_round + ROUND_WINDOW)

    def may_open_for_vote(self, round_: int, current_round: int, validator: bytes) -> bool:
        """Whether a (verified) vote at `round_` may be stored: see the module docstring."""
        if round_ in self.rounds or self.in_window(round_, current_round):
            return True
        if not 0 <= round_ <= MAX_ROUND:
            return False
        return len(self._catchup.get(validator, ())) < CATCHUP_ROUNDS_PER_VALIDATOR

    def open_for_vote(self, round_: int, current_round: int, validator: bytes) -> RoundState:
        """The round's state, charging a far round to `validator`'s catch-up budget."""
        state = self.rounds.get(round_)
        if state is None:
            if not self.in_window(round_, current_round):
                self._catchup.setdefault(validator, []).append(round_)
            state = self.rounds[round_] = RoundState(self.validators)
        return state

    def add_vote(self, state: RoundState, vote: Vote, power: int | None = None) -> bool:
        """Count a verified first vote of its validator in its (round, type); True when it took
        the set or its value across +2/3 (see VoteSet.add)."""
        if power is None:
            power = self.validators.power_of(vote.validator)
        crossed = state.votes(vote.type).add(vote, power)
        key = vote.validator.raw
        if key not in state.voters:
            state.voters.add(key)
            state.voters_power += power
        return crossed

    def add_conflicting(self, state: RoundState, vote: Vote) -> bool:
        """Count an equivocator's further (verified) vote if its value matters; True if counted.

        A vote for nil or for a block proposed at this height counts for that value; any other
        is parked (bounded per validator, round and type) until a proposal for its value arrives.
        """
        block_hash = vote.block_hash
        if not block_hash or block_hash in self.proposed:
            return state.votes(vote.type).add_conflicting(vote)
        key = (vote.round, vote.validator.raw, int(vote.type))
        parked = self._parked.setdefault(block_hash, {})
        if key not in parked and self._parked_count.get(key, 0) < PARKED_PER_VALIDATOR:
            parked[key] = vote
            self._parked_count[key] = self._parked_count.get(key, 0) + 1
        return False

    def note_proposed(self, block_hash: bytes) -> bool:
        """A block was proposed at this height: count the votes parked for it; True if any."""
        if block_hash in self.proposed:
            return False
        self.proposed.add(block_hash)
        counted = False
        for vote in self._parked.pop(block_hash, {}).values():
            state = self.rounds.get(vote.round)
            if state is not None:
                counted = state.votes(vote.type).add_conflicting(vote) or counted
        return counted

    def quorum_for(self, round_: int, vote_type: VoteType, block_hash: bytes) -> bool:
        state = self.rounds.get(round_)
        return state is not None and state.votes(vote_type).has_quorum_for(block_hash)
