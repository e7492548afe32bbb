"""Native-coin transfer."""

from __future__ import annotations

from ledger.errors import ErrorCode, TxError
from ledger.genesis import ChainParams
from ledger.state.accounts import move
from ledger.state.context import BlockContext
from ledger.state.events import Event
from ledger.state.handlers import TxHandler, register_handler
from ledger.state.view import StateView
from ledger.tx import Transfer, TxBody


class TransferHandler(TxHandler[Transfer]):
    payload_type = Transfer

    def check_stateless(self, tx: TxBody, payload: Transfer, params: ChainParams) -> None:
        if payload.amount == 0:
            raise TxError(ErrorCode.ZERO_AMOUNT, "transfer amount must be positive")
        if payload.recipient == tx.sender_address:
            raise TxError(ErrorCode.SELF_TRANSFER, "sender and recipient are the same account")

    def apply(
        self, view: StateView, ctx: BlockContext, tx: TxBody, payload: Transfer
    ) -> list[Event]:
        move(view, tx.sender_address, payload.recipient, payload.amount)
        return [
            Event.of(
                "transfer",
                sender=tx.sender_address.raw,
                recipient=payload.recipient.raw,
                amount=payload.amount,
            )
        ]


register_handler(TransferHandler())
