"""The quadratic funding rule, exact in integers: a pure function of the contributions.

Gitcoin's CLR match for an initiative with contributions c_1..c_n (one per member: a member's
several contributions to one initiative are summed first, so each member counts once) is
(sum sqrt c_j)^2 - sum c_j = 2 * sum_{j<k} sqrt(c_j c_k). We compute each root in fixed point,
r_j = floor(sqrt(c_j * 10^12)) (a root floored to 1e-6 of a unit), and weigh the initiative by

    w = (sum r_j)^2 - sum r_j^2 = 2 * sum_{j<k} r_j r_k      (an integer >= 0)

so a lone contributor attracts no match (w = 0) and many small contributors beat one large one.
The pool is divided in proportion to w by `ledger.splits.distribution.apportion` (exact), with a
cap per initiative: an initiative whose share would exceed the cap gets the cap and the rest is
divided again among the others (iterated until no share exceeds the cap); what no initiative
can take (every initiative capped, or no weight at all) is returned to the treasury.
"""

from __future__ import annotations

from collections.abc import Sequence
from math import isqrt

from ledger.splits.distribution import apportion

ROOT_SCALE = 10**12  # roots to 1e-6 of a unit


def root(amount: int) -> int:
    return isqrt(amount * ROOT_SCALE)


def match_weight(contributions: Sequence[int]) -> int:
    """w = (sum r)^2 - sum r^2 over one initiative's per-member totals."""
    roots = [root(c) for c in contributions if c > 0]
    return sum(roots) ** 2 - sum(r * r for r in roots)


def matches(pool: int, weights: Sequence[int], cap: int) -> tuple[list[int], int]:
    """(match per initiative, the unused rest of the pool). Matches sum with the rest to `pool`,
    none exceeds `cap`, and they are in proportion to `weights` among the uncapped."""
    if pool < 0 or cap < 0:
        raise ValueError("pool and cap are non-negative")
    result = [0] * len(weights)
    open_ = [i for i, w in enumerate(weights) if w > 0]
    left = pool
    while open_ and left:
        shares = apportion(left, [weights[i] for i in open_]).payouts
        over = [i for i, s in zip(open_, shares, strict=True) if result[i] + s > cap]
        if not over:
            for i, s in zip(open_, shares, strict=True):
                result[i] += s
            left = 0
            break
        for i in over:
            left -= cap - result[i]
            result[i] = cap
        open_ = [i for i in open_ if i not in over]
    return result, left
