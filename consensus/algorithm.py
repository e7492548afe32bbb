"""The rules of Tendermint's Algorithm 1 over one node's variables; the machine feeds it.

This is Algorithm 1 of "The latest gossip on BFT consensus" (Buchman, Kwon, Milosevic, 2018,
arXiv:1807.04938); comments cite its line numbers so the two can be read side by side. Weighted
voting replaces counting: "2f + 1" is strictly more than 2/3 of the power, "f + 1" strictly more
than 1/3. `id(v)` is the block hash and `valid(v)` is `Application.validate`.

`Algorithm` holds the variables of lines 2-9 and fires the rules (StartRound, the "upon" rules,
the timeouts and the decision); `ConsensusMachine` (consensus.machine) checks every message and
counts it in the height's state before asking the rules to progress. Every proposal and vote is
signed through the `Signer` (the double-sign guard) first; when the guard refuses, the algorithm
stays silent for that step but moves on as if it had spoken.

Deviations from the pseudocode, all harmless to safety:
- After a decision the algorithm does not start the next height itself (lines 52-54): the driver
  persists the block, then calls `on_start(h + 1, next_validators, delay_ms=block_interval)`.
- The proposer also schedules the propose timeout (line 21 schedules it only for others), so a
  proposer whose guard refuses to sign still leaves the propose step.
- Line 55 counts votes only (not proposals) from distinct validators of a higher round.
"""

from __future__ import annotations

import logging

from consensus.actions import Action, Broadcast, Decide, ScheduleTimeout
from consensus.application import Application
from consensus.commit import commit_from_votes
from consensus.errors import DoubleSignError
from consensus.height_state import HeightState
from consensus.messages import MAX_ROUND, NIL, Step
from consensus.signer import Signer
from consensus.timeouts import Timeouts
from consensus.validators import ValidatorSet
from ledger.block import Block, VoteType
from ledger.keys import Address

log = logging.getLogger(__name__)


