"""Holder distributions: an amount paid pro rata to the holders of one token class.

The holders are read at the moment of payment (the current height), zero holdings are skipped
and holders are ordered by address; `ledger.splits.distribution.apportion(amount, holdings)`
divides the amount exactly: every holder gets the floor of its share or one unit more, and the
parts sum to the amount (no carries between distributions, since holdings change in between).
Only accounts hold tokens: what sits in a treasury, an escrow or a stream reserve earns nothing.
At most `MAX_HOLDERS` holders are paid in one distribution, which bounds the work of one tx.
"""

from __future__ import annotations

from ledger.collectives import assets
from ledger.collectives.holdings import holders
from ledger.collectives.ids import Asset
from ledger.errors import ErrorCode, TxError
from ledger.keys import Address
from ledger.splits.distribution import apportion
from ledger.state.events import Event
from ledger.state.view import StateView

MAX_HOLDERS = 10_000


def pro_rata(amount: int, holdings: list[tuple[Address, int]]) -> list[tuple[Address, int]]:
    """The exact division of `amount` over `holdings` (positive amounts, in address order);
    only nonzero payouts are returned."""
    if not holdings:
        return []
    result = apportion(amount, [h for _, h in holdings])
    return [(who, paid) for (who, _), paid in zip(holdings, result.payouts, strict=True) if paid]


def class_holders(view: StateView, cid: bytes, token_class: int) -> list[tuple[Address, int]]:
    found = holders(view, cid, token_class)
    if len(found) > MAX_HOLDERS:
        raise TxError(
            ErrorCode.LIMIT_REACHED, f"over {MAX_HOLDERS} holders; distribute through a split"
        )
    return found


def pay_holders(
    view: StateView, height: int, holders_of: Asset, asset: Asset, amount: int
) -> tuple[int, Event]:
    """Give `amount` of `asset` (already taken from its source) to the holders of class
    `holders_of`; raises NO_HOLDERS when nobody holds it. Returns the number of holders paid."""
    found = class_holders(view, holders_of.collective, holders_of.token_class)
    if not found:
        raise TxError(ErrorCode.NO_HOLDERS, f"nobody holds {holders_of!r}")
    payouts = pro_rata(amount, found)
    for who, paid in payouts:
        assets.give(view, height, who, asset, paid)
    event = Event.of(
        "holders_paid",
        collective=holders_of.collective,
        token_class=holders_of.token_class,
        asset=asset.raw,
        amount=amount,
        holders=len(payouts),
    )
    return len(payouts), event
