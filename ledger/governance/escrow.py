"""Value a proposal holds until it is finalised: the proposer's deposit and an applicant's tribute.

Each proposal has at most one escrow per slot. The value leaves the payer's account (or token
holding) when it is held, and is either refunded to the payer, moved into the collective's
treasury (a tribute consumed by an admission, a deposit forfeited by veto or cancellation), or
split between the two; it is never created or destroyed.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

from ledger import codec
from ledger.codec import Fields
from ledger.collectives import assets, treasury
from ledger.collectives.fieldcodec import address
from ledger.collectives.ids import ASSET_TOKEN_LEN, Asset
from ledger.collectives.params import PPM
from ledger.governance import keys
from ledger.keys import Address
from ledger.state.events import Event
from ledger.state.view import StateView


class Slot(IntEnum):
    DEPOSIT = 0
    TRIBUTE = 1


@dataclass(frozen=True, slots=True)
class Escrow:
    payer: Address
    asset: Asset
    amount: int

    def encode(self) -> bytes:
        return codec.encode([self.payer.raw, self.asset.raw, self.amount])

    @classmethod
    def decode(cls, data: bytes) -> Escrow:
        f = Fields(codec.decode(data), 3, "escrow")
        return cls(
            address(f, "payer"), Asset.parse(f.bytes("asset", ASSET_TOKEN_LEN)), f.int("amount")
        )


def get(view: StateView, pid: int, slot: Slot) -> Escrow | None:
    data = view.get(keys.escrow(pid, slot))
    return None if data is None else Escrow.decode(data)


def hold(
    view: StateView, height: int, pid: int, slot: Slot, *, payer: Address, asset: Asset, amount: int
) -> None:
    if amount == 0:
        return
    assets.take(view, height, payer, asset, amount)
    view.put(keys.escrow(pid, slot), Escrow(payer, asset, amount).encode())


def settle(
    view: StateView, height: int, pid: int, slot: Slot, *, cid: bytes, treasury_ppm: int
) -> list[Event]:
    """Release a slot: `treasury_ppm` of it (floor) to the treasury, the rest back to the payer."""
    held = get(view, pid, slot)
    if held is None:
        return []
    view.delete(keys.escrow(pid, slot))
    to_treasury = held.amount * treasury_ppm // PPM
    treasury.credit(view, cid, held.asset, to_treasury)
    assets.give(view, height, held.payer, held.asset, held.amount - to_treasury)
    return [
        Event.of(
            "escrow_settled",
            proposal=pid,
            slot=int(slot),
            refunded=held.amount - to_treasury,
            to_treasury=to_treasury,
        )
    ]


def total_held(view: StateView) -> list[Escrow]:
    """Every escrow on the chain (for conservation checks and queries)."""
    return [Escrow.decode(v) for _, v in view.iter_prefix(keys.ESCROW)]
