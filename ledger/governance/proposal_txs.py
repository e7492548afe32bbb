"""ProposalSubmit, ProposalSponsor and ProposalCancel.

A cancel during voting burns `cancel_burn_ppm` of the deposit into the treasury only when the
proposer cancels their own proposal (Cosmos MsgCancelProposal); a cancel by the sponsor, a
governor or anyone else refunds the proposer in full (issue 23, item 12).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar, Self

from ledger.codec import Fields
from ledger.collectives.checkpoints import current_power
from ledger.collectives.fieldcodec import str_list
from ledger.collectives.ids import COLLECTIVE_ID_LEN, SYSTEM_ADDRESS
from ledger.collectives.standing import require_active_member
from ledger.collectives.store import require_collective
from ledger.errors import ErrorCode, TxError
from ledger.genesis import ChainParams
from ledger.governance.actions import (
    Action,
    decode_actions,
    encode_action,
    kind_of,
    targets_of,
)
from ledger.governance.kinds import Role, VotingMethod
from ledger.governance.lifecycle import finalize, start_voting
from ledger.governance.policy import policy_for
from ledger.governance.proposal import (
    MAX_CHOICE_LEN,
    MAX_CHOICES,
    MAX_METADATA_LEN,
    Proposal,
    Status,
    require_proposal,
    require_status,
)
from ledger.governance.roles import has_role
from ledger.governance.submission import check_policy_fits, create_proposal
from ledger.keys import Address
from ledger.state.context import BlockContext
from ledger.state.events import Event
from ledger.state.handlers import TxHandler, register_handler
from ledger.state.view import StateView
from ledger.tx import TxBody, TxKind, register_payload


@register_payload
@dataclass(frozen=True, slots=True)
class ProposalSubmit:
    KIND: ClassVar[TxKind] = TxKind.PROPOSAL_SUBMIT
    collective: bytes
    actions: tuple[Action, ...]
    method: VotingMethod = VotingMethod.BINARY
    choices: tuple[str, ...] = ()
    expedited: bool = False
    metadata: str = ""

    def to_fields(self) -> list[Any]:
        return [
            self.collective,
            [encode_action(a) for a in self.actions],
            int(self.method),
            list(self.choices),
            self.expedited,
            self.metadata,
        ]

    @classmethod
    def from_fields(cls, raw: object) -> ProposalSubmit:
        f = Fields(raw, 6, "proposal_submit")
        return cls(
            f.bytes("collective", COLLECTIVE_ID_LEN, exact=True),
            decode_actions(f, "actions"),
            VotingMethod(f.int("method", 0, max(VotingMethod))),
            str_list(f, "choices", MAX_CHOICES, MAX_CHOICE_LEN),
            f.bool("expedited"),
            f.str("metadata", MAX_METADATA_LEN),
        )


class ProposalSubmitHandler(TxHandler[ProposalSubmit]):
    payload_type = ProposalSubmit

    def check_stateless(self, tx: TxBody, payload: ProposalSubmit, params: ChainParams) -> None:
        kind_of(payload.actions)
        if payload.method is VotingMethod.BINARY:
            if payload.choices:
                raise TxError(ErrorCode.INVALID_PAYLOAD, "a yes/no proposal has no choices")
        else:
            if len(payload.actions) > 1:
                raise TxError(ErrorCode.INVALID_PAYLOAD, "a poll carries at most one action")
            if not 2 <= len(payload.choices) <= MAX_CHOICES:
                raise TxError(ErrorCode.INVALID_PAYLOAD, f"a poll has 2 to {MAX_CHOICES} choices")
        for action in payload.actions:
            action.check_poll(payload.method, len(payload.choices))

    def check_stateful(
        self, view: StateView, ctx: BlockContext, tx: TxBody, payload: ProposalSubmit
    ) -> None:
        require_collective(view, payload.collective)
        require_active_member(view, payload.collective, tx.sender_address, ctx.time_ms)

    def apply(
        self, view: StateView, ctx: BlockContext, tx: TxBody, payload: ProposalSubmit
    ) -> list[Event]:
        _, events = create_proposal(
            view,
            ctx,
            payload.collective,
            tx.sender_address,
            payload.actions,
            method=payload.method,
            choices=payload.choices,
            expedited=payload.expedited,
            metadata=payload.metadata,
        )
        return events


@dataclass(frozen=True, slots=True)
class ProposalRef:
    """Payload of the txs that name only a proposal: a subclass sets `KIND` and nothing else."""

    KIND: ClassVar[TxKind]
    proposal_id: int

    def to_fields(self) -> list[Any]:
        return [self.proposal_id]

    @classmethod
    def from_fields(cls, raw: object) -> Self:
        return cls(Fields(raw, 1, cls.KIND.name.lower()).int("proposal_id"))


@register_payload
@dataclass(frozen=True, slots=True)
class ProposalSponsor(ProposalRef):
    KIND: ClassVar[TxKind] = TxKind.PROPOSAL_SPONSOR


@register_payload
@dataclass(frozen=True, slots=True)
class ProposalCancel(ProposalRef):
    KIND: ClassVar[TxKind] = TxKind.PROPOSAL_CANCEL


class ProposalSponsorHandler(TxHandler[ProposalSponsor]):
    payload_type = ProposalSponsor

    def check_stateful(
        self, view: StateView, ctx: BlockContext, tx: TxBody, payload: ProposalSponsor
    ) -> None:
        proposal = require_status(view, payload.proposal_id, Status.SUBMITTED)
        if ctx.time_ms >= proposal.expires_ms:
            raise TxError(ErrorCode.PROPOSAL_EXPIRED, "the proposal waited too long for a sponsor")
        cid = proposal.collective
        require_active_member(view, cid, tx.sender_address, ctx.time_ms)
        collective = require_collective(view, cid)
        power = current_power(view, cid, collective, tx.sender_address, ctx.time_ms)
        if power < collective.params.sponsor_threshold:
            raise TxError(ErrorCode.NO_VOTING_POWER, "sponsoring needs the sponsor threshold")

    def apply(
        self, view: StateView, ctx: BlockContext, tx: TxBody, payload: ProposalSponsor
    ) -> list[Event]:
        pid = payload.proposal_id
        proposal = require_proposal(view, pid)
        policy = policy_for(view, proposal.collective, proposal.kind)
        check_policy_fits(policy, proposal.method, proposal.expedited)
        start_voting(view, ctx, pid, proposal, sponsor=tx.sender_address, policy=policy)
        return [Event.of("voting_started", proposal=pid, sponsor=tx.sender_address.raw)]


def may_cancel(view: StateView, ctx: BlockContext, proposal: Proposal, who: Address) -> bool:
    """The proposer before sponsorship; during voting the proposer, the sponsor, a governor, or
    anyone once the sponsor's power has fallen below the sponsor threshold (Bravo, Baal).
    Nobody cancels a proposal that targets them (an expulsion, a role or allowance taken,
    holdings burned), and a governor's role cancels no proposal that targets anyone nor any
    system proposal (a moderation appeal, a removal case): the collective's remedies against a
    member are not for a role holder to stop (issue 23)."""
    targets = targets_of(proposal.actions)
    if who in targets:
        return False
    if proposal.status is Status.SUBMITTED:
        return who == proposal.proposer
    if proposal.status is not Status.VOTING:
        return False
    cid = proposal.collective
    if who in (proposal.proposer, proposal.sponsor):
        return True
    remedy = bool(targets) or proposal.proposer == SYSTEM_ADDRESS  # appeals, removal cases
    if not remedy and has_role(view, cid, Role.GOVERNOR, who, ctx.time_ms):
        return True
    sponsor = proposal.sponsor
    if sponsor is None or sponsor == SYSTEM_ADDRESS:
        return False
    collective = require_collective(view, cid)
    power = current_power(view, cid, collective, sponsor, ctx.time_ms)
    return power < collective.params.sponsor_threshold


class ProposalCancelHandler(TxHandler[ProposalCancel]):
    payload_type = ProposalCancel

    def check_stateful(
        self, view: StateView, ctx: BlockContext, tx: TxBody, payload: ProposalCancel
    ) -> None:
        proposal = require_status(view, payload.proposal_id, Status.SUBMITTED, Status.VOTING)
        if not may_cancel(view, ctx, proposal, tx.sender_address):
            raise TxError(ErrorCode.UNAUTHORIZED, "not allowed to cancel this proposal")

    def apply(
        self, view: StateView, ctx: BlockContext, tx: TxBody, payload: ProposalCancel
    ) -> list[Event]:
        pid = payload.proposal_id
        proposal = require_proposal(view, pid)
        burn = 0  # only a proposer who withdraws their own proposal pays (Cosmos)
        if proposal.status is Status.VOTING and tx.sender_address == proposal.proposer:
            burn = require_collective(view, proposal.collective).params.cancel_burn_ppm
        return finalize(view, ctx, pid, proposal, Status.CANCELLED, deposit_to_treasury=burn)


register_handler(ProposalSubmitHandler())
register_handler(ProposalSponsorHandler())
register_handler(ProposalCancelHandler())
