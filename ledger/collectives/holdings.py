"""Token holdings and supplies (raw storage and queries).

Every change of a holding goes through `ledger.collectives.tokens`, which keeps the supply and
the voting-power checkpoints in step; this module reads, and writes only for `tokens`.
`holders` is what a pro-rata distribution iterates: (address, amount) in address order.
"""

from __future__ import annotations

from ledger.collectives import keys
from ledger.collectives.model import ClassKind, Collective
from ledger.keys import Address
from ledger.state.keys import u64
from ledger.state.view import StateView


def _u64(data: bytes | None) -> int:
    return 0 if data is None else int.from_bytes(data, "big")


def holding(view: StateView, cid: bytes, token_class: int, holder: Address) -> int:
    return _u64(view.get(keys.holding(cid, token_class, holder.raw)))


def put_holding(
    view: StateView, cid: bytes, token_class: int, holder: Address, amount: int
) -> None:
    key = keys.holding(cid, token_class, holder.raw)
    if amount == 0:
        view.delete(key)
    else:
        view.put(key, u64(amount))


def supply(view: StateView, cid: bytes, token_class: int) -> int:
    return _u64(view.get(keys.supply(cid, token_class)))


def put_supply(view: StateView, cid: bytes, token_class: int, amount: int) -> None:
    view.put(keys.supply(cid, token_class), u64(amount))


def holders(view: StateView, cid: bytes, token_class: int) -> list[tuple[Address, int]]:
    """Every non-zero holder of a class, in address order (for pro-rata distributions)."""
    prefix = keys.HOLDING + cid + bytes([token_class])
    return [
        (Address(key[len(prefix) :]), int.from_bytes(value, "big"))
        for key, value in view.iter_prefix(prefix)
    ]


def holdings_of(view: StateView, cid: bytes, collective: Collective, holder: Address) -> list[int]:
    """The holder's amount of every class, by class index."""
    return [holding(view, cid, i, holder) for i in range(len(collective.classes))]


def shares_of(view: StateView, cid: bytes, collective: Collective, holder: Address) -> int:
    """Voting shares held (all SHARES classes together)."""
    return sum(holding(view, cid, i, holder) for i in collective.indices(ClassKind.SHARES))


def exit_units_of(view: StateView, cid: bytes, collective: Collective, holder: Address) -> int:
    """Shares and loot held: the units a ragequit can burn."""
    indices = collective.indices(ClassKind.SHARES, ClassKind.LOOT)
    return sum(holding(view, cid, i, holder) for i in indices)


def exit_supply(view: StateView, cid: bytes, collective: Collective) -> int:
    """Total shares and loot: the denominator of every fair share (Moloch's totalShares+Loot)."""
    return sum(supply(view, cid, i) for i in collective.indices(ClassKind.SHARES, ClassKind.LOOT))
