"""MembershipApply, MembershipWithdraw and MembershipRenew: vetting, withdrawal and dues.

In APPLICATION mode an application is an admission proposal (one Admit action) whose proposer
is the applicant and whose tribute is held in escrow; a member sponsors it, the collective votes,
and the Admit action mints the requested holdings and takes the tribute. Rejection, expiry or
withdrawal (only before sponsorship, Moloch's cancelProposal) refunds it. In OPEN mode the
applicant is admitted at once with `open_grant` (Juicebox's pay-and-mint path) and pays its
price (`ledger.collectives.admission_price`: the exit share it buys, at least `open_tribute`);
`tribute` is the most native coin the applicant agrees to pay. CLOSED collectives admit only
by a member's Admit proposal (an invitation).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from ledger.codec import Fields
from ledger.collectives import roster, treasury
from ledger.collectives.admission_price import open_price
from ledger.collectives.assets import check_vault_asset
from ledger.collectives.fieldcodec import MemberRef, pairs
from ledger.collectives.holdings import holding
from ledger.collectives.ids import (
    ASSET_TOKEN_LEN,
    COLLECTIVE_ID_LEN,
    MAX_TOKEN_CLASSES,
    NATIVE,
    VALIDATORS_BODY_ID,
    Asset,
)
from ledger.collectives.params import AdmissionMode
from ledger.collectives.store import get_member, is_expelled, require_collective, require_member
from ledger.collectives.tokens import mint
from ledger.errors import ErrorCode, TxError
from ledger.genesis import ChainParams
from ledger.governance.core_actions import Admit
from ledger.governance.kinds import ProposalKind
from ledger.governance.lifecycle import finalize
from ledger.governance.proposal import MAX_METADATA_LEN, Status, require_proposal
from ledger.governance.proposal_txs import ProposalRef
from ledger.governance.submission import create_proposal
from ledger.state.context import BlockContext
from ledger.state.events import Event
from ledger.state.handlers import TxHandler, register_handler
from ledger.state.view import StateView
from ledger.tx import TxBody, TxKind, register_payload


@register_payload
@dataclass(frozen=True, slots=True)
class MembershipApply:
    KIND: ClassVar[TxKind] = TxKind.MEMBERSHIP_APPLY
    collective: bytes
    holdings: tuple[tuple[int, int], ...]  # requested (class, amount); empty in OPEN mode
    tribute_asset: Asset
    tribute: int
    statement: str

    def to_fields(self) -> list[Any]:
        return [
            self.collective,
            [[c, n] for c, n in self.holdings],
            self.tribute_asset.raw,
            self.tribute,
            self.statement,
        ]

    @classmethod
    def from_fields(cls, raw: object) -> MembershipApply:
        f = Fields(raw, 5, "membership_apply")
        return cls(
            f.bytes("collective", COLLECTIVE_ID_LEN, exact=True),
            pairs(f, "holdings", MAX_TOKEN_CLASSES),
            Asset.parse(f.bytes("tribute_asset", ASSET_TOKEN_LEN)),
            f.int("tribute"),
            f.str("statement", MAX_METADATA_LEN),
        )


class MembershipApplyHandler(TxHandler[MembershipApply]):
    payload_type = MembershipApply

    def check_stateless(self, tx: TxBody, payload: MembershipApply, params: ChainParams) -> None:
        Admit(tx.sender_address, payload.holdings).check()
        if payload.tribute_asset.collective == payload.collective:
            raise TxError(ErrorCode.INVALID_PAYLOAD, "a tribute cannot be the collective's token")

    def check_stateful(
        self, view: StateView, ctx: BlockContext, tx: TxBody, payload: MembershipApply
    ) -> None:
        cid = payload.collective
        collective = require_collective(view, cid)
        mode = collective.params.admission_mode
        if mode is AdmissionMode.CLOSED or cid == VALIDATORS_BODY_ID:
            raise TxError(ErrorCode.ADMISSION_CLOSED, "this collective admits by invitation only")
        if get_member(view, cid, tx.sender_address) is not None:
            raise TxError(ErrorCode.ALREADY_EXISTS, "already a member")
        if is_expelled(view, cid, tx.sender_address):
            raise TxError(ErrorCode.UNAUTHORIZED, "an expelled member cannot apply again")
        if payload.tribute:
            check_vault_asset(view, payload.tribute_asset)
        if mode is AdmissionMode.OPEN:
            if payload.holdings or payload.tribute_asset != NATIVE:
                raise TxError(
                    ErrorCode.INVALID_STATE, "open admission takes native coin for fixed holdings"
                )
            price = open_price(view, cid, collective)
            if price[0][1] > payload.tribute:
                raise TxError(
                    ErrorCode.INVALID_STATE,
                    f"open admission costs {price[0][1]} native coin now, more than offered",
                )
            for asset, amount in price[1:]:
                if holding(view, asset.collective, asset.token_class, tx.sender_address) < amount:
                    raise TxError(
                        ErrorCode.INSUFFICIENT_FUNDS,
                        f"open admission also costs {amount} of {asset}",
                    )
        elif not payload.holdings:
            raise TxError(ErrorCode.INVALID_PAYLOAD, "an application requests some holdings")

    def apply(
        self, view: StateView, ctx: BlockContext, tx: TxBody, payload: MembershipApply
    ) -> list[Event]:
        cid = payload.collective
        applicant = tx.sender_address
        collective = require_collective(view, cid)
        if collective.params.admission_mode is AdmissionMode.OPEN:
            events_paid = []
            for asset, amount in open_price(view, cid, collective):
                if amount:
                    treasury.deposit(
                        view, ctx.height, cid, payer=applicant, asset=asset, amount=amount
                    )
                    events_paid.append(
                        Event.of("admission_paid", collective=cid, asset=asset.raw, amount=amount)
                    )
            events = [roster.join(view, ctx.height, cid, collective, applicant, now_ms=ctx.time_ms)]
            grant = collective.params.grant_for(len(collective.classes))
            for index, amount in enumerate(grant):
                if amount:
                    minted = mint(
                        view,
                        ctx.height,
                        cid,
                        collective,
                        token_class=index,
                        to=applicant,
                        amount=amount,
                    )
                    events.append(minted)
            return events + events_paid
        tribute = (payload.tribute_asset, payload.tribute) if payload.tribute else None
        _, events = create_proposal(
            view,
            ctx,
            cid,
            applicant,
            [Admit(applicant, payload.holdings)],
            metadata=payload.statement,
            tribute=tribute,
        )
        return events


@register_payload
@dataclass(frozen=True, slots=True)
class MembershipWithdraw(ProposalRef):
    """The applicant withdraws an application that no member has sponsored yet."""

    KIND: ClassVar[TxKind] = TxKind.MEMBERSHIP_WITHDRAW


class MembershipWithdrawHandler(TxHandler[MembershipWithdraw]):
    payload_type = MembershipWithdraw

    def check_stateful(
        self, view: StateView, ctx: BlockContext, tx: TxBody, payload: MembershipWithdraw
    ) -> None:
        proposal = require_proposal(view, payload.proposal_id)
        if proposal.kind != ProposalKind.ADMIT or proposal.proposer != tx.sender_address:
            raise TxError(ErrorCode.UNAUTHORIZED, "only the applicant withdraws an application")
        if proposal.status is not Status.SUBMITTED:
            raise TxError(ErrorCode.INVALID_STATE, "the application is already sponsored")

    def apply(
        self, view: StateView, ctx: BlockContext, tx: TxBody, payload: MembershipWithdraw
    ) -> list[Event]:
        pid = payload.proposal_id
        return finalize(view, ctx, pid, require_proposal(view, pid), Status.CANCELLED)


@register_payload
@dataclass(frozen=True, slots=True)
class MembershipRenew(MemberRef):
    """Pay `member`'s dues (the sender pays) to extend their membership by one term."""

    KIND: ClassVar[TxKind] = TxKind.MEMBERSHIP_RENEW


