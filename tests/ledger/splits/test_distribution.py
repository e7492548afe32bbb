"""The pure payout arithmetic: exact sums, bounded error, every share eventually paid."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.splits.distribution import (
    MAX_FEE_PPM,
    apportion,
    distributor_fee,
    fill_tranches,
    split_amount,
)

shares_st = st.lists(st.integers(1, 1_000_000), min_size=1, max_size=12)
small_shares_st = st.lists(st.integers(1, 20), min_size=1, max_size=8)
amounts_st = st.lists(
    st.one_of(st.integers(0, 5), st.integers(0, 10**6), st.integers(0, 2**64 - 1)),
    min_size=1,
    max_size=40,
)


def run(shares: list[int], amounts: list[int]) -> tuple[list[int], int]:
    """Feed `amounts` through apportion, checking every step; returns cumulative payouts and S."""
    total = sum(shares)
    carries: tuple[int, ...] | None = None
    paid = [0] * len(shares)
    cumulative = 0
    for amount in amounts:
        result = apportion(amount, shares, carries)
        assert not result.reset
        assert sum(result.payouts) == amount
        assert all(p >= 0 for p in result.payouts)
        cumulative += amount
        for i, p in enumerate(result.payouts):
            paid[i] += p
            # |P_i - E_i| < 1, with E_i = s_i * S / T, in exact integers
            assert abs(shares[i] * cumulative - total * paid[i]) < total
            assert result.carries[i] == shares[i] * cumulative - total * paid[i]
        carries = result.carries
    return paid, cumulative


@settings(max_examples=200, deadline=None)
@given(shares_st, amounts_st)
def test_payouts_sum_exactly_and_stay_within_one_unit_of_the_entitlement(
    shares: list[int], amounts: list[int]
) -> None:
    run(shares, amounts)


@settings(max_examples=300, deadline=None)
@given(small_shares_st, st.lists(st.integers(0, 60), min_size=1, max_size=60))
def test_small_amounts_and_small_totals_keep_the_bound(
    shares: list[int], amounts: list[int]
) -> None:
    run(shares, amounts)


@settings(max_examples=100, deadline=None)
@given(shares_st, st.lists(st.integers(0, 10**9), max_size=10), st.integers(0, 10**9))
def test_the_result_is_a_function_of_its_inputs(
    shares: list[int], history: list[int], amount: int
) -> None:
    carries: tuple[int, ...] | None = None
    for a in history:
        carries = apportion(a, shares, carries).carries
    assert apportion(amount, shares, carries) == apportion(amount, list(shares), carries)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.integers(1, 300), min_size=2, max_size=8),
    st.lists(st.integers(1, 3), min_size=1, max_size=30),
)
def test_every_nonzero_share_is_paid_once_enough_has_been_paid(
    shares: list[int], unit_payments: list[int]
) -> None:
    total = sum(shares)
    smallest = min(range(len(shares)), key=lambda i: shares[i])
    # keep paying tiny amounts until the smallest holder's exact entitlement reaches one unit
    amounts = itertools.islice(itertools.cycle(unit_payments), total + 3)
    carries: tuple[int, ...] | None = None
    paid = cumulative = 0
    for amount in amounts:
        result = apportion(amount, shares, carries)
        carries = result.carries
        paid += result.payouts[smallest]
        cumulative += amount
        if shares[smallest] * cumulative >= total:
            assert paid >= 1
            return
    raise AssertionError("the loop always reaches the smallest holder's first unit")


def test_a_one_in_a_million_holder_is_paid_from_payments_it_would_round_to_zero() -> None:
    shares = [1, 999_999]
    carries: tuple[int, ...] | None = None
    paid = [0, 0]
    for _ in range(1000):
        # its exact share of each payment is 0.001: floor 0, every time
        result = apportion(1000, shares, carries)
        carries = result.carries
        paid = [a + b for a, b in zip(paid, result.payouts, strict=True)]
    assert paid == [1, 999_999]  # 10^6 paid in all: exactly one unit is its due


def test_equal_shares_take_turns_in_recipient_order() -> None:
    carries: tuple[int, ...] | None = None
    got = []
    for _ in range(6):
        result = apportion(1, [1, 1, 1], carries)
        carries = result.carries
        got.append(result.payouts.index(1))
    assert got == [0, 1, 2, 0, 1, 2]


def test_one_payment_is_the_floor_plus_the_remainder_to_the_largest_fractions() -> None:
    # 100 by 3 equal shares: 33 each, the leftover unit to the first (a tie broken by order)
    assert apportion(100, [1, 1, 1]).payouts == (34, 33, 33)
    # 10 by 1:2:7 is exact; 11 leaves 1.1, 2.2, 7.7: the leftover unit goes to the 0.7
    assert apportion(10, [1, 2, 7]).payouts == (1, 2, 7)
    assert apportion(11, [1, 2, 7]).payouts == (1, 2, 8)


def test_a_sequence_that_defeats_plain_largest_remainder_stays_within_bounds() -> None:
    # Ranking leftover units by the bare remainder hands advances to the 1-share holders that a
    # later payment cannot absorb without a negative payout (found by random search).
    history = [2, 1, 1, 1, 338, 3, 3, 30, 3, 2, 3, 2, 3, 1, 1, 1, 3, 2, 2, 28, 1, 1, 2, 58]
    history += [1, 1, 3, 1, 3, 1, 8, 3, 1, 10, 1, 1]
    run([100, 100, 5, 1, 1], history)


def test_every_reachable_carry_state_of_small_splits_can_absorb_every_payment() -> None:
    """Exhaustive: from every state reachable in small splits, every amount keeps the bounds."""
    for shares in (
        [1, 1, 3],
        [1, 2, 4],
        [2, 3, 5, 1],
        [1, 1, 1, 6],
        [3, 7],
        [1, 2, 3, 4],
        [1, 1, 1, 1, 1],
        [1, 3, 9],
        [2, 2, 3, 7],
        [1, 1, 5, 5, 13],
    ):
        total = sum(shares)
        start = tuple(0 for _ in shares)
        seen = {start}
        frontier = [start]
        while frontier:
            carries = frontier.pop()
            for amount in range(2 * total + 2):
                result = apportion(amount, shares, carries)
                assert not result.reset and sum(result.payouts) == amount
                assert min(result.payouts) >= 0
                assert all(-total < c < total for c in result.carries)
                if result.carries not in seen:
                    seen.add(result.carries)
                    frontier.append(result.carries)


def test_carries_that_no_history_produces_are_dropped_not_obeyed() -> None:
    # in range and summing to zero, but two holders "ahead" with only one unit to share
    result = apportion(1, [1, 1, 1, 1], [-3, -3, 3, 3])
    assert result.reset
    assert result.payouts == (1, 0, 0, 0) and result.carries == (-3, 1, 1, 1)


@pytest.mark.parametrize(
    ("shares", "carries", "reason"),
    [
        ([], None, "at least one share"),
        ([1, 0], None, "positive"),
        ([1, 1], [0], "carries for"),
        ([1, 1], [1, 0], "sum to zero"),
        ([1, 1], [2, -2], "whole unit"),
        ([1, 1, 1], [3, -2, -1], "whole unit"),  # exactly +total, alone
        ([1, 1, 1], [-3, 2, 1], "whole unit"),  # exactly -total, alone
    ],
)
def test_bad_inputs_are_programming_errors(
    shares: list[int], carries: list[int] | None, reason: str
) -> None:
    with pytest.raises(ValueError, match=reason):
        apportion(1, shares, carries)
    with pytest.raises(ValueError, match="non-negative"):
        apportion(-1, [1])


def test_the_distributor_fee_is_floored_and_capped() -> None:
    assert distributor_fee(999, 1000) == 0
    assert distributor_fee(1000, 1000) == 1
    assert distributor_fee(10**6, MAX_FEE_PPM) == MAX_FEE_PPM
    with pytest.raises(ValueError, match="outside"):
        distributor_fee(1, MAX_FEE_PPM + 1)


def test_tranches_fill_in_order_and_never_refill() -> None:
    first = fill_tranches(150, [100, 100], [0, 0])
    assert first.payouts == (100, 50) and first.residual == 0
    second = fill_tranches(70, [100, 100], first.filled)
    assert second.payouts == (0, 50) and second.residual == 20
    assert fill_tranches(5, [100, 100], second.filled).residual == 5
    with pytest.raises(ValueError, match="beyond its cap"):
        fill_tranches(1, [10], [11])


@settings(max_examples=200, deadline=None)
@given(
    shares_st,
    st.lists(st.integers(0, 10**12), min_size=1, max_size=10),
    st.integers(0, MAX_FEE_PPM),
    st.lists(st.integers(1, 10**9), max_size=4),
)
def test_fee_waterfall_and_shares_always_add_up_to_the_amount(
    shares: list[int], amounts: list[int], fee_ppm: int, caps: list[int]
) -> None:
    carries: tuple[int, ...] | None = None
    filled: tuple[int, ...] = tuple(0 for _ in caps)
    for amount in amounts:
        out = split_amount(amount, shares, carries, fee_ppm=fee_ppm, caps=caps, filled=filled)
        assert out.total == amount
        assert out.fee == amount * fee_ppm // 1_000_000
        assert all(f <= c for f, c in zip(out.tranche_filled, caps, strict=True))
        carries, filled = out.carries, out.tranche_filled
