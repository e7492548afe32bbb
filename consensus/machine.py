"""The Tendermint consensus algorithm as a pure state machine: inputs in, actions out.

This is Algorithm 1 of "The latest gossip on BFT consensus" (Buchman, Kwon, Milosevic, 2018,
arXiv:1807.04938); comments cite its line numbers so the two can be read side by side. Weighted
voting replaces counting: "2f + 1" is strictly more than 2/3 of the power, "f + 1" strictly more
than 1/3. `id(v)` is the block hash and `valid(v)` is `Application.validate`.

Inputs (each returns the list of `Action`s to carry out, in order):

    on_start(height, validators, *, delay_ms=0)   enter a height (the paper's line 10 / 52-54)
    on_proposal(proposal)                         a ⟨PROPOSAL⟩ from any peer
    on_vote(vote)                                 a ⟨PREVOTE⟩ or ⟨PRECOMMIT⟩ from any peer
    on_timeout(height, round, step)               a `ScheduleTimeout` that came due

Outputs: `Broadcast`, `ScheduleTimeout`, `Decide`, `EvidenceFound`, `Rejected` (consensus.actions).
The machine does no I/O, reads no clock and draws no randomness: the same inputs in the same order
give the same actions, which is what lets a WAL replay a height and a simulator replay a seed.
Every proposal and vote it sends is signed through the `Signer` (the double-sign guard) first;
when the guard refuses, the machine stays silent for that step but moves on as if it had spoken.
A consensus WAL records every input and every message the machine broadcast; on replay it feeds
the recorded own messages back through `on_proposal` / `on_vote` where they were logged (the guard
re-issues only its last signature), so the replayed vote counts and lock match the original run.

Deviations from the pseudocode, all harmless to safety:
- After a decision the machine does not start the next height itself (lines 52-54): the driver
  persists the block, then calls `on_start(h + 1, next_validators, delay_ms=block_interval)`.
  Messages for a later height are dropped; the driver stashes them until it moves there.
- The proposer also schedules the propose timeout (line 21 schedules it only for others), so a
  proposer whose guard refuses to sign still leaves the propose step.
- Line 55 counts votes only (not proposals) from distinct validators of a higher round.
- Not a deviation, but easy to get wrong: an equivocator's two votes each count for their own
  value, as the paper counts messages per value (consensus.vote_set explains the livelock that
  counting only the first one caused).
- Memory is bounded per height (see consensus.height_state): far rounds are ignored except for a
  small per-validator catch-up budget. The previous height's state is kept until the next one
  starts, so that a late vote contradicting a counted one still becomes evidence.
"""

from __future__ import annotations

import logging

from consensus.actions import (
    Action,
    Broadcast,
    Decide,
    EvidenceFound,
    Rejected,
    RejectReason,
    ScheduleTimeout,
)
from consensus.application import Application, Verifier
from consensus.commit import commit_from_votes
from consensus.errors import DoubleSignError
from consensus.evidence import make_evidence
from consensus.height_state import HeightState
from consensus.messages import MAX_ROUND, NIL, Proposal, Step
from consensus.signer import Signer
from consensus.timeouts import Timeouts
from consensus.validators import ValidatorSet
from ledger.block import Block, Vote, VoteType
from ledger.hashing import HASH_LEN
from ledger.keys import Address, verify

