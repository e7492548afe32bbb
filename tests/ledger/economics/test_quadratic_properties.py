"""Invariants of the quadratic funding rule (ledger.economics.quadratic): matches plus the
returned rest are exactly the pool, no match exceeds the cap, an initiative with one
contributor draws nothing, and splitting one contribution over more members never lowers it."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.economics.quadratic import match_weight, matches

contributions = st.lists(st.integers(0, 10**9), max_size=6)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(contributions, min_size=1, max_size=6), st.integers(0, 10**12), st.integers(0, 10**6)
)
def test_the_pool_is_divided_exactly_and_never_beyond_the_cap(
    given_: list[list[int]], pool: int, cap_ppm: int
) -> None:
    cap = pool * cap_ppm // 10**6
    weights = [match_weight(c) for c in given_]
    matched, rest = matches(pool, weights, cap)
    assert sum(matched) + rest == pool and rest >= 0
    assert all(0 <= m <= cap for m in matched)
    assert all(m == 0 for m, w in zip(matched, weights, strict=True) if w == 0)
    if any(weights) and not any(m == cap for m, w in zip(matched, weights, strict=True) if w):
        assert rest == 0  # with eligible weight and nobody capped, the whole pool is paid


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 10**9), contributions)
def test_one_contributor_draws_nothing_and_more_contributors_draw_more(
    amount: int, others: list[int]
) -> None:
    assert match_weight([amount]) == 0
    assert match_weight([*others, amount]) >= match_weight(others)
    half = amount // 2
    assert match_weight([*others, half, amount - half]) >= match_weight([*others, amount])
