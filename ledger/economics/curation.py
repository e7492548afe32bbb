"""How a curation round's budget is divided: a pure function of its endorsements.

The rule (docs/economics.md). Endorser e brings weight w_e (1, its voting power at the round's
open, or the integer square root of that power, as the round says). A member who endorses n_e
items spreads its weight over them: each endorsement is worth w_e / n_e, so endorsing more items
never adds influence (this is what caps rings and spam endorsements). To stay in integers every
value is scaled by L = lcm of all n_e: endorsement value v = w_e * (L / n_e).

Item i's score is S_i = sum of its endorsement values. Each of the first `early` endorsers of an
item (by endorsement order) earns `curator_ppm` / 1e6 of the value it brought; the author earns
the rest of the item's score. So recipient shares (in units of 1/1e6 of a scaled weight) are

    author(i)  += S_i * 1e6 - sum(v_j * curator_ppm for the first `early` endorsers j of i)
    endorser j += v_j * curator_ppm  (only as one of the first `early` endorsers of an item)

summed per address, and the budget is apportioned over those shares exactly by
`ledger.splits.distribution.apportion` (largest remainder by time to next unit, no carry since a
round pays once): payouts are non-negative integers summing to exactly the budget. An
endorsement of one's own content earns nothing for anyone (the endorse tx rejects it; this
function also drops it, so the guarantee holds for any input).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from math import isqrt, lcm

from ledger.splits.distribution import PPM, apportion


@dataclass(frozen=True, slots=True)
class Endorsement:
    """One counted endorsement: `seq` orders endorsements within the round (earlier first)."""

    content_hash: bytes
    author: bytes  # raw address
    endorser: bytes  # raw address
    weight: int
    seq: int


def quadratic_weight(power: int) -> int:
    """A quadratic round's weight for voting power `power`: floor(sqrt(power))."""
    return isqrt(power)


def counted(endorsements: Sequence[Endorsement]) -> list[Endorsement]:
    """The endorsements that count: positive weight, not of the endorser's own content."""
    return [e for e in endorsements if e.weight > 0 and e.endorser != e.author]


def endorsement_values(rows: Sequence[Endorsement]) -> tuple[int, list[int]]:
    """(L, values): each endorsement's value w_e * (L / n_e), so one endorser's values always
    sum to w_e * L however many items it endorses."""
    per_endorser: dict[bytes, int] = {}
    for e in rows:
        per_endorser[e.endorser] = per_endorser.get(e.endorser, 0) + 1
    scale = lcm(*per_endorser.values()) if per_endorser else 1
    return scale, [e.weight * (scale // per_endorser[e.endorser]) for e in rows]


def shares(endorsements: Sequence[Endorsement], curator_ppm: int, early: int) -> dict[bytes, int]:
    """Each recipient's integer share of the budget (only positive shares are listed)."""
    if not 0 <= curator_ppm <= PPM:
        raise ValueError(f"curator share {curator_ppm} ppm outside [0, {PPM}]")
    rows = counted(endorsements)
    _, values = endorsement_values(rows)
    by_item: dict[bytes, list[tuple[Endorsement, int]]] = {}
    for e, value in zip(rows, values, strict=True):
        by_item.setdefault(e.content_hash, []).append((e, value))
    result: dict[bytes, int] = {}

    def add(who: bytes, amount: int) -> None:
        if amount:
            result[who] = result.get(who, 0) + amount

    for item in sorted(by_item):
        ordered = sorted(by_item[item], key=lambda pair: (pair[0].seq, pair[0].endorser))
        author_share = sum(value for _, value in ordered) * PPM
        for e, value in ordered[:early]:
            add(e.endorser, value * curator_ppm)
            author_share -= value * curator_ppm
        add(ordered[0][0].author, author_share)
    return result


def payouts(
    budget: int, endorsements: Sequence[Endorsement], curator_ppm: int, early: int
) -> list[tuple[bytes, int]]:
    """(address, amount) in address order, amounts > 0 summing to exactly `budget`; empty when
    no endorsement counts (the budget then goes back to the treasury)."""
    owed = shares(endorsements, curator_ppm, early)
    if not owed or budget == 0:
        return []
    who = sorted(owed)
    result = apportion(budget, [owed[w] for w in who])
    return [(w, p) for w, p in zip(who, result.payouts, strict=True) if p]
