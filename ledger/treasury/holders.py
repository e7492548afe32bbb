"""Holder distributions: an amount paid pro rata to the holders of one token class.

A payment goes into the class's payout pool and raises its per-unit index
(`ledger.collectives.payouts`): O(1) whatever the number of holders. Each holder collects their
part with a `HolderClaim` tx (`ledger.treasury.holder_claim`); the part is their units times the
index's rise while they held them, so units bought after a payment collect nothing of it. Only
accounts hold tokens: what sits in a treasury, an escrow or a stream reserve earns nothing.
Rounding (the index rounds up, claims round down, the fraction stays with the holder): every
holder is paid strictly within one unit of their exact share and the pool never pays out more
than it received.
"""

from __future__ import annotations

from ledger.collectives import payouts
from ledger.collectives.holdings import holding
from ledger.collectives.ids import Asset
from ledger.keys import Address
from ledger.state.events import Event
from ledger.state.reader import StateReader
from ledger.state.view import StateView


def held(view: StateReader, holders_of: Asset) -> int:
    """The units of a class that accounts hold: 0 means there is nobody to pay."""
    return payouts.held(view, holders_of.collective, holders_of.token_class)


def pay_holders(
    view: StateView, holders_of: Asset, asset: Asset, amount: int, record_id: bytes = b""
) -> Event:
    """Give `amount` of `asset` (already taken from its source) to the holders of class
    `holders_of` (of its record moment, for a `record_id` registered in
    `ledger.collectives.record_dates`), to be claimed; raises NO_HOLDERS when nobody holds it."""
    units = payouts.deposit(view, holders_of, asset, amount, record_id)
    return Event.of(
        "holders_paid",
        collective=holders_of.collective,
        token_class=holders_of.token_class,
        asset=asset.raw,
        amount=amount,
        units=units,
    )


def claimable(view: StateView, holders_of: Asset, who: Address) -> list[tuple[Asset, int]]:
    """What `who` could claim now from the holders' pools of `holders_of`, per asset."""
    units = holding(view, holders_of.collective, holders_of.token_class, who)
    return payouts.owed(view, holders_of, who, units)
