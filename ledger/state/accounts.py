"""Native-coin accounts: balance and nonce, with checked arithmetic.

Every coin movement goes through `credit`/`debit`/`move`, so overflow and insufficient funds are
checked in one place and value is conserved by construction.
"""

from __future__ import annotations

from ledger.codec import U64_MAX
from ledger.errors import ErrorCode, TxError
from ledger.keys import Address
from ledger.state import keys
from ledger.state.records import Account
from ledger.state.view import StateView


def get_account(view: StateView, address: Address) -> Account:
    data = view.get(keys.account(address.raw))
    return Account() if data is None else Account.decode(data)


def put_account(view: StateView, address: Address, account: Account) -> None:
    view.put(keys.account(address.raw), account.encode())


def credit(view: StateView, address: Address, amount: int) -> None:
    if amount == 0:
        return
    account = get_account(view, address)
    if account.balance + amount > U64_MAX:
        raise TxError(ErrorCode.OVERFLOW, f"balance of {address!r} would overflow")
    put_account(view, address, Account(account.balance + amount, account.nonce))


def debit(view: StateView, address: Address, amount: int) -> None:
    if amount == 0:
        return
    account = get_account(view, address)
    if account.balance < amount:
        raise TxError(
            ErrorCode.INSUFFICIENT_FUNDS,
            f"balance {account.balance} is less than {amount}",
        )
    put_account(view, address, Account(account.balance - amount, account.nonce))


def move(view: StateView, source: Address, target: Address, amount: int) -> None:
    debit(view, source, amount)
    credit(view, target, amount)
