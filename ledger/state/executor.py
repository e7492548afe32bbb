"""Executing transactions and blocks: the state machine as a pure function of (state, block).

`execute_tx` runs the common envelope rules (chain id, size, fee, signature, strict nonce) and the
kind's handler in a child view; it either succeeds and merges, or raises `TxError` and changes
nothing. `execute_block` runs begin-block hooks, the txs and end-block hooks over an overlay of
the committed state and returns the change set; nothing is written until the store commits it.

Failed txs in blocks: a proposer builds blocks in `Mode.PROPOSE`, where a tx that fails is left out
(reported in `skipped`); validators re-execute in `Mode.VALIDATE`, where any failing tx makes the
whole block invalid. So every tx in a committed block succeeded, and a rejected tx never costs its
sender a fee or a nonce. This differs from Ethereum and Cosmos, which charge failed txs: on a
permissioned chain with vetted members, spam is handled by mempool limits, not by burning fees.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import Enum

from ledger.codec import U64_MAX
from ledger.errors import ErrorCode, TxError
from ledger.keys import Address
from ledger.state import keys, registry
from ledger.state.accounts import credit, get_account, put_account
from ledger.state.context import BlockContext
from ledger.state.events import Event, Receipt
from ledger.state.handlers import begin_block_hooks, end_block_hooks, handler_for
from ledger.state.intcheck import require_u64, require_u64_ints
from ledger.state.reader import StateReader
from ledger.state.records import Account
from ledger.state.transfer import (
    TRANSFER_HANDLER,
    AccountCache,
    execute_transfer,
    run_transfer,
)
from ledger.state.view import StateView
from ledger.tx import SignedTx, Transfer

SignatureCheck = Callable[[SignedTx], bool]
EXECUTED_MODULES = registry.HANDLER_MODULES  # importing the registry registers every handler


class Mode(Enum):
    PROPOSE = "propose"
    VALIDATE = "validate"


class BlockError(ValueError):
    """A block that cannot be executed: one of its txs failed, with the tx's error."""

    def __init__(self, index: int, error: TxError) -> None:
        super().__init__(f"tx {index} failed: {error}")
        self.index = index
        self.error = error


@dataclass(slots=True)
class BlockResult:
    changes: dict[bytes, bytes | None]
    included: list[SignedTx]
    receipts: list[Receipt]
    block_events: list[Event]
    skipped: list[tuple[SignedTx, TxError]] = field(default_factory=list)


def fee_recipient(ctx: BlockContext) -> Address:
    return ctx.params.fee_collector or ctx.proposer


def check_envelope(tx: SignedTx, ctx: BlockContext, signature_ok: SignatureCheck | None) -> None:
    """The stateless rules every kind shares, then the handler's own stateless check."""
    body = tx.body
    params = ctx.params
    if body.chain_id != params.chain_id:
        raise TxError(ErrorCode.WRONG_CHAIN, f"tx is for chain {body.chain_id!r}")
    if not (0 <= body.nonce <= U64_MAX and 0 <= body.fee <= U64_MAX):  # one test, not two calls
        require_u64("nonce", body.nonce)
        require_u64("fee", body.fee)
    payload = body.payload
    if type(payload) is Transfer:
        if not 0 <= payload.amount <= U64_MAX:
            require_u64("amount", payload.amount)
    else:
        require_u64_ints(payload.to_fields())
    if len(tx.encode()) > params.consensus.max_tx_bytes:
        raise TxError(ErrorCode.TOO_LARGE, "tx exceeds the chain's size limit")
    minimum = params.min_fee_for(body.kind) if params.fee_by_kind else params.min_fee
    if body.fee < minimum:
        raise TxError(ErrorCode.FEE_TOO_LOW, f"fee {body.fee} is below the minimum {minimum}")
    verified = signature_ok(tx) if signature_ok else tx.verify_signature(ctx.genesis_hash)
    if not verified:
        raise TxError(ErrorCode.BAD_SIGNATURE, "signature does not verify")
    if type(payload) is Transfer:  # its handler, as for every transfer (`execute_tx`)
        TRANSFER_HANDLER.check_stateless(body, payload, params)
        return
    handler = handler_for(payload.KIND)
    handler.check_stateless(body, handler.payload(body), params)


