"""MATCHING_CONTRIBUTE (kind 111): a vetted member contributes native coin to an initiative of an
open matching round; the coin is held by the round and paid to the initiative at the close.

The adversary's moves and what stops each (tests/ledger/economics/test_matching.py):
- sock puppets: only members in good standing who joined before the round opened contribute
  (ENDORSER_NOT_ELIGIBLE), and a member's contributions to one initiative are summed, so each
  member counts once in the quadratic rule however often it pays;
- funding oneself: the initiative's own account, or a direct recipient of the initiative's
  split, cannot contribute to it (SELF_FUNDING): its contribution would buy it matching money;
- contributing after the period: ROUND_CLOSED.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, ClassVar

from ledger.codec import U64_MAX, Fields
from ledger.collectives.standing import require_active_member
from ledger.economics import keys
from ledger.economics.matching import (
    MatchingRound,
    MatchingStatus,
    put_matching,
    require_matching,
)
from ledger.errors import ErrorCode, TxError
from ledger.genesis import ChainParams
from ledger.keys import Address
from ledger.splits.parties import Party, PartyKind
from ledger.splits.store import find_config
from ledger.state import accounts
from ledger.state.context import BlockContext
from ledger.state.events import Event
from ledger.state.handlers import TxHandler, register_handler
from ledger.state.keys import u64
from ledger.state.view import StateView
from ledger.tx import TxBody, TxKind, register_payload


@register_payload
@dataclass(frozen=True, slots=True)
class MatchingContribute:
    KIND: ClassVar[TxKind] = TxKind.MATCHING_CONTRIBUTE
    round_id: int
    initiative: int
    amount: int

    def to_fields(self) -> list[Any]:
        return [self.round_id, self.initiative, self.amount]

    @classmethod
    def from_fields(cls, raw: object) -> MatchingContribute:
        f = Fields(raw, 3, "matching_contribute")
        return cls(f.int("round_id"), f.int("initiative", 0, 255), f.int("amount"))


def _funds_itself(view: StateView, party: Party, who: Address) -> bool:
    if party.kind is PartyKind.ACCOUNT:
        return party.address == who
    config = find_config(view, party.id)
    return config is not None and Party.account(who) in config.parties()


def _check(
    view: StateView, ctx: BlockContext, who: Address, p: MatchingContribute
) -> MatchingRound:
    record = require_matching(view, p.round_id)
    if record.status is not MatchingStatus.OPEN or ctx.time_ms >= record.end_ms:
        raise TxError(ErrorCode.ROUND_CLOSED, f"matching round {p.round_id} is closed")
    if p.initiative >= len(record.terms.initiatives):
        raise TxError(ErrorCode.NOT_FOUND, f"no initiative {p.initiative}")
    member = require_active_member(view, record.collective, who, ctx.time_ms)
    if member.joined_ms >= record.start_ms:
        raise TxError(ErrorCode.ENDORSER_NOT_ELIGIBLE, "only members from before the round count")
    if _funds_itself(view, record.terms.initiatives[p.initiative].party, who):
        raise TxError(ErrorCode.SELF_FUNDING, "a member cannot fund its own initiative")
    if record.contributed + p.amount > U64_MAX:
        raise TxError(ErrorCode.OVERFLOW, "the round would hold too much")
    return record


class MatchingContributeHandler(TxHandler[MatchingContribute]):
    payload_type = MatchingContribute

    def check_stateless(self, tx: TxBody, payload: MatchingContribute, params: ChainParams) -> None:
        if payload.amount == 0:
            raise TxError(ErrorCode.ZERO_AMOUNT, "a contribution needs an amount")

    def check_stateful(
        self, view: StateView, ctx: BlockContext, tx: TxBody, payload: MatchingContribute
    ) -> None:
        _check(view, ctx, tx.sender_address, payload)

    def apply(
        self, view: StateView, ctx: BlockContext, tx: TxBody, payload: MatchingContribute
    ) -> list[Event]:
        who = tx.sender_address
        record = _check(view, ctx, who, payload)
        accounts.debit(view, who, payload.amount)
        key = keys.contribution(payload.round_id, payload.initiative, who.raw)
        data = view.get(key)
        total = (0 if data is None else int.from_bytes(data, "big")) + payload.amount
        view.put(key, u64(total))
        put_matching(
            view, payload.round_id, replace(record, contributed=record.contributed + payload.amount)
        )
        return [
            Event.of(
                "matching_contribution",
                round=payload.round_id,
                initiative=payload.initiative,
                member=who.raw,
                amount=payload.amount,
                total=total,
            )
        ]


register_handler(MatchingContributeHandler())