log = logging.getLogger(__name__)


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
    ) -> None:
        if signer is not None and signer.genesis_hash != genesis_hash:
            raise ValueError("the signer is for another chain")
        self.genesis_hash = genesis_hash
        self._app = app
        self._timeouts = timeouts
        self._signer = signer
        self._verify = verifier
        self._out: list[Action] = []
        self._hs: HeightState | None = None
        self._previous: HeightState | None = None  # the height before, for late equivocations
        self._me: Address | None = None  # our address while we are a validator of this height
        self._decided = False
        # lines 2-9
        self._height = 0
        self._round = 0
        self._step = Step.NEW_HEIGHT
        self._locked_value: Block | None = None
        self._locked_hash: bytes | None = None
        self._locked_round = -1
        self._valid_value: Block | None = None
        self._valid_round = -1

    # -- read-only view, for drivers, the WAL and tests --------------------------------------

    @property
    def height(self) -> int:
        return self._height

    @property
    def round(self) -> int:
        return self._round

    @property
    def step(self) -> Step:
        return self._step

    @property
    def decided(self) -> bool:
        return self._decided

    @property
    def locked(self) -> tuple[int, Block | None]:
        return self._locked_round, self._locked_value

    @property
    def valid(self) -> tuple[int, Block | None]:
        return self._valid_round, self._valid_value

    @property
    def validators(self) -> ValidatorSet | None:
        return self._hs.validators if self._hs else None

    def round_messages(self, round_: int) -> list[Proposal | Vote]:
        """The proposal and counted votes of `round_` at this height, for gossip to laggards."""
        state = self._hs.get(round_) if self._hs else None
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
        return len(self._hs.rounds) if self._hs else 0

    # -- inputs ------------------------------------------------------------------------------

    def on_start(self, height: int, validators: ValidatorSet, *, delay_ms: int = 0) -> list[Action]:
        """Enter `height` with its validator set; round 0 starts after `delay_ms`."""
        if height <= self._height:
            raise ValueError(f"cannot start height {height} at height {self._height}")
        out = self._out = []
        self._height = height
        previous = self._hs
        self._previous = previous if previous and previous.height == height - 1 else None
        self._hs = HeightState(height, validators, self.genesis_hash)
        self._decided = False
        self._round, self._step = 0, Step.NEW_HEIGHT
        # line 53: reset lockedRound, lockedValue, validRound and validValue
        self._locked_value, self._locked_hash, self._locked_round = None, None, -1
        self._valid_value, self._valid_round = None, -1
        me = self._signer.address if self._signer else None
        self._me = me if me is not None and me in validators else None
        if delay_ms > 0:
            out.append(ScheduleTimeout(height, 0, Step.NEW_HEIGHT, delay_ms))
        else:
            self._start_round(0)  # line 10 / 54
            self._progress()
        return out

    def on_proposal(self, proposal: Proposal) -> list[Action]:
        out = self._out = []
        hs = self._hs
        if hs is None or self._decided or proposal.height != self._height:
            return out
        r = proposal.round
        if not (0 <= r <= MAX_ROUND and -1 <= proposal.pol_round < r) or (
            proposal.block.header.height != proposal.height
        ):
            out.append(Rejected(proposal, RejectReason.MALFORMED))
            return out
        if not hs.in_window(r, self._round):
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
        hs.round(r).proposal = proposal
        hs.round(r).proposal_hash = block_hash
        hs.note_proposed(block_hash)
        if not self._try_decide(r):
            self._progress()
        return out

    def on_vote(self, vote: Vote) -> list[Action]:
        out = self._out = []
        hs = self._hs
        if hs is None:
            return out
        if self._decided or vote.height != self._height:
            late = hs if self._decided and vote.height == self._height else None
            if vote.height == self._height - 1:
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
        if state is None and not hs.may_open_for_vote(vote.round, self._round, key):
            return out  # a far round and this validator spent its catch-up budget
        if not self._verify(validator.public_key, hs.vote_sign_bytes(vote), vote.signature):
            out.append(Rejected(vote, RejectReason.BAD_SIGNATURE))
            return out
        if known is not None:
            assert state is not None and votes is not None
            if votes.first_report(vote):
                out.append(EvidenceFound(make_evidence(known, vote)))
            # the paper counts it for its own value (see consensus.vote_set)
            if hs.add_conflicting(state, vote) and not (
                vote.type == VoteType.PRECOMMIT and self._try_decide(vote.round)
            ):
                self._progress()
            return out
        if state is None:
            state = hs.open_for_vote(vote.round, self._round, key)
        # The machine was at a fixpoint before this vote, and every rule but line 55 waits for
        # +2/3 of one (round, type), of any value or of one value: only a vote that takes its
        # set or its value across +2/3 can make one fire.
        crossed = hs.add_vote(state, vote, validator.power)
        r = vote.round
        if crossed and vote.type == VoteType.PRECOMMIT and self._try_decide(r):
            return out
        # line 55: upon f + 1 ⟨*, h_p, round, *, *⟩ with round > round_p do StartRound(round)
        if r > self._round and hs.validators.has_one_third(state.voters_power):
            self._start_round(r)
        elif not crossed:
            return out
        self._progress()
        return out

    def on_timeout(self, height: int, round_: int, step: Step) -> list[Action]:
        out = self._out = []
        if self._hs is None or self._decided or height != self._height:
            return out
        if step == Step.NEW_HEIGHT:
            if self._step == Step.NEW_HEIGHT and self._round == 0:
                self._start_round(0)
        elif step == Step.PROPOSE:
            # lines 57-60: OnTimeoutPropose
            if round_ == self._round and self._step == Step.PROPOSE:
                self._vote(VoteType.PREVOTE, NIL)
                self._step = Step.PREVOTE
        elif step == Step.PREVOTE:
            # lines 61-64: OnTimeoutPrevote
            if round_ == self._round and self._step == Step.PREVOTE:
                self._vote(VoteType.PRECOMMIT, NIL)
                self._step = Step.PRECOMMIT
        elif round_ == self._round and self._step != Step.NEW_HEIGHT and round_ < MAX_ROUND:
            # step is PRECOMMIT here. Lines 65-67: OnTimeoutPrecommit
            self._start_round(round_ + 1)
        self._progress()
        return out

    # -- the algorithm -----------------------------------------------------------------------

    def _start_round(self, round_: int) -> None:
        """Lines 11-21: StartRound(round)."""
        hs = self._require_height()
        self._round = round_  # line 12
        self._step = Step.PROPOSE  # line 13
        hs.round(round_)
        self._schedule(Step.PROPOSE)  # line 21 (see module docstring: the proposer too)
        proposer = hs.proposer(round_)
        if self._me is None or proposer.address != self._me:  # line 14
            return
        if self._valid_value is not None:  # line 15
            block = self._valid_value  # line 16
        else:
            block = self._app.propose(self._height, round_)  # line 18
            hs.valid_cache[block.hash()] = True  # our own application built it
        signer = self._signer
        assert signer is not None  # _me is set only with a signer
        try:
            proposal = signer.sign_proposal(self._height, round_, self._valid_round, block)
        except DoubleSignError as exc:
            log.warning("not proposing at height %d round %d: %s", self._height, round_, exc)
            return
        self._out.append(Broadcast(proposal))  # line 19
        state = hs.round(round_)
        state.proposal = proposal
        state.proposal_hash = block.hash()
        hs.note_proposed(state.proposal_hash)

    def _progress(self) -> None:
        """Apply the rules of the current round until none fires (each fires at most once)."""
        while not self._decided and self._step != Step.NEW_HEIGHT and self._fire_one_rule():
            pass

    def _fire_one_rule(self) -> bool:
        hs = self._require_height()
        r = self._round
        state = hs.round(r)
        if self._try_decide(r):
            return True
        proposal, vid = state.proposal, state.proposal_hash
        if self._step == Step.PROPOSE and proposal is not None:
            vr = proposal.pol_round
            if vr == -1:
                # line 22: upon ⟨PROPOSAL, h_p, round_p, v, -1⟩ while step_p = propose
                ok = self._is_valid(proposal.block, vid) and (
                    self._locked_round == -1 or self._locked_hash == vid
                )  # line 23
                self._vote(VoteType.PREVOTE, vid if ok else NIL)  # lines 24 / 26
                self._step = Step.PREVOTE  # line 27
                return True
            if hs.quorum_for(vr, VoteType.PREVOTE, vid):
                # line 28: ... AND 2f + 1 ⟨PREVOTE, h_p, vr, id(v)⟩ while step_p = propose
                #          ∧ (vr ≥ 0 ∧ vr < round_p)
                ok = self._is_valid(proposal.block, vid) and (
                    self._locked_round <= vr or self._locked_hash == vid
                )  # line 29
                self._vote(VoteType.PREVOTE, vid if ok else NIL)  # lines 30 / 32
                self._step = Step.PREVOTE  # line 33
                return True
        if (
            self._step == Step.PREVOTE
            and not state.prevote_timeout_scheduled
            and state.prevotes.has_quorum_any()
        ):
            # lines 34-35: upon 2f + 1 ⟨PREVOTE, h_p, round_p, *⟩ while step_p = prevote
            # for the first time: schedule OnTimeoutPrevote
            state.prevote_timeout_scheduled = True
            self._schedule(Step.PREVOTE)
            return True
        if (
            self._step >= Step.PREVOTE
            and proposal is not None
            and not state.quorum_prevote_seen
            and state.prevotes.has_quorum_for(vid)
            and self._is_valid(proposal.block, vid)
        ):
            # line 36: upon ⟨PROPOSAL, h_p, round_p, v, *⟩ AND 2f + 1 ⟨PREVOTE, h_p, round_p, id(v)⟩
            #          while valid(v) ∧ step_p ≥ prevote for the first time
            state.quorum_prevote_seen = True
            if self._step == Step.PREVOTE:  # line 37
                self._locked_value, self._locked_hash = proposal.block, vid  # line 38
                self._locked_round = r  # line 39
                self._vote(VoteType.PRECOMMIT, vid)  # line 40
                self._step = Step.PRECOMMIT  # line 41
            self._valid_value = proposal.block  # line 42
            self._valid_round = r  # line 43
            return True
        if self._step == Step.PREVOTE and state.prevotes.has_quorum_for(NIL):
            # lines 44-46: upon 2f + 1 ⟨PREVOTE, h_p, round_p, nil⟩ while step_p = prevote
            self._vote(VoteType.PRECOMMIT, NIL)
            self._step = Step.PRECOMMIT
            return True
        if not state.precommit_timeout_scheduled and state.precommits.has_quorum_any():
            # lines 47-48: upon 2f + 1 ⟨PRECOMMIT, h_p, round_p, *⟩ for the first time
            state.precommit_timeout_scheduled = True
            self._schedule(Step.PRECOMMIT)
            return True
        return False

    def _try_decide(self, round_: int) -> bool:
        """Lines 49-51: upon ⟨PROPOSAL, h_p, r, v, *⟩ AND 2f + 1 ⟨PRECOMMIT, h_p, r, id(v)⟩
        while decision_p[h_p] = nil: if valid(v) then decide v."""
        hs = self._require_height()
        state = hs.get(round_)
        if self._decided or state is None or state.proposal is None:
            return False
        vid = state.proposal_hash
        if not state.precommits.has_quorum_for(vid):
            return False
        if not self._is_valid(state.proposal.block, vid):  # line 50
            log.error("+2/3 precommitted block %s that this node finds invalid", vid.hex())
            return False
        commit = commit_from_votes(self._height, round_, vid, state.precommits.votes_for(vid))
        self._decided = True  # line 51
        log.debug("decided height %d round %d block %s", self._height, round_, vid.hex()[:16])
        self._out.append(Decide(self._height, round_, state.proposal.block, commit))
        return True

    # -- helpers -----------------------------------------------------------------------------

    def _vote(self, vote_type: VoteType, block_hash: bytes) -> None:
        """Sign (through the guard), broadcast and count our own vote."""
        if self._me is None or self._signer is None:
            return
        try:
            vote = self._signer.sign_vote(vote_type, self._height, self._round, block_hash)
        except DoubleSignError as exc:
            log.warning("staying silent: %s", exc)
            return
        self._out.append(Broadcast(vote))
        hs = self._require_height()
        state = hs.round(self._round)
        if state.votes(vote_type).get(vote) is None:
            hs.add_vote(state, vote)

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
            self._out.append(Rejected(vote, RejectReason.BAD_SIGNATURE))
            return
        known = votes.get(vote)
        if known is None:
            hs.add_vote(state, vote, validator.power)  # kept: its twin may follow
        elif votes.first_report(vote):
            self._out.append(EvidenceFound(make_evidence(known, vote)))

    def _schedule(self, step: Step) -> None:
        delay = self._timeouts.for_step(step, self._round)
        self._out.append(ScheduleTimeout(self._height, self._round, step, delay))

    def _is_valid(self, block: Block, block_hash: bytes) -> bool:
        """valid(v), asked of the application at most once per block per height."""
        hs = self._require_height()
        cached = hs.valid_cache.get(block_hash)
        if cached is None:
            cached = block.header.height == self._height and self._app.validate(block)
            hs.valid_cache[block_hash] = cached
        return cached

    def _require_height(self) -> HeightState:
        if self._hs is None:
            raise RuntimeError("on_start has not been called")
        return self._hs
