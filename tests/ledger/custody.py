"""Every place the native coin can sit in state, counted once: what a conservation property sums.

The total is accounts + collective treasuries + proposal escrows + stream reserves + holders'
payout pools (paid to a class, not claimed yet) + split balances + open curation and matching
rounds' reserves. A property that leaves one out sees coin "vanish" when value legitimately
moves there (a holder distribution into its pool, say). `NATIVE_CUSTODY` names the state key
prefix of each place; tests/ledger/test_custody.py fails when a new state prefix appears that is
neither counted here nor listed there as holding no coin.
"""

from __future__ import annotations

from ledger.collectives import keys as ckeys
from ledger.collectives import payouts
from ledger.collectives.ids import Asset
from ledger.economics import keys as ekeys
from ledger.economics import matching, rounds
from ledger.governance import escrow
from ledger.governance import keys as gkeys
from ledger.splits import keys as splitkeys
from ledger.splits.store import split_balances
from ledger.state import keys as skeys
from ledger.state.records import Account
from ledger.state.view import StateView
from ledger.treasury import keys as tkeys
from ledger.treasury import streams

# state key prefix -> the place `native_places` reports it as
NATIVE_CUSTODY: dict[bytes, str] = {
    skeys.ACCOUNT: "accounts",
    ckeys.TREASURY: "treasuries",
    gkeys.ESCROW: "escrows",
    tkeys.STREAM: "stream reserves",
    ckeys.HOLDER_POOL: "holder pools",
    splitkeys.LEDGER: "split balances",
    ekeys.ROUND: "curation rounds",
    ekeys.MATCHING: "matching rounds",
}


def _native(pairs: list[tuple[Asset, int]]) -> int:
    return sum(amount for asset, amount in pairs if asset.is_native)


def native_places(view: StateView) -> dict[str, int]:
    """The native coin in each place of `NATIVE_CUSTODY`."""
    treasuries = [
        (Asset.parse(key[len(ckeys.TREASURY) + 20 :]), int.from_bytes(value, "big"))
        for key, value in view.iter_prefix(ckeys.TREASURY)
    ]
    return {
        "accounts": sum(Account.decode(v).balance for _, v in view.iter_prefix(skeys.ACCOUNT)),
        "treasuries": _native(treasuries),
        "escrows": _native([(e.asset, e.amount) for e in escrow.total_held(view)]),
        "stream reserves": _native(streams.reserves(view)),
        "holder pools": _native(payouts.all_pools(view)),
        "split balances": split_balances(view),  # splits pay the native coin only
        "curation rounds": rounds.reserves(view),
        "matching rounds": matching.reserves(view),
    }


def native_total(view: StateView) -> int:
    """All the native coin in state: constant under every tx and block (fees go to accounts)."""
    return sum(native_places(view).values())
