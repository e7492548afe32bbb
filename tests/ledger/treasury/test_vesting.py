"""Vesting schedules: steps, cliffs, exact per-interval amounts, monotone and bounded."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ledger.errors import ErrorCode, TxError
from ledger.treasury.vesting import Schedule

MONTH = 30 * 24 * 3600 * 1000


def test_monthly_steps_with_a_cliff_catch_up_at_the_cliff() -> None:
    year = Schedule(
        start_ms=1_000, duration_ms=12 * MONTH, interval_ms=MONTH, cliff_ms=3 * MONTH, total=1_200
    )
    assert year.steps == 12
    assert year.vested(0) == 0
    assert year.vested(1_000 + 3 * MONTH - 1) == 0  # before the cliff
    assert year.vested(1_000 + 3 * MONTH) == 300  # three months at once
    assert year.vested(1_000 + 4 * MONTH - 1) == 300
    assert year.vested(1_000 + 4 * MONTH) == 400
    assert year.vested(1_000 + 12 * MONTH) == 1_200
    assert year.vested(10**15) == 1_200


def test_uneven_totals_floor_per_step_and_finish_exactly() -> None:
    s = Schedule(start_ms=0, duration_ms=3 * MONTH, interval_ms=MONTH, cliff_ms=0, total=100)
    assert [s.vested(k * MONTH) for k in range(4)] == [0, 33, 66, 100]


@pytest.mark.parametrize(
    ("schedule", "reason"),
    [
        (Schedule(0, MONTH, MONTH, 0, 0), "positive total"),
        (Schedule(0, MONTH, 999, 0, 5), "interval"),
        (Schedule(0, MONTH + 1, MONTH, 0, 5), "whole number"),
        (Schedule(0, MONTH, 2 * MONTH, 0, 5), "whole number"),
        (Schedule(0, MONTH, MONTH, MONTH + 1, 5), "cliff"),
        (Schedule(0, 10**13, 1_000, 0, 5), "at most"),
    ],
)
def test_incoherent_schedules_are_refused(schedule: Schedule, reason: str) -> None:
    with pytest.raises(TxError, match=reason) as info:
        schedule.check()
    assert info.value.code is ErrorCode.STREAM_BAD_SCHEDULE


@given(
    st.integers(1, 50),
    st.integers(1_000, 10**6),
    st.integers(0, 50),
    st.integers(1, 10**12),
    st.lists(st.integers(0, 60 * 10**6), min_size=2, max_size=20),
)
def test_vesting_never_decreases_and_never_exceeds_the_total(
    steps: int, interval: int, cliff_steps: int, total: int, times: list[int]
) -> None:
    cliff = min(cliff_steps, steps) * interval
    s = Schedule(7, steps * interval, interval, cliff, total)
    s.check()
    amounts = [s.vested(t) for t in sorted(times)]
    assert amounts == sorted(amounts)
    assert all(0 <= a <= total for a in amounts)
    assert s.vested(s.end_ms) == total


def test_a_per_interval_amount_vests_exactly_that_much_per_step() -> None:
    per_month = 250
    s = Schedule.per_interval(0, 12 * MONTH, MONTH, 0, per_month)
    assert s.total == 3_000
    assert all(s.vested(k * MONTH) == per_month * k for k in range(13))
