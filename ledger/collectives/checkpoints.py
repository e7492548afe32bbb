"""Voting-power checkpoints per height, so a proposal can read power as of its snapshot.

A member's voting power is their voting shares, zero while jailed, and lapses at `voting_until`
(membership expiry plus the renewal grace; 0 = never). Whenever one of those inputs changes, the
new point is written under the current height (Governor Bravo's checkpoints, by height), and the
latest point is also kept under its own key so that the common lookup is one read. A proposal
whose voting starts in block S reads points at height S-1: nothing later in block S can move them.
Every change also keeps the collective's running total (`power_totals`) and, the first time a
point changes in a block, what it was before, so `total_at_start` gives the electorate's total
at a snapshot without visiting the members.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ledger import codec
from ledger.codec import Fields
from ledger.collectives import keys, power_totals
from ledger.collectives.holdings import shares_of
from ledger.collectives.model import Collective
from ledger.collectives.standing import voting_until
from ledger.collectives.store import get_member
from ledger.keys import Address
from ledger.state.keys import u64
from ledger.state.view import StateView


@dataclass(frozen=True, slots=True)
class PowerPoint:
    power: int = 0
    voting_until: int = 0  # ms; 0 means the vote never lapses

    def lapsed(self, time_ms: int) -> bool:
        """True when the membership behind this point had lapsed by `time_ms`."""
        return bool(self.voting_until) and time_ms >= self.voting_until

    def at(self, time_ms: int) -> int:
        """The power usable at `time_ms`."""
        return 0 if self.lapsed(time_ms) else self.power


NO_POWER = PowerPoint()


def current_point(view: StateView, cid: bytes, collective: Collective, who: Address) -> PowerPoint:
    member = get_member(view, cid, who)
    if member is None or member.jailed:
        return NO_POWER
    until = voting_until(member, collective.params)
    return PowerPoint(shares_of(view, cid, collective, who), until)


def _latest(view: StateView, cid: bytes, who: Address) -> tuple[int, PowerPoint] | None:
    data = view.get(keys.power(cid, who.raw))
    if data is None:
        return None
    f = Fields(codec.decode(data), 3, "power_point")
    return f.int("height"), PowerPoint(f.int("power"), f.int("voting_until"))


def sync(view: StateView, height: int, cid: bytes, collective: Collective, who: Address) -> None:
    """Record `who`'s current voting power at `height` if it changed."""
    point = current_point(view, cid, collective, who)
    latest = _latest(view, cid, who)
    old = latest[1] if latest else NO_POWER
    if old == point:
        return
    if latest is None or latest[0] != height:  # the first change in this block: keep the old
        changed = keys.power_changed(cid, height, who.raw)
        view.put(changed, codec.encode([old.power, old.voting_until]))
    power_totals.replace_point(
        view, cid, who, (old.power, old.voting_until), (point.power, point.voting_until)
    )
    view.put(keys.power(cid, who.raw), codec.encode([height, point.power, point.voting_until]))
    view.put(
        keys.power_history(cid, who.raw, height),
        codec.encode([point.power, point.voting_until]),
    )
    if old.power != point.power:
        for listener in _LISTENERS:
            listener(view, cid, who, old.power, point.power)


PowerListener = Callable[[StateView, bytes, Address, int, int], None]  # cid, who, old, new
_LISTENERS: list[PowerListener] = []


def register_power_listener(listener: PowerListener) -> None:
    """Call `listener` after every change of a latest point's power (the running tallies of
    open votes, whose ballots count only the shares still held)."""
    _LISTENERS.append(listener)


def point_at(view: StateView, cid: bytes, who: Address, height: int) -> PowerPoint:
    """`who`'s voting-power point as of the end of block `height`."""
    latest = _latest(view, cid, who)
    if latest is None:
        return NO_POWER
    if latest[0] <= height:
        return latest[1]
    best = NO_POWER
    prefix = keys.POWER_HISTORY + cid + who.raw
    for key, value in view.iter_prefix(prefix):
        if int.from_bytes(key[len(prefix) :], "big") > height:
            break
        f = Fields(codec.decode(value), 2, "power_point")
        best = PowerPoint(f.int("power"), f.int("voting_until"))
    return best


def latest_power(view: StateView, cid: bytes, who: Address) -> int:
    """The voting shares `who` holds now (0 when jailed or not a member), ignoring expiry: the
    latest checkpoint, one read."""
    latest = _latest(view, cid, who)
    return latest[1].power if latest else 0


def current_power(
    view: StateView, cid: bytes, collective: Collective, who: Address, time_ms: int
) -> int:
    """Voting power right now (for sponsorship and cancel rights, not for tallies)."""
    return current_point(view, cid, collective, who).at(time_ms)


def total_at_start(view: StateView, cid: bytes, height: int, time_ms: int) -> int:
    """The sum over current members of their point at the end of block `height - 1` usable at
    `time_ms`, each capped at the power they hold now, where `height` is the current block (a
    vote starting now): the running total, corrected for the points that changed earlier in
    this block (only those can differ from their snapshot). O(changes in this block)."""
    total = power_totals.total_at(view, cid, time_ms)
    prefix = keys.POWER_CHANGED + cid + u64(height)
    for key, value in view.iter_prefix(prefix):
        who = Address(key[len(prefix) :])
        if get_member(view, cid, who) is None:  # a non-member's latest point is zero
            continue
        f = Fields(codec.decode(value), 2, "power_changed")
        before = PowerPoint(f.int("power"), f.int("voting_until")).at(time_ms)
        latest = _latest(view, cid, who)
        now = latest[1] if latest else NO_POWER
        backed = min(before, now.power)  # snapshot power still held (issue 23, item 5)
        total += backed - now.at(time_ms)
    return total
