"""Allocations: a budget divided across the choices of a poll in proportion to their scores.

The scores are the proposal's tally (`ledger.governance.tally.scores`): with WEIGHTED ballots a
voter's power is split over choices in ppm and each part counts floor(power x ppm / 1e6); with
QUADRATIC ballots each part counts its integer square root, isqrt(floor(power x ppm / 1e6)), so
spreading support over several choices counts for more than piling it on one (quadratic funding;
sound here because members are vetted, so one person cannot split into many voters). The budget
is divided with `apportion` over the choices with a positive score: each gets the floor of its
exact share or one unit more, the parts sum exactly to the budget, and a choice nobody supported
gets nothing.
"""

from __future__ import annotations

from collections.abc import Sequence

from ledger.splits.distribution import apportion


def allocate(budget: int, scores: Sequence[int]) -> list[int]:
    """One payout per choice; all zero when no choice has a positive score."""
    supported = [i for i, s in enumerate(scores) if s > 0]
    payouts = [0] * len(scores)
    if not supported:
        return payouts
    result = apportion(budget, [scores[i] for i in supported])
    for i, paid in zip(supported, result.payouts, strict=True):
        payouts[i] = paid
    return payouts
