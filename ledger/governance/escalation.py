"""Which policy decides a proposal that moves a lot: the strictest kind its actions belong to
(issue 23, item 8).

A spend, a stream or an allocation (SPENDING_KINDS) is a large spend (SPEND_LARGE) when what it
takes of an asset, together with what earlier proposals of the collective took of it in the
spending window, exceeds `large_spend_ppm` of the treasury's balance of that asset: splitting a
large spend over several proposals does not avoid the stricter policy. An admission that grants
more than a third of a class's supply (shares or loot, with the window's earlier admissions) is
decided as a mint (TOKENS): the light admission policy does not mint control.

The window is two epochs of `WINDOW_MS` (the current and the previous one, so it reaches between
7 and 14 days back): each proposal's amounts are added to its epoch's counter when it is
submitted, and taken back if it ends without executing. One read and one write per asset, so
the cost does not grow with the number of proposals.
"""

from __future__ import annotations

from collections.abc import Sequence

from ledger.collectives.holdings import supply
from ledger.collectives.ids import Asset
from ledger.collectives.model import ClassKind, Collective
from ledger.collectives.params import DAY, PPM
from ledger.collectives.treasury import balance
from ledger.governance import keys
from ledger.governance.actions import Action
from ledger.governance.kinds import ProposalKind
from ledger.state.keys import u64
from ledger.state.view import StateView

WINDOW_MS = 7 * DAY
LARGE_ADMISSION_PPM = 333_333  # more than a third of a class's supply
SPENDING_KINDS = (ProposalKind.SPEND, ProposalKind.STREAMS, ProposalKind.ALLOCATION)


def amounts(cid: bytes, collective: Collective, actions: Sequence[Action]) -> dict[Asset, int]:
    """What the actions take out of the treasury (spends) or mint to a newcomer (admissions)."""
    out: dict[Asset, int] = {}
    for action in actions:
        outflow = action.treasury_outflow()
        if outflow:
            out[outflow[0]] = out.get(outflow[0], 0) + outflow[1]
        for cls, amount in action.admitted_units():
            if collective.token_class(cls).kind is not ClassKind.BADGE:
                asset = Asset(cid, cls)
                out[asset] = out.get(asset, 0) + amount
    return out


def _counter(view: StateView, cid: bytes, asset: Asset, epoch: int) -> int:
    data = view.get(keys.spent(cid, asset.raw, epoch))
    return 0 if data is None else int.from_bytes(data, "big")


def in_window(view: StateView, cid: bytes, asset: Asset, now_ms: int) -> int:
    epoch = now_ms // WINDOW_MS
    earlier = _counter(view, cid, asset, epoch - 1) if epoch else 0
    return earlier + _counter(view, cid, asset, epoch)


def escalated_kind(
    view: StateView,
    cid: bytes,
    collective: Collective,
    kind: int,
    actions: Sequence[Action],
    *,
    now_ms: int,
) -> int:
    ratio = collective.params.large_spend_ppm
    taken = amounts(cid, collective, actions)
    if kind in SPENDING_KINDS and ratio:
        for asset, amount in taken.items():
            total = amount + in_window(view, cid, asset, now_ms)
            if total * PPM > ratio * balance(view, cid, asset):
                return ProposalKind.SPEND_LARGE
    if kind == ProposalKind.ADMIT:
        for asset, amount in taken.items():
            total = amount + in_window(view, cid, asset, now_ms)
            if total * PPM > LARGE_ADMISSION_PPM * supply(view, cid, asset.token_class):
                return ProposalKind.TOKENS
    return kind


def record(
    view: StateView,
    cid: bytes,
    collective: Collective,
    actions: Sequence[Action],
    *,
    submitted_ms: int,
    sign: int,
) -> None:
    """Add (sign 1, at submission) or take back (sign -1, ended unexecuted) a proposal's amounts."""
    epoch = submitted_ms // WINDOW_MS
    for asset, amount in amounts(cid, collective, actions).items():
        if sign > 0 and epoch >= 2:
            view.delete(keys.spent(cid, asset.raw, epoch - 2))  # out of every window now
        value = max(0, _counter(view, cid, asset, epoch) + sign * amount)
        key = keys.spent(cid, asset.raw, epoch)
        if value:
            view.put(key, u64(value))
        else:
            view.delete(key)