class MembershipRenewHandler(TxHandler[MembershipRenew]):
    payload_type = MembershipRenew

    def check_stateful(
        self, view: StateView, ctx: BlockContext, tx: TxBody, payload: MembershipRenew
    ) -> None:
        collective = require_collective(view, payload.collective)
        if collective.params.membership_term_ms == 0:
            raise TxError(ErrorCode.INVALID_STATE, "membership in this collective never expires")
        member = get_member(view, payload.collective, payload.member)
        if member is None:
            raise TxError(ErrorCode.NOT_MEMBER, "not a member")
        if member.jailed:
            raise TxError(ErrorCode.JAILED, "a jailed member cannot renew")
        if member.expires_ms == 0:  # cannot happen under the terms rules; never shorten it
            raise TxError(ErrorCode.INVALID_STATE, "this membership never expires")

    def apply(
        self, view: StateView, ctx: BlockContext, tx: TxBody, payload: MembershipRenew
    ) -> list[Event]:
        cid = payload.collective
        collective = require_collective(view, cid)
        params = collective.params
        treasury.deposit(
            view, ctx.height, cid, payer=tx.sender_address, asset=NATIVE, amount=params.dues
        )
        member = require_member(view, cid, payload.member)
        expires = max(ctx.time_ms, member.expires_ms) + params.membership_term_ms
        who, now = payload.member, ctx.time_ms
        roster.renew(view, ctx.height, cid, collective, who, expires_ms=expires, now_ms=now)
        return [
            Event.of(
                "membership_renewed",
                collective=cid,
                member=payload.member.raw,
                expires_ms=expires,
                dues=params.dues,
            )
        ]


register_handler(MembershipApplyHandler())
register_handler(MembershipWithdrawHandler())
register_handler(MembershipRenewHandler())
