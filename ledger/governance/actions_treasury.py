"""Treasury proposal actions: the deposit whitelist, allowances, streams, holder distributions
and allocations. The rules they apply live in `ledger.treasury`; docs/treasury.md lists them."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, ClassVar

from ledger.codec import Fields
from ledger.collectives import record_dates, treasury
from ledger.collectives.assets import check_vault_asset
from ledger.collectives.fieldcodec import address
from ledger.collectives.ids import ASSET_TOKEN_LEN, Asset
from ledger.collectives.model import Collective
from ledger.collectives.params import DAY
from ledger.collectives.payouts import held
from ledger.collectives.store import get_member, require_collective
from ledger.errors import ErrorCode, TxError
from ledger.governance import hooks
from ledger.governance.actions import Action, ActionRun, invalid_action, register_action
from ledger.governance.actions_allocation import Allocate
from ledger.governance.kinds import ActionTag, ProposalKind
from ledger.governance.policy import DEFAULT_POLICIES, Policy, register_default_policy
from ledger.governance.proposal import Proposal, Status, require_proposal
from ledger.keys import Address
from ledger.state.context import BlockContext
from ledger.state.events import Event
from ledger.state.view import StateView
from ledger.treasury import accepted, allowances, streams
from ledger.treasury.allowances import MAX_PERIOD_S, Grantee, GranteeKind
from ledger.treasury.holders import pay_holders
from ledger.treasury.vesting import Schedule

__all__ = [
    "AcceptAsset",
    "Allocate",
    "HolderDistribution",
    "SetAllowance",
    "StreamCancel",
    "StreamCreate",
    "drop_records",
    "record_distributions",
]


def _asset(f: Fields, name: str) -> Asset:
    return Asset.parse(f.bytes(name, ASSET_TOKEN_LEN))


@register_action
@dataclass(frozen=True, slots=True)
class AcceptAsset(Action):
    """Add a token to the deposit whitelist, or (accepted=False) remove it."""

    TAG: ClassVar[ActionTag] = ActionTag.ACCEPT_ASSET
    KIND: ClassVar[ProposalKind] = ProposalKind.GOVERNANCE
    asset: Asset
    accepted: bool = True

    def to_fields(self) -> list[Any]:
        return [self.asset.raw, self.accepted]

    @classmethod
    def from_fields(cls, raw: object) -> AcceptAsset:
        f = Fields(raw, 2, "accept_asset")
        return cls(_asset(f, "asset"), f.bool("accepted"))

    def check(self) -> None:
        if self.asset.is_native:
            raise invalid_action("the native coin is always accepted")

    def check_submit(
        self, view: StateView, ctx: BlockContext, cid: bytes, collective: Collective
    ) -> None:
        if self.accepted:
            accepted.check_acceptable(view, cid, self.asset)

    def execute(self, view: StateView, ctx: BlockContext, run: ActionRun) -> list[Event]:
        cid = run.collective_id
        if self.accepted:
            accepted.check_acceptable(view, cid, self.asset)
        accepted.set_accepted(view, cid, self.asset, self.accepted)
        return [
            Event.of(
                "asset_accepted" if self.accepted else "asset_unaccepted",
                collective=cid,
                asset=self.asset.raw,
            )
        ]


@register_action
@dataclass(frozen=True, slots=True)
class SetAllowance(Action):
    """Create or change an allowance of `asset` for a member or a role: `amount` per `period_s`
    seconds (0: one budget, never reset); `amount` 0 removes it."""

    TAG: ClassVar[ActionTag] = ActionTag.SET_ALLOWANCE
    KIND: ClassVar[ProposalKind] = ProposalKind.ALLOWANCE
    grantee: Grantee
    asset: Asset
    amount: int
    period_s: int

    def to_fields(self) -> list[Any]:
        return [self.grantee.to_fields(), self.asset.raw, self.amount, self.period_s]

    @classmethod
    def from_fields(cls, raw: object) -> SetAllowance:
        f = Fields(raw, 4, "set_allowance")
        return cls(
            Grantee.from_fields(f.raw()),
            _asset(f, "asset"),
            f.int("amount"),
            f.int("period_s", 0, MAX_PERIOD_S),
        )

    def targeted_members(self) -> tuple[Address, ...]:
        if self.grantee.kind is GranteeKind.MEMBER:
            return (Address(self.grantee.id),)
        return ()

    def check(self) -> None:
        self.grantee.check()
        if self.period_s > MAX_PERIOD_S:
            raise invalid_action(f"the period is at most {MAX_PERIOD_S} s")

    def check_submit(
        self, view: StateView, ctx: BlockContext, cid: bytes, collective: Collective
    ) -> None:
        self._check_state(view, cid)

    def _check_state(self, view: StateView, cid: bytes) -> None:
        if self.amount == 0:
            allowances.require_allowance(view, cid, self.grantee, self.asset)
            return
        check_vault_asset(view, self.asset)
        if self.asset.collective == cid:
            raise invalid_action("a treasury never holds its own tokens")
        member = Address(self.grantee.id) if self.grantee.kind is GranteeKind.MEMBER else None
        if member is not None and get_member(view, cid, member) is None:
            raise TxError(ErrorCode.NOT_MEMBER, "allowances are granted to members")

    def execute(self, view: StateView, ctx: BlockContext, run: ActionRun) -> list[Event]:
        cid = run.collective_id
        if self.amount:  # removing what is already gone is a no-op
            self._check_state(view, cid)
        stored = allowances.set_allowance(
            view,
            ctx.time_ms,
            cid,
            self.grantee,
            self.asset,
            amount=self.amount,
            period_s=self.period_s,
        )
        return [
            Event.of(
                "allowance_set" if stored else "allowance_removed",
                collective=cid,
                grantee_kind=int(self.grantee.kind),
                grantee=self.grantee.id,
                asset=self.asset.raw,
                amount=self.amount,
                period_s=self.period_s,
            )
        ]


@register_action
@dataclass(frozen=True, slots=True)
class StreamCreate(Action):
    """Stream `schedule.total` of `asset` to `recipient`; a schedule starting at 0 starts when
    the proposal executes. The total leaves the treasury at once (see `ledger.treasury.streams`)."""

    TAG: ClassVar[ActionTag] = ActionTag.STREAM_CREATE
    KIND: ClassVar[ProposalKind] = ProposalKind.STREAMS
    MOVES_VALUE: ClassVar[bool] = True
    recipient: Address
    asset: Asset
    schedule: Schedule

    def to_fields(self) -> list[Any]:
        return [self.recipient.raw, self.asset.raw, self.schedule.to_fields()]

    @classmethod
    def from_fields(cls, raw: object) -> StreamCreate:
        f = Fields(raw, 3, "stream_create")
        return cls(address(f, "recipient"), _asset(f, "asset"), Schedule.from_fields(f.raw()))

    def check(self) -> None:
        self.schedule.check()

    def treasury_outflow(self) -> tuple[Asset, int] | None:
        return self.asset, self.schedule.total

    def check_submit(
        self, view: StateView, ctx: BlockContext, cid: bytes, collective: Collective
    ) -> None:
        check_vault_asset(view, self.asset)

    def execute(self, view: StateView, ctx: BlockContext, run: ActionRun) -> list[Event]:
        schedule = self.schedule
        if schedule.start_ms == 0:
            schedule = replace(schedule, start_ms=ctx.time_ms)
        _, event = streams.create_stream(
            view,
            run.collective_id,
            recipient=self.recipient,
            asset=self.asset,
            schedule=schedule,
            proposal_id=run.proposal_id,
        )
        return [event]


@register_action
@dataclass(frozen=True, slots=True)
class StreamCancel(Action):
    """Stop a stream: what has vested is paid, the rest returns to the treasury."""

    TAG: ClassVar[ActionTag] = ActionTag.STREAM_CANCEL
    KIND: ClassVar[ProposalKind] = ProposalKind.STREAMS
    stream_id: int

    def to_fields(self) -> list[Any]:
        return [self.stream_id]

    @classmethod
    def from_fields(cls, raw: object) -> StreamCancel:
        return cls(Fields(raw, 1, "stream_cancel").int("stream_id"))

    def check_submit(
        self, view: StateView, ctx: BlockContext, cid: bytes, collective: Collective
    ) -> None:
        stream = streams.require_stream(view, self.stream_id)
        if stream.collective != cid:
            raise TxError(ErrorCode.UNAUTHORIZED, "the stream belongs to another collective")
        if stream.status is streams.StreamStatus.CANCELLED:
            raise TxError(ErrorCode.STREAM_CLOSED, "the stream was already cancelled")

    def execute(self, view: StateView, ctx: BlockContext, run: ActionRun) -> list[Event]:
        return [streams.cancel(view, ctx.height, ctx.time_ms, run.collective_id, self.stream_id)]


@register_action
@dataclass(frozen=True, slots=True)
class HolderDistribution(Action):
    """Pay `amount` of `asset` from the treasury pro rata to the holders of token class
    `holders_of` (any collective's), exactly as `ledger.treasury.holders` divides it."""

    TAG: ClassVar[ActionTag] = ActionTag.HOLDER_DISTRIBUTION
    KIND: ClassVar[ProposalKind] = ProposalKind.SPEND
    MOVES_VALUE: ClassVar[bool] = True
    holders_of: Asset
    asset: Asset
    amount: int
    memo: str = ""

    def to_fields(self) -> list[Any]:
        return [self.holders_of.raw, self.asset.raw, self.amount, self.memo]

    @classmethod
    def from_fields(cls, raw: object) -> HolderDistribution:
        f = Fields(raw, 4, "holder_distribution")
        return cls(_asset(f, "holders_of"), _asset(f, "asset"), f.int("amount"), f.str("memo", 256))

    def check(self) -> None:
        if self.holders_of.is_native:
            raise invalid_action("holders of a token class: name the class")
        if self.amount == 0:
            raise invalid_action("a distribution must be positive")

    def treasury_outflow(self) -> tuple[Asset, int] | None:
        return self.asset, self.amount

    def check_submit(
        self, view: StateView, ctx: BlockContext, cid: bytes, collective: Collective
    ) -> None:
        require_collective(view, self.holders_of.collective).token_class(
            self.holders_of.token_class
        )
        check_vault_asset(view, self.asset)

    def execute(self, view: StateView, ctx: BlockContext, run: ActionRun) -> list[Event]:
        treasury.debit(view, run.collective_id, self.asset, self.amount)
        actions = require_proposal(view, run.proposal_id).actions
        record = record_dates.dist_id(run.proposal_id, actions.index(self))
        event = pay_holders(view, self.holders_of, self.asset, self.amount, record)
        return [Event(event.kind, (*event.attributes, ("memo", self.memo)))]


_SPEND = DEFAULT_POLICIES[ProposalKind.SPEND]
_STRICT = DEFAULT_POLICIES[ProposalKind.GOVERNANCE]
register_default_policy(ProposalKind.ALLOWANCE, _STRICT)
register_default_policy(ProposalKind.STREAMS, replace(_SPEND, early_execution=False))
register_default_policy(
    ProposalKind.ALLOCATION,
    Policy(veto_ppm=0, expedited_period_ms=0, voting_period_ms=3 * DAY),
)


def record_distributions(view: StateView, ctx: BlockContext, pid: int, proposal: Proposal) -> None:
    """The record moment of a passed proposal's holder distributions: the holders of now share
    (docs/treasury.md, "Holder distributions")."""
    for i, action in enumerate(proposal.actions):
        if isinstance(action, HolderDistribution):
            cls = action.holders_of
            units = held(view, cls.collective, cls.token_class)
            record_dates.register(view, cls, record_dates.dist_id(pid, i), action.asset, units)


def drop_records(view: StateView, ctx: BlockContext, pid: int, proposal: Proposal) -> list[Event]:
    """A distribution that ends without executing keeps no record."""
    if proposal.status is not Status.EXECUTED:
        for i, action in enumerate(proposal.actions):
            if isinstance(action, HolderDistribution):
                record_dates.drop(view, action.holders_of, record_dates.dist_id(pid, i))
    return []


hooks.register_pass_hook(record_distributions)
hooks.register_finalize_hook(drop_records)
