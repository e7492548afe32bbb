"""A collective's total voting power, kept as points change, so starting a vote visits nobody.

The total counts every address's latest voting-power point (non-members' points are zero):
`never` sums the points that never lapse; each lapsing point (voting_until > 0) sits in an
index ordered by its lapse time and is summed in `lapsing`. A query at time t first folds out
every indexed point with voting_until <= t (lapse is final: block time only grows, so each point
is folded at most once, O(1) amortised), then the total at t is `never + lapsing`. A point that
changes takes its old contribution out (if not folded yet) and puts the new one in.
`checkpoints.total_at_start` turns this current total into the total of a vote's snapshot.
"""

from __future__ import annotations

from ledger import codec
from ledger.codec import Fields
from ledger.collectives import keys
from ledger.keys import Address
from ledger.state.keys import u64
from ledger.state.view import StateView


def _sums(view: StateView, cid: bytes) -> tuple[int, int]:
    data = view.get(keys.power_total(cid))
    if data is None:
        return 0, 0
    f = Fields(codec.decode(data), 2, "power_total")
    return f.int("never"), f.int("lapsing")


def _put_sums(view: StateView, cid: bytes, never: int, lapsing: int) -> None:
    view.put(keys.power_total(cid), codec.encode([never, lapsing]))


def replace_point(
    view: StateView, cid: bytes, who: Address, old: tuple[int, int], new: tuple[int, int]
) -> None:
    """`who`'s point goes from `old` to `new` ((power, voting_until) each)."""
    never, lapsing = _sums(view, cid)
    power, until = old
    if power and not until:
        never -= power
    elif power:
        key = keys.power_expiry(cid, until, who.raw)
        if view.get(key) is not None:  # else it was folded out already
            view.delete(key)
            lapsing -= power
    power, until = new
    if power and not until:
        never += power
    elif power:
        view.put(keys.power_expiry(cid, until, who.raw), u64(power))
        lapsing += power
    _put_sums(view, cid, never, lapsing)


def total_at(view: StateView, cid: bytes, time_ms: int) -> int:
    """The sum of every latest point's power usable at `time_ms` (folding the lapsed ones)."""
    never, lapsing = _sums(view, cid)
    prefix = keys.POWER_EXPIRY + cid
    folded = []
    for key, value in view.iter_prefix(prefix):
        if int.from_bytes(key[len(prefix) : len(prefix) + 8], "big") > time_ms:
            break
        folded.append(key)
        lapsing -= int.from_bytes(value, "big")
    if folded:
        for key in folded:
            view.delete(key)
        _put_sums(view, cid, never, lapsing)
    return never + lapsing
