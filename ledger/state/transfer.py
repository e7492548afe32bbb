"""Native-coin transfer: the handler, and the executor's fast path for it.

Transfers are nearly every tx a busy chain sees, so the executor runs them through
`execute_transfer`, which has exactly the effect, the errors and the error order of the generic
path (envelope fee and nonce, fee credit, then this handler's `apply`) but reads each account
once, checks everything before writing, and writes each touched account once. A test runs both
paths on the same random inputs (aliasing of sender, recipient and fee collector included).
"""

from __future__ import annotations

from ledger.codec import U64_MAX
from ledger.errors import ErrorCode, TxError
from ledger.genesis import ChainParams
from ledger.keys import Address
from ledger.state import keys
from ledger.state.accounts import move
from ledger.state.context import BlockContext
from ledger.state.events import Event, Receipt
from ledger.state.handlers import TxHandler, register_handler
from ledger.state.records import decode_account, encode_account
from ledger.state.view import StateView
from ledger.tx import SignedTx, Transfer, TxBody


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


def execute_transfer(view: StateView, tx: SignedTx, payload: Transfer, fee_to: Address) -> Receipt:
    """The generic execution of a transfer whose envelope passed `check_envelope`, fused.

    Same checks in the same order as `executor.execute_tx` + `TransferHandler.apply`: nonce
    (BAD_NONCE, NONCE_TOO_HIGH), the fee (INSUFFICIENT_FUNDS), the fee credit (OVERFLOW), the
    amount (INSUFFICIENT_FUNDS), the recipient's credit (OVERFLOW). Accounts are held as
    (balance, nonce) pairs keyed by address, so a fee collector that is also the sender or the
    recipient sees the earlier steps, exactly as through the view.
    """
    body = tx.body
    get = view.get
    sender = body.sender_address
    sender_key = keys.ACCOUNT + sender.raw
    data = get(sender_key)
    balance, nonce = (0, 0) if data is None else decode_account(data)
    if body.nonce < nonce:
        raise TxError(ErrorCode.BAD_NONCE, f"nonce {body.nonce} already used; next is {nonce}")
    if body.nonce > nonce:
        raise TxError(ErrorCode.NONCE_TOO_HIGH, f"nonce {body.nonce} is ahead; next is {nonce}")
    fee = body.fee
    if balance < fee:
        raise TxError(ErrorCode.INSUFFICIENT_FUNDS, f"balance {balance} cannot pay the fee")
    accounts: dict[bytes, list[int]] = {sender_key: [balance - fee, nonce + 1]}

    def account(key: bytes) -> list[int]:
        found = accounts.get(key)
        if found is None:
            raw = get(key)
            found = accounts[key] = [0, 0] if raw is None else list(decode_account(raw))
        return found

    if fee:
        collector = account(keys.ACCOUNT + fee_to.raw)
        if collector[0] + fee > U64_MAX:
            raise TxError(ErrorCode.OVERFLOW, f"balance of {fee_to!r} would overflow")
        collector[0] += fee
    amount = payload.amount
    if amount:  # never 0 here (check_stateless), but the generic path skips 0 as well
        source = accounts[sender_key]
        if source[0] < amount:
            raise TxError(
                ErrorCode.INSUFFICIENT_FUNDS, f"balance {source[0]} is less than {amount}"
            )
        source[0] -= amount
        target = account(keys.ACCOUNT + payload.recipient.raw)
        if target[0] + amount > U64_MAX:
            raise TxError(ErrorCode.OVERFLOW, f"balance of {payload.recipient!r} would overflow")
        target[0] += amount
    put = view.put
    for key, (new_balance, new_nonce) in accounts.items():
        put(key, encode_account(new_balance, new_nonce))
    event = Event(
        "transfer",
        (
            ("sender", sender.raw),
            ("recipient", payload.recipient.raw),
            ("amount", amount),
        ),
    )
    return Receipt(tx.hash, ErrorCode.OK, (event,))
