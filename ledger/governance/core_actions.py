"""The core proposal actions: admit, expel, mint, burn, treasury spend, parameters and policies."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from ledger.codec import Fields
from ledger.collectives import keys as ckeys
from ledger.collectives import roster, treasury
from ledger.collectives.fieldcodec import address, pairs
from ledger.collectives.ids import ASSET_TOKEN_LEN, MAX_TOKEN_CLASSES, Asset
from ledger.collectives.model import Collective
from ledger.collectives.params import PPM, CollectiveParams
from ledger.collectives.store import get_member, put_collective, require_collective
from ledger.collectives.terms import apply_term_change
from ledger.collectives.tokens import burn, mint
from ledger.errors import ErrorCode, TxError
from ledger.governance import escrow
from ledger.governance.actions import (
    Action,
    ActionRun,
    check_as_action,
    invalid_action,
    register_action,
)
from ledger.governance.kinds import ActionTag, ProposalKind
from ledger.governance.policy import Policy, set_policy, validate_kind
from ledger.keys import Address
from ledger.state.context import BlockContext
from ledger.state.events import Event
from ledger.state.keys import u64
from ledger.state.view import StateView


@register_action
@dataclass(frozen=True, slots=True)
class Admit(Action):
    """Make `applicant` a member and mint `holdings` ((class, amount) pairs) to them; the
    proposal's escrowed tribute from the applicant goes into the treasury."""

    TAG: ClassVar[ActionTag] = ActionTag.ADMIT
    KIND: ClassVar[ProposalKind] = ProposalKind.ADMIT
    MOVES_VALUE: ClassVar[bool] = True
    applicant: Address
    holdings: tuple[tuple[int, int], ...]

    def to_fields(self) -> list[Any]:
        return [self.applicant.raw, [[c, n] for c, n in self.holdings]]

    @classmethod
    def from_fields(cls, raw: object) -> Admit:
        f = Fields(raw, 2, "admit")
        return cls(address(f, "applicant"), pairs(f, "holdings", MAX_TOKEN_CLASSES))

    def check(self) -> None:
        classes = [c for c, _ in self.holdings]
        if len(set(classes)) != len(classes) or any(n == 0 for _, n in self.holdings):
            raise invalid_action("admission holdings name each class once with a positive amount")

    def admitted_units(self) -> tuple[tuple[int, int], ...]:
        return self.holdings

    def check_submit(
        self, view: StateView, ctx: BlockContext, cid: bytes, collective: Collective
    ) -> None:
        for token_class, _ in self.holdings:
            collective.token_class(token_class)
        if get_member(view, cid, self.applicant) is not None:
            raise TxError(ErrorCode.ALREADY_EXISTS, "the applicant is already a member")

    def execute(self, view: StateView, ctx: BlockContext, run: ActionRun) -> list[Event]:
        cid = run.collective_id
        collective = require_collective(view, cid)
        who = self.applicant
        events = [roster.join(view, ctx.height, cid, collective, who, now_ms=ctx.time_ms)]
        for index, amount in self.holdings:
            events.append(
                mint(view, ctx.height, cid, collective, token_class=index, to=who, amount=amount)
            )
        held = escrow.get(view, run.proposal_id, escrow.Slot.TRIBUTE)
        if held is not None and held.payer == who:
            slot = escrow.Slot.TRIBUTE
            events += escrow.settle(
                view, ctx.height, run.proposal_id, slot, cid=cid, treasury_ppm=PPM
            )
        return events


