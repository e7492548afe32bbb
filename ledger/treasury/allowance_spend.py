"""AllowanceSpend: a grantee pays out of the treasury within its allowance, without a vote.

The sender must be an active member (not jailed) and be the grantee: the member named by the
allowance, or a current holder of its role. The amount counts against what is left of the
current window (after the lazy reset), and the treasury must hold it. Everything else about
allowances is in `ledger.treasury.allowances`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from ledger.codec import Fields
from ledger.collectives import treasury
from ledger.collectives.fieldcodec import address
from ledger.collectives.ids import ASSET_TOKEN_LEN, COLLECTIVE_ID_LEN, Asset
from ledger.collectives.standing import require_active_member
from ledger.collectives.store import require_collective
from ledger.errors import ErrorCode, TxError
from ledger.genesis import ChainParams
from ledger.keys import Address
from ledger.state.context import BlockContext
from ledger.state.events import Event
from ledger.state.handlers import TxHandler, register_handler
from ledger.state.view import StateView
from ledger.treasury.allowances import Grantee, require_allowance, spend
from ledger.tx import TxBody, TxKind, register_payload

MAX_MEMO_LEN = 256


@register_payload
@dataclass(frozen=True, slots=True)
class AllowanceSpend:
    KIND: ClassVar[TxKind] = TxKind.ALLOWANCE_SPEND
    collective: bytes
    grantee: Grantee
    asset: Asset
    to: Address
    amount: int
    memo: str = ""

    def to_fields(self) -> list[Any]:
        return [
            self.collective,
            self.grantee.to_fields(),
            self.asset.raw,
            self.to.raw,
            self.amount,
            self.memo,
        ]

    @classmethod
    def from_fields(cls, raw: object) -> AllowanceSpend:
        f = Fields(raw, 6, "allowance_spend")
        return cls(
            f.bytes("collective", COLLECTIVE_ID_LEN, exact=True),
            Grantee.from_fields(f.raw()),
            Asset.parse(f.bytes("asset", ASSET_TOKEN_LEN)),
            address(f, "to"),
            f.int("amount"),
            f.str("memo", MAX_MEMO_LEN),
        )


class AllowanceSpendHandler(TxHandler[AllowanceSpend]):
    payload_type = AllowanceSpend

    def check_stateless(self, tx: TxBody, payload: AllowanceSpend, params: ChainParams) -> None:
        if payload.amount == 0:
            raise TxError(ErrorCode.ZERO_AMOUNT, "a spend must be positive")

    def check_stateful(
        self, view: StateView, ctx: BlockContext, tx: TxBody, payload: AllowanceSpend
    ) -> None:
        cid = payload.collective
        require_collective(view, cid)
        allowance = require_allowance(view, cid, payload.grantee, payload.asset)
        require_active_member(view, cid, tx.sender_address, ctx.time_ms)
        if not payload.grantee.may_spend(view, cid, tx.sender_address, ctx.time_ms):
            raise TxError(ErrorCode.UNAUTHORIZED, "the sender is not this allowance's grantee")
        left = allowance.available(ctx.time_ms)
        if payload.amount > left:
            raise TxError(ErrorCode.ALLOWANCE_EXCEEDED, f"{payload.amount} exceeds the {left} left")
        held = treasury.balance(view, cid, payload.asset)
        if held < payload.amount:
            raise TxError(
                ErrorCode.INSUFFICIENT_FUNDS, f"the treasury holds {held}, not {payload.amount}"
            )

    def apply(
        self, view: StateView, ctx: BlockContext, tx: TxBody, payload: AllowanceSpend
    ) -> list[Event]:
        cid = payload.collective
        now = ctx.time_ms
        updated = spend(view, now, cid, payload.grantee, payload.asset, amount=payload.amount)
        treasury.pay_out(
            view, ctx.height, cid, to=payload.to, asset=payload.asset, amount=payload.amount
        )
        return [
            Event.of(
                "allowance_spend",
                collective=cid,
                spender=tx.sender_address.raw,
                grantee_kind=int(payload.grantee.kind),
                grantee=payload.grantee.id,
                asset=payload.asset.raw,
                to=payload.to.raw,
                amount=payload.amount,
                left=updated.amount - updated.spent,
                memo=payload.memo,
            )
        ]


register_handler(AllowanceSpendHandler())
