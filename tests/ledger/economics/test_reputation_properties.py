"""Invariants of standing: decay is monotone and halves exactly at each half-life, and standing
never grows except by a listed act, by at most that act's points (random sequences)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.economics.decay import decayed
from ledger.economics.reputation import (
    MICRO,
    Act,
    ReputationPolicy,
    award,
    set_policy,
    standing_micro,
)
from tests.ledger.conftest import ALICE, Chain

HOUR_MS = 3600 * 1000


@settings(max_examples=300, deadline=None)
@given(
    st.integers(0, 2**80), st.integers(0, 10**12), st.integers(0, 10**12), st.integers(1, 10**10)
)
def test_decay_is_monotone_and_never_negative(value: int, a: int, b: int, half_life: int) -> None:
    early, late = sorted((a, b))
    assert 0 <= decayed(value, late, half_life) <= decayed(value, early, half_life) <= value
    assert decayed(value, 0, half_life) == value


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 2**80), st.integers(0, 200), st.integers(1, 10**10))
def test_decay_halves_exactly_at_each_half_life(value: int, k: int, half_life: int) -> None:
    assert decayed(value, k * half_life, half_life) == value >> k


steps = st.lists(st.one_of(st.sampled_from(list(Act)), st.integers(0, 400 * HOUR_MS)), max_size=30)


@settings(max_examples=40, deadline=None)
@given(steps)
def test_standing_grows_only_by_a_listed_act(script: list[Act | int]) -> None:
    chain = Chain(check_signatures=False)
    cid = bytes(20)
    policy = ReputationPolicy(3, 7, 11, 24 * 3600, 15)
    set_policy(chain.view, cid, policy)
    now = chain.time_ms
    level = 0
    for step in script:
        if isinstance(step, Act):
            award(chain.view, cid, ALICE.address, step, now)
            after = standing_micro(chain.view, cid, ALICE.address, now)
            assert level <= after <= level + policy.points(step) * MICRO
        else:
            now += step
            after = standing_micro(chain.view, cid, ALICE.address, now)
            assert after <= level
        level = after