class Algorithm:
    """One node's variables (lines 2-9) and the rules that change them. Actions go to `out`,
    which the machine replaces before each input."""

    def __init__(
        self, genesis_hash: bytes, app: Application, timeouts: Timeouts, signer: Signer | None
    ) -> None:
        self.genesis_hash = genesis_hash
        self._app = app
        self._timeouts = timeouts
        self.signer = signer
        self.out: list[Action] = []
        self.hs: HeightState | None = None
        self.me: Address | None = None  # our address while we are a validator of this height
        self.decided = False
        # lines 2-9
        self.height = 0
        self.round = 0
        self.step = Step.NEW_HEIGHT
        self.locked_value: Block | None = None
        self.locked_hash: bytes | None = None
        self.locked_round = -1
        self.valid_value: Block | None = None
        self.valid_round = -1

    def enter_height(self, height: int, validators: ValidatorSet, delay_ms: int) -> None:
        """Lines 52-54 and 10: a fresh height; round 0 starts now or after `delay_ms`."""
        self.height = height
        self.hs = HeightState(height, validators, self.genesis_hash)
        self.decided = False
        self.round, self.step = 0, Step.NEW_HEIGHT
        # line 53: reset lockedRound, lockedValue, validRound and validValue
        self.locked_value, self.locked_hash, self.locked_round = None, None, -1
        self.valid_value, self.valid_round = None, -1
        me = self.signer.address if self.signer else None
        self.me = me if me is not None and me in validators else None
        if delay_ms > 0:
            self.out.append(ScheduleTimeout(height, 0, Step.NEW_HEIGHT, delay_ms))
        else:
            self.start_round(0)  # line 10 / 54
            self.progress()

    def on_timeout(self, round_: int, step: Step) -> None:
        """A timeout of this height came due (a stale one changes nothing)."""
        if step == Step.NEW_HEIGHT:
            if self.step == Step.NEW_HEIGHT and self.round == 0:
                self.start_round(0)
        elif step == Step.PROPOSE:
            # lines 57-60: OnTimeoutPropose
            if round_ == self.round and self.step == Step.PROPOSE:
                self._vote(VoteType.PREVOTE, NIL)
                self.step = Step.PREVOTE
        elif step == Step.PREVOTE:
            # lines 61-64: OnTimeoutPrevote
            if round_ == self.round and self.step == Step.PREVOTE:
                self._vote(VoteType.PRECOMMIT, NIL)
                self.step = Step.PRECOMMIT
        elif round_ == self.round and self.step != Step.NEW_HEIGHT and round_ < MAX_ROUND:
            # step is PRECOMMIT here. Lines 65-67: OnTimeoutPrecommit
            self.start_round(round_ + 1)
        self.progress()

    def start_round(self, round_: int) -> None:
        """Lines 11-21: StartRound(round)."""
        hs = self.require_height()
        self.round = round_  # line 12
        self.step = Step.PROPOSE  # line 13
        hs.round(round_)
        self._schedule(Step.PROPOSE)  # line 21 (see module docstring: the proposer too)
        proposer = hs.proposer(round_)
        if self.me is None or proposer.address != self.me:  # line 14
            return
        if self.valid_value is not None:  # line 15
            block = self.valid_value  # line 16
        else:
            built = self._app.propose(self.height, round_)  # line 18
            if built is None:  # no block can be built: the round goes on (the propose timeout)
                log.warning("no block to propose at height %d round %d", self.height, round_)
                return
            block = built
            hs.valid_cache[block.hash()] = True  # our own application built it
        signer = self.signer
        assert signer is not None  # me is set only with a signer
        try:
            proposal = signer.sign_proposal(self.height, round_, self.valid_round, block)
        except DoubleSignError as exc:
            log.warning("not proposing at height %d round %d: %s", self.height, round_, exc)
            return
        self.out.append(Broadcast(proposal))  # line 19
        state = hs.round(round_)
        state.proposal = proposal
        state.proposal_hash = block.hash()
        state.proposal_timely = True  # its time is our clock's (or its POL round's)
        hs.note_proposed(state.proposal_hash)

    def progress(self) -> None:
        """Apply the rules of the current round until none fires (each fires at most once)."""
        while not self.decided and self.step != Step.NEW_HEIGHT and self._fire_one_rule():
            pass

    def _fire_one_rule(self) -> bool:
        hs = self.require_height()
        r = self.round
        state = hs.round(r)
        if self.try_decide(r):
            return True
        proposal, vid = state.proposal, state.proposal_hash
        if self.step == Step.PROPOSE and proposal is not None:
            vr = proposal.pol_round
            if vr == -1:
                # line 22: upon ⟨PROPOSAL, h_p, round_p, v, -1⟩ while step_p = propose
                # line 23 (PBTS): valid(v) and timely(v) and (lockedRound = -1 or lockedValue = v)
                ok = (
                    self._is_valid(proposal.block, vid)
                    and state.proposal_timely
                    and (self.locked_round == -1 or self.locked_hash == vid)
                )
                self._vote(VoteType.PREVOTE, vid if ok else NIL)  # lines 24 / 26
                self.step = Step.PREVOTE  # line 27
                return True
            if hs.quorum_for(vr, VoteType.PREVOTE, vid):
                # line 28: ... AND 2f + 1 ⟨PREVOTE, h_p, vr, id(v)⟩ while step_p = propose
                #          ∧ (vr ≥ 0 ∧ vr < round_p)
                ok = self._is_valid(proposal.block, vid) and (
                    self.locked_round <= vr or self.locked_hash == vid
                )  # line 29
                self._vote(VoteType.PREVOTE, vid if ok else NIL)  # lines 30 / 32
                self.step = Step.PREVOTE  # line 33
                return True
        if (
            self.step == Step.PREVOTE
            and not state.prevote_timeout_scheduled
            and state.prevotes.has_quorum_any()
        ):
            # lines 34-35: upon 2f + 1 ⟨PREVOTE, h_p, round_p, *⟩ while step_p = prevote
            # for the first time: schedule OnTimeoutPrevote
            state.prevote_timeout_scheduled = True
            self._schedule(Step.PREVOTE)
            return True
        if (
            self.step >= Step.PREVOTE
            and proposal is not None
            and not state.quorum_prevote_seen
            and state.prevotes.has_quorum_for(vid)
            and self._is_valid(proposal.block, vid)
        ):
            # line 36: upon ⟨PROPOSAL, h_p, round_p, v, *⟩ AND 2f + 1 ⟨PREVOTE, h_p, round_p, id(v)⟩
            #          while valid(v) ∧ step_p ≥ prevote for the first time
            state.quorum_prevote_seen = True
            if self.step == Step.PREVOTE:  # line 37
                self.locked_value, self.locked_hash = proposal.block, vid  # line 38
                self.locked_round = r  # line 39
                self._vote(VoteType.PRECOMMIT, vid)  # line 40
                self.step = Step.PRECOMMIT  # line 41
            self.valid_value = proposal.block  # line 42
            self.valid_round = r  # line 43
            return True
        if self.step == Step.PREVOTE and state.prevotes.has_quorum_for(NIL):
            # lines 44-46: upon 2f + 1 ⟨PREVOTE, h_p, round_p, nil⟩ while step_p = prevote
            self._vote(VoteType.PRECOMMIT, NIL)
            self.step = Step.PRECOMMIT
            return True
        if not state.precommit_timeout_scheduled and state.precommits.has_quorum_any():
            # lines 47-48: upon 2f + 1 ⟨PRECOMMIT, h_p, round_p, *⟩ for the first time
            state.precommit_timeout_scheduled = True
            self._schedule(Step.PRECOMMIT)
            return True
        return False

    def try_decide(self, round_: int) -> bool:
        """Lines 49-51: upon ⟨PROPOSAL, h_p, r, v, *⟩ AND 2f + 1 ⟨PRECOMMIT, h_p, r, id(v)⟩
        while decision_p[h_p] = nil: if valid(v) then decide v."""
        hs = self.require_height()
        state = hs.get(round_)
        if self.decided or state is None or state.proposal is None:
            return False
        vid = state.proposal_hash
        if not state.precommits.has_quorum_for(vid):
            return False
        if not self._is_valid(state.proposal.block, vid):  # line 50
            log.error("+2/3 precommitted block %s that this node finds invalid", vid.hex())
            return False
        commit = commit_from_votes(self.height, round_, vid, state.precommits.votes_for(vid))
        self.decided = True  # line 51
        log.debug("decided height %d round %d block %s", self.height, round_, vid.hex()[:16])
        self.out.append(Decide(self.height, round_, state.proposal.block, commit))
        return True

    def require_height(self) -> HeightState:
        if self.hs is None:
            raise RuntimeError("on_start has not been called")
        return self.hs

    # -- helpers -----------------------------------------------------------------------------

    def _vote(self, vote_type: VoteType, block_hash: bytes) -> None:
        """Sign (through the guard), broadcast and count our own vote."""
        if self.me is None or self.signer is None:
            return
        try:
            vote = self.signer.sign_vote(vote_type, self.height, self.round, block_hash)
        except DoubleSignError as exc:
            log.warning("staying silent: %s", exc)
            return
        self.out.append(Broadcast(vote))
        hs = self.require_height()
        state = hs.round(self.round)
        if state.votes(vote_type).get(vote) is None:
            hs.add_vote(state, vote)

    def _schedule(self, step: Step) -> None:
        delay = self._timeouts.for_step(step, self.round)
        self.out.append(ScheduleTimeout(self.height, self.round, step, delay))

    def _is_valid(self, block: Block, block_hash: bytes) -> bool:
        """valid(v), asked of the application at most once per block per height."""
        hs = self.require_height()
        cached = hs.valid_cache.get(block_hash)
        if cached is None:
            cached = block.header.height == self.height and self._app.validate(block)
            hs.valid_cache[block_hash] = cached
        return cached
