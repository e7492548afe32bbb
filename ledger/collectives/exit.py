"""Exits with a fair share: Ragequit (a holder leaves, wholly or in part) and RageKick (anyone
pays out a jailed member).

Burning `units` of shares or loot pays floor(balance x units / total shares and loot) of every
treasury asset, computed on the totals before the burn; the remainder of the division stays in
the treasury, so the remaining members never lose by an exit (Moloch v2). A member whose yes
vote is on an unfinalised value-moving proposal cannot exit until it is finalised. A member left
with no shares and no loot stops being a member (remaining badges are burned).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from ledger.codec import Fields
from ledger.collectives import roster, treasury
from ledger.collectives.exitlock import require_unlocked
from ledger.collectives.fieldcodec import MemberRef, pairs
from ledger.collectives.holdings import exit_supply, exit_units_of, holding
from ledger.collectives.ids import COLLECTIVE_ID_LEN, MAX_TOKEN_CLASSES
from ledger.collectives.model import ClassKind, Collective
from ledger.collectives.store import get_member, require_collective
from ledger.collectives.tokens import burn
from ledger.errors import ErrorCode, TxError
from ledger.genesis import ChainParams
from ledger.keys import Address
from ledger.state.context import BlockContext
from ledger.state.events import Event
from ledger.state.handlers import TxHandler, register_handler
from ledger.state.view import StateView
from ledger.tx import TxBody, TxKind, register_payload


def pay_fair_share(
    view: StateView, height: int, cid: bytes, collective: Collective, *, to: Address, units: int
) -> list[Event]:
    """Pay `to` the floor share of every treasury asset for `units` of the (pre-burn) total."""
    total = exit_supply(view, cid, collective)
    if units == 0 or total == 0:
        return []
    events = []
    for asset, amount in treasury.balances(view, cid):
        share = amount * units // total
        if share:
            treasury.pay_out(view, height, cid, to=to, asset=asset, amount=share)
            events.append(
                Event.of("exit_payout", collective=cid, to=to.raw, asset=asset.raw, amount=share)
            )
    return events


def _exit(
    view: StateView,
    height: int,
    cid: bytes,
    who: Address,
    burns: tuple[tuple[int, int], ...],
) -> list[Event]:
    collective = require_collective(view, cid)
    units = sum(amount for _, amount in burns)
    events = pay_fair_share(view, height, cid, collective, to=who, units=units)
    for token_class, amount in burns:
        events.append(
            burn(view, height, cid, collective, token_class=token_class, holder=who, amount=amount)
        )
    if get_member(view, cid, who) is not None and exit_units_of(view, cid, collective, who) == 0:
        events += roster.leave(view, height, cid, collective, who)
    return events


@register_payload
@dataclass(frozen=True, slots=True)
class Ragequit:
    """Burn `burns` ((class, amount) of shares or loot) for a fair share of the treasury."""

    KIND: ClassVar[TxKind] = TxKind.RAGEQUIT
    collective: bytes
    burns: tuple[tuple[int, int], ...]

    def to_fields(self) -> list[Any]:
        return [self.collective, [[c, n] for c, n in self.burns]]

    @classmethod
    def from_fields(cls, raw: object) -> Ragequit:
        f = Fields(raw, 2, "ragequit")
        return cls(
            f.bytes("collective", COLLECTIVE_ID_LEN, exact=True),
            pairs(f, "burns", MAX_TOKEN_CLASSES),
        )


class RagequitHandler(TxHandler[Ragequit]):
    payload_type = Ragequit

    def check_stateless(self, tx: TxBody, payload: Ragequit, params: ChainParams) -> None:
        classes = [c for c, _ in payload.burns]
        if len(set(classes)) != len(classes):
            raise TxError(ErrorCode.DUPLICATE_ENTRY, "a class is listed twice")
        if any(amount == 0 for _, amount in payload.burns):
            raise TxError(ErrorCode.ZERO_AMOUNT, "every burned amount must be positive")

    def check_stateful(
        self, view: StateView, ctx: BlockContext, tx: TxBody, payload: Ragequit
    ) -> None:
        cid = payload.collective
        who = tx.sender_address
        collective = require_collective(view, cid)
        member = get_member(view, cid, who)
        if member is not None and member.jailed:
            raise TxError(ErrorCode.JAILED, "a jailed member leaves by RageKick")
        require_unlocked(view, cid, who)
        for token_class, amount in payload.burns:
            if collective.token_class(token_class).kind is ClassKind.BADGE:
                raise TxError(ErrorCode.INVALID_STATE, "badges carry no exit share")
            if holding(view, cid, token_class, who) < amount:
                raise TxError(ErrorCode.INSUFFICIENT_FUNDS, "cannot burn more than is held")
        if not payload.burns and (member is None or exit_units_of(view, cid, collective, who) != 0):
            raise TxError(ErrorCode.INVALID_PAYLOAD, "nothing to burn")

    def apply(
        self, view: StateView, ctx: BlockContext, tx: TxBody, payload: Ragequit
    ) -> list[Event]:
        return _exit(view, ctx.height, payload.collective, tx.sender_address, payload.burns)


@register_payload
@dataclass(frozen=True, slots=True)
class RageKick(MemberRef):
    """Permissionless: pay a jailed member their fair share and end their membership."""

    KIND: ClassVar[TxKind] = TxKind.RAGEKICK


class RageKickHandler(TxHandler[RageKick]):
    payload_type = RageKick

    def check_stateful(
        self, view: StateView, ctx: BlockContext, tx: TxBody, payload: RageKick
    ) -> None:
        require_collective(view, payload.collective)
        member = get_member(view, payload.collective, payload.member)
        if member is None:
            raise TxError(ErrorCode.NOT_MEMBER, "not a member")
        if not member.jailed:
            raise TxError(ErrorCode.INVALID_STATE, "only a jailed member can be kicked")
        require_unlocked(view, payload.collective, payload.member)

    def apply(
        self, view: StateView, ctx: BlockContext, tx: TxBody, payload: RageKick
    ) -> list[Event]:
        cid = payload.collective
        collective = require_collective(view, cid)
        burns = tuple(
            (index, amount)
            for index in collective.indices(ClassKind.SHARES, ClassKind.LOOT)
            if (amount := holding(view, cid, index, payload.member))
        )
        return _exit(view, ctx.height, cid, payload.member, burns)  # burns all: _exit ends it


register_handler(RagequitHandler())
register_handler(RageKickHandler())
