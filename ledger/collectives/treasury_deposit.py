"""TreasuryDeposit: anyone pays the native coin or an accepted token into a collective's treasury.

The memo and the optional invoice reference travel in the event, so a payment can be matched to
the brand deal or invoice it settles (Cosmos FundCommunityPool, plus the reference's invoice_ref);
a deposit with an invoice reference is also kept in the collective's invoice index
(`ledger.treasury.invoices`). A token must be on the collective's whitelist
(`ledger.treasury.accepted`, changed by the AcceptAsset proposal action).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from ledger.codec import Fields
from ledger.collectives import treasury
from ledger.collectives.ids import ASSET_TOKEN_LEN, COLLECTIVE_ID_LEN, Asset
from ledger.collectives.store import require_collective
from ledger.errors import ErrorCode, TxError
from ledger.genesis import ChainParams
from ledger.splits.parties import Party
from ledger.state.context import BlockContext
from ledger.state.events import Event
from ledger.state.handlers import TxHandler, register_handler
from ledger.state.view import StateView
from ledger.treasury.accepted import require_accepted
from ledger.treasury.invoices import record_receipt
from ledger.tx import TxBody, TxKind, register_payload

MAX_MEMO_LEN = 256
MAX_INVOICE_REF_LEN = 64


@register_payload
@dataclass(frozen=True, slots=True)
class TreasuryDeposit:
    KIND: ClassVar[TxKind] = TxKind.TREASURY_DEPOSIT
    collective: bytes
    asset: Asset
    amount: int
    memo: str = ""
    invoice_ref: bytes = b""

    def to_fields(self) -> list[Any]:
        return [self.collective, self.asset.raw, self.amount, self.memo, self.invoice_ref]

    @classmethod
    def from_fields(cls, raw: object) -> TreasuryDeposit:
        f = Fields(raw, 5, "treasury_deposit")
        return cls(
            f.bytes("collective", COLLECTIVE_ID_LEN, exact=True),
            Asset.parse(f.bytes("asset", ASSET_TOKEN_LEN)),
            f.int("amount"),
            f.str("memo", MAX_MEMO_LEN),
            f.bytes("invoice_ref", MAX_INVOICE_REF_LEN),
        )


class TreasuryDepositHandler(TxHandler[TreasuryDeposit]):
    payload_type = TreasuryDeposit

    def check_stateless(self, tx: TxBody, payload: TreasuryDeposit, params: ChainParams) -> None:
        if payload.amount == 0:
            raise TxError(ErrorCode.ZERO_AMOUNT, "deposit amount must be positive")

    def check_stateful(
        self, view: StateView, ctx: BlockContext, tx: TxBody, payload: TreasuryDeposit
    ) -> None:
        require_collective(view, payload.collective)
        require_accepted(view, payload.collective, payload.asset)

    def apply(
        self, view: StateView, ctx: BlockContext, tx: TxBody, payload: TreasuryDeposit
    ) -> list[Event]:
        treasury.deposit(
            view,
            ctx.height,
            payload.collective,
            payer=tx.sender_address,
            asset=payload.asset,
            amount=payload.amount,
        )
        event = Event.of(
            "treasury_deposit",
            collective=payload.collective,
            payer=tx.sender_address.raw,
            asset=payload.asset.raw,
            amount=payload.amount,
            memo=payload.memo,
            invoice_ref=payload.invoice_ref,
        )
        seq = record_receipt(
            view,
            payload.collective,
            payer=Party.account(tx.sender_address),
            asset=payload.asset,
            amount=payload.amount,
            invoice_ref=payload.invoice_ref,
            memo=payload.memo,
            height=ctx.height,
            time_ms=ctx.time_ms,
        )
        if seq is not None:
            event = Event(event.kind, (*event.attributes, ("receipt", seq)))
        return [event]


register_handler(TreasuryDepositHandler())
