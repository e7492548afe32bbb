"""Vote, VoteCommit and VoteReveal.

A voter must be a member who is not jailed and not the target of the proposal (an expulsion's
target does not vote on it). Ballots are accepted while start <= now < end; secret ballots are
committed in that window and revealed in [end, end + reveal period), and an unrevealed commitment
counts for nothing. A second ballot replaces the first only when the policy allows replacement.
Support for a proposal with actions (a yes ballot, any weight on an allocation's choices, a
multisig approval: `note_support`) records the collective's size for the dilution bound and,
when the proposal moves value, locks the supporter's exit until the proposal is finalised.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from ledger.codec import Fields
from ledger.collectives.standing import require_active_member
from ledger.errors import ErrorCode, TxError
from ledger.governance import keys, running
from ledger.governance.ballots import SALT_LEN, Ballot, commitment, get_ballot, put_ballot, validate
from ledger.governance.electorate import has_weight
from ledger.governance.kinds import BinaryOption, DecisionMethod, VotingMethod
from ledger.governance.lifecycle import close_voting, note_support
from ledger.governance.proposal import (
    Proposal,
    Status,
    require_proposal,
    require_status,
)
from ledger.governance.tally import binary_certain
from ledger.hashing import HASH_LEN
from ledger.keys import Address
from ledger.state.context import BlockContext
from ledger.state.events import Event
from ledger.state.handlers import TxHandler, register_handler
from ledger.state.view import StateView
from ledger.tx import TxBody, TxKind, register_payload


@register_payload
@dataclass(frozen=True, slots=True)
class Vote:
    KIND: ClassVar[TxKind] = TxKind.VOTE
    proposal_id: int
    ballot: Ballot

    def to_fields(self) -> list[Any]:
        return [self.proposal_id, self.ballot.to_fields()]

    @classmethod
    def from_fields(cls, raw: object) -> Vote:
        f = Fields(raw, 2, "vote")
        return cls(f.int("proposal_id"), Ballot.from_fields(f.raw()))


@register_payload
@dataclass(frozen=True, slots=True)
class VoteCommit:
    KIND: ClassVar[TxKind] = TxKind.VOTE_COMMIT
    proposal_id: int
    commitment: bytes

    def to_fields(self) -> list[Any]:
        return [self.proposal_id, self.commitment]

    @classmethod
    def from_fields(cls, raw: object) -> VoteCommit:
        f = Fields(raw, 2, "vote_commit")
        return cls(f.int("proposal_id"), f.bytes("commitment", HASH_LEN, exact=True))


@register_payload
@dataclass(frozen=True, slots=True)
class VoteReveal:
    KIND: ClassVar[TxKind] = TxKind.VOTE_REVEAL
    proposal_id: int
    ballot: Ballot
    salt: bytes

    def to_fields(self) -> list[Any]:
        return [self.proposal_id, self.ballot.to_fields(), self.salt]

    @classmethod
    def from_fields(cls, raw: object) -> VoteReveal:
        f = Fields(raw, 3, "vote_reveal")
        return cls(
            f.int("proposal_id"),
            Ballot.from_fields(f.raw()),
            f.bytes("salt", SALT_LEN, exact=True),
        )


def voting_proposal(
    view: StateView, ctx: BlockContext, pid: int, voter: Address, secret: bool
) -> Proposal:
    """The proposal `voter` may vote on now (ballot window checks are the caller's)."""
    proposal = require_status(view, pid, Status.VOTING, code=ErrorCode.VOTING_CLOSED)
    policy = proposal.require_policy()
    if policy.method is DecisionMethod.MULTISIG:
        raise TxError(ErrorCode.INVALID_STATE, "a multisig proposal takes approvals, not votes")
    if policy.secret_ballot != secret:
        need = "committed and revealed" if policy.secret_ballot else "cast openly"
        raise TxError(ErrorCode.INVALID_STATE, f"ballots on this proposal are {need}")
    # lapse is judged at the start of voting, as the snapshot power is
    require_active_member(view, proposal.collective, voter, proposal.start_ms)
    if voter in proposal.excluded:
        raise TxError(ErrorCode.UNAUTHORIZED, "the target of an expulsion does not vote on it")
    if not has_weight(view, proposal, voter):
        raise TxError(ErrorCode.NO_VOTING_POWER, "no voting power at the proposal's snapshot")
    return proposal


WITHHELD = Ballot.binary(BinaryOption.ABSTAIN)
"""What a committed, not (yet) revealed yes/no ballot counts as: an abstention (issue 23). A
commitment thus counts towards turnout whether or not it is revealed, so withholding a reveal
after seeing the others' cannot sink the quorum; the most a committer can still do late is fall
back to abstaining. Polls have no abstain option: an unrevealed poll ballot counts nothing."""


def in_window(now: int, start: int, end: int) -> None:
    if not start <= now < end:
        raise TxError(ErrorCode.VOTING_CLOSED, "outside the window for this step")


def record_ballot(
    view: StateView,
    ctx: BlockContext,
    pid: int,
    proposal: Proposal,
    *,
    voter: Address,
    ballot: Ballot,
) -> list[Event]:
    """Store a ballot, keep exit locks and the dilution peak, and execute early if decided."""
    previous = get_ballot(view, pid, voter)
    put_ballot(view, pid, voter, ballot)
    running.record(view, pid, proposal, voter, ballot, previous=previous)
    if proposal.method is VotingMethod.BINARY:
        supported = ballot.supports(BinaryOption.YES)
    else:  # an allocation's ballot supports the targets it gives weight to, not "none"
        none = len(proposal.choices) - 1
        supported = any(ppm for option, ppm in ballot.parts() if option != none)
    proposal = note_support(view, pid, proposal, voter, supported)
    events = [Event.of("vote", proposal=pid, voter=voter.raw)]
    policy = proposal.require_policy()
    if policy.early_execution and proposal.method is VotingMethod.BINARY:
        tally = running.running_tally(view, pid, proposal).direct
        if binary_certain(policy, tally, proposal.total_power, proposal.expedited):
            events += close_voting(view, ctx, pid, proposal)
    return events


class VoteHandler(TxHandler[Vote]):
    payload_type = Vote

    def check_stateful(self, view: StateView, ctx: BlockContext, tx: TxBody, payload: Vote) -> None:
        proposal = voting_proposal(view, ctx, payload.proposal_id, tx.sender_address, False)
        in_window(ctx.time_ms, proposal.start_ms, proposal.end_ms)
        validate(payload.ballot, proposal.method, len(proposal.choices))
        replacing = get_ballot(view, payload.proposal_id, tx.sender_address) is not None
        if replacing and not proposal.require_policy().vote_replacement:
            raise TxError(ErrorCode.ALREADY_VOTED, "already voted; this policy keeps first votes")

    def apply(self, view: StateView, ctx: BlockContext, tx: TxBody, payload: Vote) -> list[Event]:
        pid = payload.proposal_id
        proposal = require_proposal(view, pid)
        return record_ballot(
            view, ctx, pid, proposal, voter=tx.sender_address, ballot=payload.ballot
        )


class VoteCommitHandler(TxHandler[VoteCommit]):
    payload_type = VoteCommit

    def check_stateful(
        self, view: StateView, ctx: BlockContext, tx: TxBody, payload: VoteCommit
    ) -> None:
        proposal = voting_proposal(view, ctx, payload.proposal_id, tx.sender_address, True)
        in_window(ctx.time_ms, proposal.start_ms, proposal.end_ms)
        key = keys.commitment(payload.proposal_id, tx.sender_address.raw)
        if view.get(key) is not None and not proposal.require_policy().vote_replacement:
            raise TxError(ErrorCode.ALREADY_VOTED, "already committed a ballot")

    def apply(
        self, view: StateView, ctx: BlockContext, tx: TxBody, payload: VoteCommit
    ) -> list[Event]:
        pid, voter = payload.proposal_id, tx.sender_address
        view.put(keys.commitment(pid, voter.raw), payload.commitment)
        proposal = require_proposal(view, pid)
        if proposal.method is VotingMethod.BINARY:  # until revealed, the commitment abstains
            previous = get_ballot(view, pid, voter)
            put_ballot(view, pid, voter, WITHHELD)
            running.record(view, pid, proposal, voter, WITHHELD, previous=previous)
        return [
            Event.of("vote_committed", proposal=payload.proposal_id, voter=tx.sender_address.raw)
        ]


class VoteRevealHandler(TxHandler[VoteReveal]):
    payload_type = VoteReveal

    def check_stateful(
        self, view: StateView, ctx: BlockContext, tx: TxBody, payload: VoteReveal
    ) -> None:
        pid = payload.proposal_id
        voter = tx.sender_address
        proposal = voting_proposal(view, ctx, pid, voter, True)
        in_window(ctx.time_ms, proposal.end_ms, proposal.tally_ms)
        committed = view.get(keys.commitment(pid, voter.raw))
        if committed is None:
            revealed = view.get(keys.ballot(pid, voter.raw)) is not None
            raise TxError(
                ErrorCode.NOT_FOUND,
                "this ballot was already revealed and counts; nothing to do"
                if revealed
                else "no committed ballot to reveal: commit one with `proposal commit` first",
            )
        if committed != commitment(pid, voter, payload.ballot, payload.salt):
            raise TxError(ErrorCode.COMMITMENT_MISMATCH, "ballot and salt do not match")
        validate(payload.ballot, proposal.method, len(proposal.choices))

    def apply(
        self, view: StateView, ctx: BlockContext, tx: TxBody, payload: VoteReveal
    ) -> list[Event]:
        pid = payload.proposal_id
        view.delete(keys.commitment(pid, tx.sender_address.raw))
        proposal = require_proposal(view, pid)
        return record_ballot(
            view, ctx, pid, proposal, voter=tx.sender_address, ballot=payload.ballot
        )


register_handler(VoteHandler())
register_handler(VoteCommitHandler())
register_handler(VoteRevealHandler())
