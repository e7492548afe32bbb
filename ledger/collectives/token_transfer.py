"""TokenTransfer: move units of a transferable token class between holders."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from ledger.codec import Fields
from ledger.collectives.exitlock import require_unlocked
from ledger.collectives.fieldcodec import address
from ledger.collectives.ids import COLLECTIVE_ID_LEN, MAX_TOKEN_CLASSES
from ledger.collectives.store import get_member, require_collective
from ledger.collectives.tokens import credit_holding, debit_holding
from ledger.errors import ErrorCode, TxError
from ledger.genesis import ChainParams
from ledger.keys import Address
from ledger.state.context import BlockContext
from ledger.state.events import Event
from ledger.state.handlers import TxHandler, register_handler
from ledger.state.view import StateView
from ledger.tx import TxBody, TxKind, register_payload


@register_payload
@dataclass(frozen=True, slots=True)
class TokenTransfer:
    KIND: ClassVar[TxKind] = TxKind.TOKEN_TRANSFER
    collective: bytes
    token_class: int
    to: Address
    amount: int

    def to_fields(self) -> list[Any]:
        return [self.collective, self.token_class, self.to.raw, self.amount]

    @classmethod
    def from_fields(cls, raw: object) -> TokenTransfer:
        f = Fields(raw, 4, "token_transfer")
        return cls(
            f.bytes("collective", COLLECTIVE_ID_LEN, exact=True),
            f.int("token_class", 0, MAX_TOKEN_CLASSES - 1),
            address(f, "to"),
            f.int("amount"),
        )


class TokenTransferHandler(TxHandler[TokenTransfer]):
    payload_type = TokenTransfer

    def check_stateless(self, tx: TxBody, payload: TokenTransfer, params: ChainParams) -> None:
        if payload.amount == 0:
            raise TxError(ErrorCode.ZERO_AMOUNT, "transfer amount must be positive")
        if payload.to == tx.sender_address:
            raise TxError(ErrorCode.SELF_TRANSFER, "sender and recipient are the same")

    def check_stateful(
        self, view: StateView, ctx: BlockContext, tx: TxBody, payload: TokenTransfer
    ) -> None:
        collective = require_collective(view, payload.collective)
        cls = collective.token_class(payload.token_class)
        if not cls.transferable:
            raise TxError(ErrorCode.NOT_TRANSFERABLE, f"class {cls.name!r} is not transferable")
        member = get_member(view, payload.collective, tx.sender_address)
        if member is not None and member.jailed:
            raise TxError(ErrorCode.JAILED, "a jailed member cannot transfer tokens")
        if cls.kind.has_exit:
            require_unlocked(view, payload.collective, tx.sender_address)

    def apply(
        self, view: StateView, ctx: BlockContext, tx: TxBody, payload: TokenTransfer
    ) -> list[Event]:
        cid = payload.collective
        collective = require_collective(view, cid)
        sender = tx.sender_address
        index, amount = payload.token_class, payload.amount
        debit_holding(
            view, ctx.height, cid, collective, token_class=index, holder=sender, amount=amount
        )
        credit_holding(
            view, ctx.height, cid, collective, token_class=index, to=payload.to, amount=amount
        )
        return [
            Event.of(
                "token_transfer",
                collective=cid,
                token_class=payload.token_class,
                sender=sender.raw,
                to=payload.to.raw,
                amount=payload.amount,
            )
        ]


register_handler(TokenTransferHandler())
