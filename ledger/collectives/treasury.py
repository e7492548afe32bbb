"""A collective's treasury: one balance per asset (the native coin or another collective's token).

This is the one place treasury balances change. Everything that pays into or out of a treasury
(deposits, dues, tributes, spends, exits; later allowances, streams and splits) calls `credit` and
`debit`, or `deposit`/`pay_out` which pair them with the account side so value is conserved:
`deposit` takes from an account and credits the treasury, `pay_out` debits the treasury and gives
to an account. A treasury holds the native coin and at most `MAX_TREASURY_ASSETS` distinct tokens
(Moloch caps its guild tokens for the same reason: a ragequit pays out every asset, so the work must
be bounded)
and never its own collective's tokens (a fair share of one's own shares would be circular).
"""

from __future__ import annotations

from ledger.codec import U64_MAX
from ledger.collectives import assets, keys
from ledger.collectives.ids import Asset
from ledger.errors import ErrorCode, TxError
from ledger.keys import Address
from ledger.state.keys import u64
from ledger.state.view import StateView

MAX_TREASURY_ASSETS = 64


def balance(view: StateView, cid: bytes, asset: Asset) -> int:
    data = view.get(keys.treasury(cid, asset.raw))
    return 0 if data is None else int.from_bytes(data, "big")


def balances(view: StateView, cid: bytes) -> list[tuple[Asset, int]]:
    """Every non-zero balance, native coin first, then tokens in asset order."""
    prefix = keys.TREASURY + cid
    return [
        (Asset.parse(key[len(prefix) :]), int.from_bytes(value, "big"))
        for key, value in view.iter_prefix(prefix)
    ]


def credit(view: StateView, cid: bytes, asset: Asset, amount: int) -> None:
    if amount == 0:
        return
    if asset.collective == cid:
        raise TxError(ErrorCode.INVALID_STATE, "a treasury cannot hold its own collective's tokens")
    current = balance(view, cid, asset)
    if current + amount > U64_MAX:
        raise TxError(ErrorCode.OVERFLOW, "treasury balance would overflow")
    if current == 0 and not asset.is_native and _token_count(view, cid) >= MAX_TREASURY_ASSETS:
        raise TxError(
            ErrorCode.LIMIT_REACHED, f"a treasury holds at most {MAX_TREASURY_ASSETS} tokens"
        )
    view.put(keys.treasury(cid, asset.raw), u64(current + amount))


def _token_count(view: StateView, cid: bytes) -> int:
    return sum(1 for asset, _ in balances(view, cid) if not asset.is_native)


def debit(view: StateView, cid: bytes, asset: Asset, amount: int) -> None:
    if amount == 0:
        return
    current = balance(view, cid, asset)
    if current < amount:
        raise TxError(
            ErrorCode.INSUFFICIENT_FUNDS, f"treasury holds {current} of {asset!r}, not {amount}"
        )
    key = keys.treasury(cid, asset.raw)
    if current == amount:
        view.delete(key)
    else:
        view.put(key, u64(current - amount))


def deposit(
    view: StateView, height: int, cid: bytes, *, payer: Address, asset: Asset, amount: int
) -> None:
    """Move `amount` of `asset` from `payer`'s account or holding into the treasury."""
    assets.take(view, height, payer, asset, amount)
    credit(view, cid, asset, amount)


def pay_out(
    view: StateView, height: int, cid: bytes, *, to: Address, asset: Asset, amount: int
) -> None:
    """Move `amount` of `asset` from the treasury to `to`'s account or holding."""
    debit(view, cid, asset, amount)
    assets.give(view, height, to, asset, amount)
