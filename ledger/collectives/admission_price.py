"""What an OPEN join pays: the value of the exit share it buys, never less (issue 23, item 1).

A join that grants `g` exit units (shares and loot) into a collective with `S` exit units pays,
for every asset the treasury holds, ceil(balance x g / S): a ragequit of the same units pays the
floor of the same fraction, so a join followed by an exit never takes value from the members
who stay, in any asset. The native coin is charged at least `open_tribute`; other assets are
paid in kind from the applicant's holdings (Moloch's exit, run backwards). A grant of exit units
that would cost nothing at all (an empty treasury and `open_tribute` 0) is refused: free units
would share every later deposit. With no exit units yet and a non-empty treasury there is no
price to compute, and the door is refused too.
"""

from __future__ import annotations

from ledger.collectives import treasury
from ledger.collectives.holdings import exit_supply
from ledger.collectives.ids import NATIVE, Asset
from ledger.collectives.model import ClassKind, Collective
from ledger.errors import ErrorCode, TxError
from ledger.state.view import StateView


def open_price(view: StateView, cid: bytes, collective: Collective) -> list[tuple[Asset, int]]:
    """(asset, amount) to pay for `open_grant`, native coin first; raises when refused."""
    params = collective.params
    grant = params.grant_for(len(collective.classes))
    units = sum(grant[i] for i in collective.indices(ClassKind.SHARES, ClassKind.LOOT))
    total = exit_supply(view, cid, collective)
    owed: dict[Asset, int] = {}
    if units:
        for asset, amount in treasury.balances(view, cid):
            if total == 0:
                raise TxError(ErrorCode.INVALID_STATE, "no exit units to price a join against")
            owed[asset] = -(-amount * units // total)
    native = max(params.open_tribute, owed.pop(NATIVE, 0))
    if units and native == 0 and not any(owed.values()):
        raise TxError(
            ErrorCode.INVALID_STATE, "open admission needs a price: set open_tribute above 0"
        )
    return [(NATIVE, native), *((a, n) for a, n in owed.items() if n)]