@register_action
@dataclass(frozen=True, slots=True)
class Expel(Action):
    """Jail `member` (their shares stop voting, their exit share stays: RageKick pays it out),
    or, with `forfeit` and the collective's `allow_forfeit`, remove them with no payout."""

    TAG: ClassVar[ActionTag] = ActionTag.EXPEL
    KIND: ClassVar[ProposalKind] = ProposalKind.EXPEL
    member: Address
    forfeit: bool = False

    def to_fields(self) -> list[Any]:
        return [self.member.raw, self.forfeit]

    @classmethod
    def from_fields(cls, raw: object) -> Expel:
        f = Fields(raw, 2, "expel")
        return cls(address(f, "member"), f.bool("forfeit"))

    def excluded_voters(self) -> tuple[Address, ...]:
        return (self.member,)

    def check_submit(
        self, view: StateView, ctx: BlockContext, cid: bytes, collective: Collective
    ) -> None:
        if get_member(view, cid, self.member) is None:
            raise TxError(ErrorCode.NOT_MEMBER, "only a member can be expelled")
        if self.forfeit and not collective.params.allow_forfeit:
            raise TxError(ErrorCode.UNAUTHORIZED, "this collective does not allow forfeiture")

    def execute(self, view: StateView, ctx: BlockContext, run: ActionRun) -> list[Event]:
        cid = run.collective_id
        collective = require_collective(view, cid)
        if get_member(view, cid, self.member) is None:
            raise TxError(ErrorCode.NOT_MEMBER, "the member has already left")
        view.put(ckeys.expelled(cid, self.member.raw), u64(ctx.height))
        if self.forfeit:
            if not collective.params.allow_forfeit:
                raise TxError(ErrorCode.UNAUTHORIZED, "this collective does not allow forfeiture")
            return roster.leave(view, ctx.height, cid, collective, self.member)
        return [roster.jail(view, ctx.height, cid, collective, self.member)]


class _TokenSupplyAction(Action):
    """Shared checks of Mint and Burn: a positive amount of an existing token class."""

    token_class: int
    amount: int

    def check(self) -> None:
        if self.amount == 0:
            raise invalid_action(f"{type(self).__name__.lower()} amount must be positive")

    def check_submit(
        self, view: StateView, ctx: BlockContext, cid: bytes, collective: Collective
    ) -> None:
        collective.token_class(self.token_class)


@register_action
@dataclass(frozen=True, slots=True)
class Mint(_TokenSupplyAction):
    TAG: ClassVar[ActionTag] = ActionTag.MINT
    KIND: ClassVar[ProposalKind] = ProposalKind.TOKENS
    MOVES_VALUE: ClassVar[bool] = True
    token_class: int
    to: Address
    amount: int

    def to_fields(self) -> list[Any]:
        return [self.token_class, self.to.raw, self.amount]

    @classmethod
    def from_fields(cls, raw: object) -> Mint:
        f = Fields(raw, 3, "mint")
        return cls(
            f.int("token_class", 0, MAX_TOKEN_CLASSES - 1), address(f, "to"), f.int("amount")
        )

    def execute(self, view: StateView, ctx: BlockContext, run: ActionRun) -> list[Event]:
        cid = run.collective_id
        collective = require_collective(view, cid)
        return [
            mint(
                view,
                ctx.height,
                cid,
                collective,
                token_class=self.token_class,
                to=self.to,
                amount=self.amount,
            )
        ]


@register_action
@dataclass(frozen=True, slots=True)
class Burn(_TokenSupplyAction):
    TAG: ClassVar[ActionTag] = ActionTag.BURN
    KIND: ClassVar[ProposalKind] = ProposalKind.TOKENS
    MOVES_VALUE: ClassVar[bool] = True
    token_class: int
    holder: Address
    amount: int

    def to_fields(self) -> list[Any]:
        return [self.token_class, self.holder.raw, self.amount]

    @classmethod
    def from_fields(cls, raw: object) -> Burn:
        f = Fields(raw, 3, "burn")
        return cls(
            f.int("token_class", 0, MAX_TOKEN_CLASSES - 1), address(f, "holder"), f.int("amount")
        )

    def targeted_members(self) -> tuple[Address, ...]:
        return (self.holder,)

    def execute(self, view: StateView, ctx: BlockContext, run: ActionRun) -> list[Event]:
        cid = run.collective_id
        collective = require_collective(view, cid)
        return [
            burn(
                view,
                ctx.height,
                cid,
                collective,
                token_class=self.token_class,
                holder=self.holder,
                amount=self.amount,
            )
        ]