def execute_tx(
    view: StateView,
    ctx: BlockContext,
    tx: SignedTx,
    signature_ok: SignatureCheck | None = None,
) -> Receipt:
    """Apply one tx to `view`, or raise `TxError` and leave `view` unchanged."""
    check_envelope(tx, ctx, signature_ok)
    body = tx.body
    if type(body.payload) is Transfer:
        return execute_transfer(view, tx, body.payload, fee_recipient(ctx))
    return _execute_generic(view, ctx, tx)


def _execute_generic(view: StateView, ctx: BlockContext, tx: SignedTx) -> Receipt:
    """The common path for every kind, after `check_envelope`: nonce, fee, then the handler."""
    body = tx.body
    sender = body.sender_address
    child = view.child()
    account = get_account(child, sender)
    if body.nonce < account.nonce:
        raise TxError(
            ErrorCode.BAD_NONCE, f"nonce {body.nonce} already used; next is {account.nonce}"
        )
    if body.nonce > account.nonce:
        raise TxError(
            ErrorCode.NONCE_TOO_HIGH, f"nonce {body.nonce} is ahead; next is {account.nonce}"
        )
    if account.balance < body.fee:
        raise TxError(ErrorCode.INSUFFICIENT_FUNDS, f"balance {account.balance} cannot pay the fee")
    put_account(child, sender, Account(account.balance - body.fee, account.nonce + 1))
    credit(child, fee_recipient(ctx), body.fee)
    handler = handler_for(body.kind)
    payload = handler.payload(body)
    handler.check_stateful(child, ctx, body, payload)
    events = handler.apply(child, ctx, body, payload)
    child.merge_into_parent()
    return Receipt(tx.hash, ErrorCode.OK, tuple(events))


def execute_block(
    base: StateReader,
    ctx: BlockContext,
    txs: Sequence[SignedTx],
    mode: Mode,
    signature_ok: SignatureCheck | None = None,
    *,
    prechecked: SignatureCheck | None = None,
) -> BlockResult:
    """Execute a block's txs over `base`; in VALIDATE mode any failing tx raises `BlockError`.

    `prechecked(tx)` is True for a tx known to pass `check_envelope` under `ctx.params` and
    the same genesis (a mempool holding that very tx: admission ran the check), which is then
    not run again. Transfers run on an `AccountCache`, flushed before any other kind of tx and
    before the end-block hooks, so the change set is exactly what tx-by-tx execution gives.
    """
    view = StateView(base)
    block_events: list[Event] = []
    for _name, hook in begin_block_hooks():
        block_events.extend(hook(view, ctx))
    result = BlockResult({}, [], [], block_events)
    accounts = AccountCache(view)
    fee_to = fee_recipient(ctx)
    for index, tx in enumerate(txs):
        payload = tx.body.payload
        try:
            if type(payload) is Transfer:
                if prechecked is None or not prechecked(tx):
                    check_envelope(tx, ctx, signature_ok)
                receipt = run_transfer(accounts, tx, payload, fee_to)
            else:
                accounts.flush()
                receipt = execute_tx(view, ctx, tx, signature_ok)
        except TxError as error:
            if mode is Mode.VALIDATE:
                raise BlockError(index, error) from error
            result.skipped.append((tx, error))
            continue
        result.included.append(tx)
        result.receipts.append(receipt)
    accounts.flush()
    for _name, hook in end_block_hooks():
        block_events.extend(hook(view, ctx))
    view.put(keys.chain_meta(b"height"), keys.u64(ctx.height))
    result.changes = view.changes()
    return result
