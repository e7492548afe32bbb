"""The Tendermint consensus state machine: inputs in, actions out.

Inputs (each returns the list of `Action`s to carry out, in order):

    on_start(height, validators, *, delay_ms=0)   enter a height (the paper's line 10 / 52-54)
    on_proposal(proposal, now_ms=t)               a ⟨PROPOSAL⟩ from any peer, at local time t
    on_vote(vote)                                 a ⟨PREVOTE⟩ or ⟨PRECOMMIT⟩ from any peer
    on_timeout(height, round, step)               a `ScheduleTimeout` that came due

Outputs: `Broadcast`, `ScheduleTimeout`, `Decide`, `EvidenceFound`, `Rejected` (consensus.actions).
The machine does no I/O, reads no clock and draws no randomness (the driver passes its clock's
reading with each proposal, to judge its time: consensus.timeliness): the same inputs in the same
order give the same actions, which is what lets a WAL replay a height and a simulator replay a
seed.
A consensus WAL records every input and every message the machine broadcast; on replay it feeds
the recorded own messages back through `on_proposal` / `on_vote` where they were logged (the guard
re-issues only its last signature), so the replayed vote counts and lock match the original run.

This module admits messages: it rejects the malformed, unsigned and foreign ones, drops
duplicates and rounds out of the window, turns equivocations into evidence and counts the rest
in the height's state; consensus.algorithm holds the paper's variables and fires its rules.
- Messages for a later height are dropped; the driver stashes them until it moves there.
- Not a deviation, but easy to get wrong: an equivocator's two votes each count for their own
  value, as the paper counts messages per value (consensus.vote_set explains the livelock that
  counting only the first one caused).
- Memory is bounded per height (see consensus.height_state): far rounds are ignored except for a
  small per-validator catch-up budget. The previous height's state is kept until the next one
  starts, so that a late vote contradicting a counted one still becomes evidence.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TypeAlias

from consensus.actions import Action, EvidenceFound, Rejected, RejectReason
from consensus.algorithm import Algorithm
from consensus.application import Application, Verifier
from consensus.evidence import make_evidence
from consensus.height_state import HeightState
from consensus.messages import MAX_ROUND, Proposal, Step
from consensus.signer import Signer
from consensus.timeliness import Synchrony
from consensus.timeouts import Timeouts
from consensus.validators import ValidatorSet
from ledger.block import Block, Vote, VoteType
from ledger.hashing import HASH_LEN
from ledger.keys import verify

log = logging.getLogger(__name__)

# Called with each message the machine admits (and the local time, for a proposal), before it
# changes anything: the driver logs it in the WAL there, so the WAL holds only what counts.
Journal: TypeAlias = Callable[[Proposal | Vote, int | None], None]


class ConsensusMachine:
    """One validator's (or observer's) view of consensus. Not thread-safe; one driver calls it."""

    def __init__(
        self,
        genesis_hash: bytes,
        app: Application,
        timeouts: Timeouts,
        *,
        signer: Signer | None = None,
        verifier: Verifier = verify,
        synchrony: Synchrony | None = None,
        journal: Journal | None = None,
    ) -> None:
        if signer is not None and signer.genesis_hash != genesis_hash:
            raise ValueError("the signer is for another chain")
        self.genesis_hash = genesis_hash
        self._alg = Algorithm(genesis_hash, app, timeouts, signer)
        self._verify = verifier
        self.synchrony = synchrony if synchrony is not None else Synchrony()
        self.journal = journal  # None while a WAL replays (consensus.wal_replay.replay)
        self._previous: HeightState | None = None  # the height before, for late equivocations

    # -- read-only view, for drivers, the WAL and tests --------------------------------------

    @property
    def height(self) -> int:
        return self._alg.height

    @property
    def round(self) -> int:
        return self._alg.round

    @property
    def step(self) -> Step:
        return self._alg.step

    @property
    def decided(self) -> bool:
        return self._alg.decided

    @property
    def locked(self) -> tuple[int, Block | None]:
        return self._alg.locked_round, self._alg.locked_value

    @property
    def valid(self) -> tuple[int, Block | None]:
        return self._alg.valid_round, self._alg.valid_value

    @property
    def signer(self) -> Signer | None:
        return self._alg.signer

    def restore_lock(self, round_: int, block_hash: bytes) -> None:
        """Take a lock the sign state remembers but the WAL replay did not re-derive (only
        `lockedRound` and id(lockedValue) matter to the rules); a weaker one is ignored."""
        alg = self._alg
        if alg.hs is not None and not alg.decided and round_ > alg.locked_round:
            alg.locked_round, alg.locked_hash, alg.locked_value = round_, block_hash, None

    def resume_round(self, height: int, round_: int) -> list[Action]:
        """WAL replay only: move to `round_` as the original run did, when a compacted WAL no
        longer holds the timeouts and votes that led there (consensus.wal, "A bound per
        height"). Moving to a higher round never endangers safety: the lock and the double-sign
        guard rule what is signed, whatever the round."""
        alg = self._alg
        out = alg.out = []
        if alg.hs is None or alg.decided or height != alg.height or round_ <= alg.round:
            return out
        alg.start_round(round_)
        alg.progress()
        return out

    def stay_silent(self) -> None:
        """Sign nothing more at this height (follow it as an observer); the next height signs
        again. For a replay that could not re-derive the last signature of the height."""
        self._alg.me = None

    @property
    def validators(self) -> ValidatorSet | None:
        hs = self._alg.hs
        return hs.validators if hs else None

    def round_messages(self, round_: int) -> list[Proposal | Vote]:
        """The proposal and counted votes of `round_` at this height, for gossip to laggards."""
        hs = self._alg.hs
        state = hs.get(round_) if hs else None
        if state is None:
            return []
        votes: list[Proposal | Vote] = [
            *state.prevotes.all_votes(),
            *state.precommits.all_votes(),
        ]
        return [state.proposal, *votes] if state.proposal else votes

    @property
    def tracked_rounds(self) -> int:
        """How many rounds of the current height hold state (bounded; see height_state)."""
        hs = self._alg.hs
        return len(hs.rounds) if hs else 0

    # -- inputs ------------------------------------------------------------------------------

    def on_start(self, height: int, validators: ValidatorSet, *, delay_ms: int = 0) -> list[Action]:
        """Enter `height` with its validator set; round 0 starts after `delay_ms`."""
        alg = self._alg
        if height <= alg.height:
            raise ValueError(f"cannot start height {height} at height {alg.height}")
        out = alg.out = []
        previous = alg.hs
        self._previous = previous if previous and previous.height == height - 1 else None
        alg.enter_height(height, validators, delay_ms)
        return out

    def on_proposal(self, proposal: Proposal, *, now_ms: int) -> list[Action]:
        """A proposal received when the local clock read `now_ms` (logged with it in the WAL)."""
        alg = self._alg
        out = alg.out = []
        hs = alg.hs
        if hs is None or alg.decided or proposal.height != alg.height:
            return out
        r = proposal.round
        if not (0 <= r <= MAX_ROUND and -1 <= proposal.pol_round < r) or (
            proposal.block.header.height != proposal.height
        ):
            out.append(Rejected(proposal, RejectReason.MALFORMED))
            return out
        if not hs.in_window(r, alg.round):
            return out
        block_hash = proposal.block.hash()
        state = hs.get(r)
        known = state.proposal if state else None
        if known is not None and (known.pol_round, known.signature) == (
            proposal.pol_round,
            proposal.signature,
        ):
            return out  # the same proposal again
        proposer = hs.proposer(r)
        message = Proposal.sign_bytes_for(
            self.genesis_hash, proposal.height, r, proposal.pol_round, block_hash
        )
        if not self._verify(proposer.public_key, message, proposal.signature):
            out.append(Rejected(proposal, RejectReason.BAD_SIGNATURE))
            return out
        if known is not None:
            out.append(Rejected(proposal, RejectReason.CONFLICTING_PROPOSAL))
            return out
        if self.journal is not None:
            self.journal(proposal, now_ms)
        state = hs.round(r)
        state.proposal = proposal
        state.proposal_hash = block_hash
        block_time = proposal.block.header.time_ms
        state.proposal_timely = self.synchrony.timely(block_time, now_ms, r)
        if not state.proposal_timely and proposal.pol_round == -1:
            log.warning(
                "proposal of height %d round %d is not timely: its time is %+d ms from this "
                "node's clock (allowed: -%d .. +%d); prevoting nil",
                proposal.height,
                r,
                block_time - now_ms,
                self.synchrony.precision_ms + self.synchrony.message_delay(r),
                self.synchrony.precision_ms,
            )
        hs.note_proposed(block_hash)
        if not alg.try_decide(r):
            alg.progress()
        return out

    def on_vote(self, vote: Vote) -> list[Action]:
        alg = self._alg
        out = alg.out = []
        hs = alg.hs
        if hs is None:
            return out
        if alg.decided or vote.height != alg.height:
            late = hs if alg.decided and vote.height == alg.height else None
            if vote.height == alg.height - 1:
                late = self._previous
            if late is not None:
                self._late_vote(late, vote)
            return out
        validator = hs.validators.get(vote.validator)
        if validator is None:
            out.append(Rejected(vote, RejectReason.NOT_A_VALIDATOR))
            return out
        if not (0 <= vote.round <= MAX_ROUND and len(vote.block_hash) in (0, HASH_LEN)):
            out.append(Rejected(vote, RejectReason.MALFORMED))
            return out
        key = vote.validator.raw
        state = hs.rounds.get(vote.round)
        votes = state.votes(vote.type) if state is not None else None
        known = votes.votes.get(key) if votes is not None else None
        if known is not None and votes is not None and votes.counted(vote):
            return out  # the same vote again (or the same vote re-signed)
        if state is None and not hs.may_open_for_vote(vote.round, alg.round, key):
            return out  # a far round and this validator spent its catch-up budget
        if not self._verify(validator.public_key, hs.vote_sign_bytes(vote), vote.signature):
            out.append(Rejected(vote, RejectReason.BAD_SIGNATURE))
            return out
        if self.journal is not None:
            self.journal(vote, None)
        if known is not None:
            assert state is not None and votes is not None
            if votes.first_report(vote):
                out.append(EvidenceFound(make_evidence(known, vote)))
            # the paper counts it for its own value (see consensus.vote_set)
            if hs.add_conflicting(state, vote) and not (
                vote.type == VoteType.PRECOMMIT and alg.try_decide(vote.round)
            ):
                alg.progress()
            return out
        if state is None:
            state = hs.open_for_vote(vote.round, alg.round, key)
        # The machine was at a fixpoint before this vote, and every rule but line 55 waits for
        # +2/3 of one (round, type), of any value or of one value: only a vote that takes its
        # set or its value across +2/3 can make one fire.
        crossed = hs.add_vote(state, vote, validator.power)
        r = vote.round
        if crossed and vote.type == VoteType.PRECOMMIT and alg.try_decide(r):
            return out
        # line 55: upon f + 1 ⟨*, h_p, round, *, *⟩ with round > round_p do StartRound(round)
        if r > alg.round and hs.validators.has_one_third(state.voters_power):
            alg.start_round(r)
        elif not crossed:
            return out
        alg.progress()
        return out

    def timeout_matters(self, height: int, round_: int) -> bool:
        """False for a timeout `on_timeout` would ignore (another height, a decided one, a past
        round): a driver need not log it in the WAL."""
        return (
            self._alg.hs is not None
            and not self.decided
            and (height, round_)
            == (
                self.height,
                self.round,
            )
        )

    def on_timeout(self, height: int, round_: int, step: Step) -> list[Action]:
        alg = self._alg
        out = alg.out = []
        if alg.hs is None or alg.decided or height != alg.height:
            return out
        alg.on_timeout(round_, step)
        return out

    def _late_vote(self, hs: HeightState, vote: Vote) -> None:
        """A vote for a height already decided changes nothing but can still be evidence: an
        equivocator's second vote often arrives after the decision (CometBFT checks late
        precommits against its LastCommit; this checks every counted vote of the height)."""
        state = hs.get(vote.round) if 0 <= vote.round <= MAX_ROUND else None
        votes = state.votes(vote.type) if state is not None else None
        if state is None or votes is None or votes.counted(vote):
            return  # a round nobody voted in here, or a vote we have
        validator = hs.validators.get(vote.validator)
        if validator is None or len(vote.block_hash) not in (0, HASH_LEN):
            return
        if not self._verify(validator.public_key, hs.vote_sign_bytes(vote), vote.signature):
            self._alg.out.append(Rejected(vote, RejectReason.BAD_SIGNATURE))
            return
        known = votes.get(vote)
        if known is None:
            hs.add_vote(state, vote, validator.power)  # kept: its twin may follow
        elif votes.first_report(vote):
            self._alg.out.append(EvidenceFound(make_evidence(known, vote)))