@register_action
@dataclass(frozen=True, slots=True)
class TreasurySpend(Action):
    """Pay `amount` of `asset` from the treasury to `to`."""

    TAG: ClassVar[ActionTag] = ActionTag.TREASURY_SPEND
    KIND: ClassVar[ProposalKind] = ProposalKind.SPEND
    MOVES_VALUE: ClassVar[bool] = True
    asset: Asset
    to: Address
    amount: int
    memo: str = ""

    def to_fields(self) -> list[Any]:
        return [self.asset.raw, self.to.raw, self.amount, self.memo]

    @classmethod
    def from_fields(cls, raw: object) -> TreasurySpend:
        f = Fields(raw, 4, "treasury_spend")
        return cls(
            Asset.parse(f.bytes("asset", ASSET_TOKEN_LEN)),
            address(f, "to"),
            f.int("amount"),
            f.str("memo", 256),
        )

    def check(self) -> None:
        if self.amount == 0:
            raise invalid_action("spend amount must be positive")

    def treasury_outflow(self) -> tuple[Asset, int] | None:
        return self.asset, self.amount

    def execute(self, view: StateView, ctx: BlockContext, run: ActionRun) -> list[Event]:
        cid = run.collective_id
        treasury.pay_out(view, ctx.height, cid, to=self.to, asset=self.asset, amount=self.amount)
        return [
            Event.of(
                "treasury_spend",
                collective=cid,
                to=self.to.raw,
                asset=self.asset.raw,
                amount=self.amount,
                memo=self.memo,
            )
        ]


@register_action
@dataclass(frozen=True, slots=True)
class SetParams(Action):
    TAG: ClassVar[ActionTag] = ActionTag.SET_PARAMS
    KIND: ClassVar[ProposalKind] = ProposalKind.GOVERNANCE
    params: CollectiveParams

    def to_fields(self) -> list[Any]:
        return [self.params.to_fields()]

    @classmethod
    def from_fields(cls, raw: object) -> SetParams:
        return cls(CollectiveParams.from_fields(Fields(raw, 1, "set_params").raw()))

    def check_submit(
        self, view: StateView, ctx: BlockContext, cid: bytes, collective: Collective
    ) -> None:
        self.params.validate(len(collective.classes))

    def execute(self, view: StateView, ctx: BlockContext, run: ActionRun) -> list[Event]:
        cid = run.collective_id
        collective = require_collective(view, cid)
        self.params.validate(len(collective.classes))
        updated = collective.with_params(self.params)
        put_collective(view, cid, updated)
        retimed = apply_term_change(view, ctx, cid, collective.params, updated)
        return [Event.of("params_set", collective=cid, members_retimed=retimed)]


@register_action
@dataclass(frozen=True, slots=True)
class SetPolicy(Action):
    """Replace the policy of proposal kind `kind`; proposals already voting keep theirs."""

    TAG: ClassVar[ActionTag] = ActionTag.SET_POLICY
    KIND: ClassVar[ProposalKind] = ProposalKind.GOVERNANCE
    kind: int
    policy: Policy

    def to_fields(self) -> list[Any]:
        return [self.kind, self.policy.to_fields()]

    @classmethod
    def from_fields(cls, raw: object) -> SetPolicy:
        f = Fields(raw, 2, "set_policy")
        return cls(f.int("kind", 0, 0xFFFF), Policy.from_fields(f.raw()))

    def check(self) -> None:
        check_as_action(lambda: validate_kind(self.kind))
        check_as_action(self.policy.validate)

    def execute(self, view: StateView, ctx: BlockContext, run: ActionRun) -> list[Event]:
        set_policy(view, run.collective_id, self.kind, self.policy)
        return [Event.of("policy_set", collective=run.collective_id, proposal_kind=self.kind)]
