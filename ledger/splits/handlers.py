"""Tx handlers for the split kinds: thin wrappers that name the sender as the acting party."""

from __future__ import annotations

from ledger.errors import ErrorCode, TxError
from ledger.genesis import ChainParams
from ledger.splits import admin, payments
from ledger.splits.consent import verify_consents
from ledger.splits.parties import MAX_INVOICE_REF_LEN, MAX_MEMO_LEN, Party
from ledger.splits.payloads import (
    SplitAcceptOwnership,
    SplitCreate,
    SplitDistribute,
    SplitPay,
    SplitUpdate,
)
from ledger.splits.records import check_tranches
from ledger.splits.store import get_config, split_id_for
from ledger.state.accounts import debit, get_account
from ledger.state.context import BlockContext
from ledger.state.events import Event
from ledger.state.handlers import TxHandler, register_handler
from ledger.state.view import StateView
from ledger.tx import TxBody


class SplitCreateHandler(TxHandler[SplitCreate]):
    payload_type = SplitCreate

    def check_stateless(self, tx: TxBody, payload: SplitCreate, params: ChainParams) -> None:
        payload.terms.check()
        check_tranches(payload.tranches)
        admin.check_owner_shape(payload.owner)

    def check_stateful(
        self, view: StateView, ctx: BlockContext, tx: TxBody, payload: SplitCreate
    ) -> None:
        split_id = split_id_for(tx.sender_address, tx.nonce)
        admin.check_create(view, split_id, payload.owner, payload.terms, payload.tranches)

    def apply(
        self, view: StateView, ctx: BlockContext, tx: TxBody, payload: SplitCreate
    ) -> list[Event]:
        split_id = split_id_for(tx.sender_address, tx.nonce)
        return admin.create_split(
            view,
            ctx,
            split_id,
            owner=payload.owner,
            terms=payload.terms,
            tranches=payload.tranches,
        )


class SplitUpdateHandler(TxHandler[SplitUpdate]):
    payload_type = SplitUpdate

    def check_stateless(self, tx: TxBody, payload: SplitUpdate, params: ChainParams) -> None:
        admin.check_owner_action(payload.owner_action, payload.new_owner)
        if payload.terms is None:
            if payload.consents:
                raise TxError(ErrorCode.SPLIT_CONSENT_INVALID, "consents need new terms")
            if payload.owner_action is admin.OwnerAction.KEEP:
                raise TxError(ErrorCode.INVALID_PAYLOAD, "the update changes nothing")
            return
        payload.terms.check()
        verify_consents(
            params.chain_id, payload.split_id, payload.version, payload.terms, payload.consents
        )

    def check_stateful(
        self, view: StateView, ctx: BlockContext, tx: TxBody, payload: SplitUpdate
    ) -> None:
        authority, consenting = _parties(tx, payload)
        admin.check_update(
            view,
            ctx,
            payload.split_id,
            payload.change(),
            authority=authority,
            consenting=consenting,
        )

    def apply(
        self, view: StateView, ctx: BlockContext, tx: TxBody, payload: SplitUpdate
    ) -> list[Event]:
        authority, consenting = _parties(tx, payload)
        return admin.update_split(
            view,
            ctx,
            payload.split_id,
            payload.change(),
            authority=authority,
            consenting=consenting,
        )


def _parties(tx: TxBody, payload: SplitUpdate) -> tuple[Party, frozenset[Party]]:
    """The acting owner and the consenting signers (their signatures were verified statelessly)."""
    consenting = frozenset(Party.account(c.address) for c in payload.consents)
    return Party.account(tx.sender_address), consenting


class SplitPayHandler(TxHandler[SplitPay]):
    payload_type = SplitPay

    def check_stateless(self, tx: TxBody, payload: SplitPay, params: ChainParams) -> None:
        if payload.amount == 0:
            raise TxError(ErrorCode.ZERO_AMOUNT, "a payment must be positive")
        if len(payload.invoice_ref) > MAX_INVOICE_REF_LEN:
            raise TxError(ErrorCode.INVALID_PAYLOAD, "invoice reference too long")
        if len(payload.memo.encode()) > MAX_MEMO_LEN:
            raise TxError(ErrorCode.INVALID_PAYLOAD, "memo too long")

    def check_stateful(
        self, view: StateView, ctx: BlockContext, tx: TxBody, payload: SplitPay
    ) -> None:
        get_config(view, payload.split_id)
        balance = get_account(view, tx.sender_address).balance
        if balance < payload.amount:
            raise TxError(
                ErrorCode.INSUFFICIENT_FUNDS, f"balance {balance} is less than {payload.amount}"
            )

    def apply(
        self, view: StateView, ctx: BlockContext, tx: TxBody, payload: SplitPay
    ) -> list[Event]:
        debit(view, tx.sender_address, payload.amount)
        return payments.receive(
            view,
            ctx,
            payload.split_id,
            Party.account(tx.sender_address),
            payload.amount,
            invoice_ref=payload.invoice_ref,
            memo=payload.memo,
        )


class SplitDistributeHandler(TxHandler[SplitDistribute]):
    payload_type = SplitDistribute

    def check_stateful(
        self, view: StateView, ctx: BlockContext, tx: TxBody, payload: SplitDistribute
    ) -> None:
        payments.distributable(view, payload.split_id, payload.amount)

    def apply(
        self, view: StateView, ctx: BlockContext, tx: TxBody, payload: SplitDistribute
    ) -> list[Event]:
        return payments.distribute(view, ctx, payload.split_id, payload.amount, tx.sender_address)


class SplitAcceptOwnershipHandler(TxHandler[SplitAcceptOwnership]):
    payload_type = SplitAcceptOwnership

    def check_stateful(
        self, view: StateView, ctx: BlockContext, tx: TxBody, payload: SplitAcceptOwnership
    ) -> None:
        admin.check_accept(view, payload.split_id, Party.account(tx.sender_address))

    def apply(
        self, view: StateView, ctx: BlockContext, tx: TxBody, payload: SplitAcceptOwnership
    ) -> list[Event]:
        return admin.accept_ownership(view, ctx, payload.split_id, Party.account(tx.sender_address))


register_handler(SplitCreateHandler())
register_handler(SplitUpdateHandler())
register_handler(SplitPayHandler())
register_handler(SplitDistributeHandler())
register_handler(SplitAcceptOwnershipHandler())
