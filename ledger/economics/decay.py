"""Reputation decay with a half-life, exact in integers and computed lazily.

After dt ms with half-life h ms, a value v becomes

    decayed(v, dt) = floor(v * (2h - r) / (2h * 2^k))      with k = dt // h, r = dt % h

that is, v halves exactly at every whole half-life and falls linearly in between (from v/2^k to
v/2^(k+1)), a piecewise-linear stand-in for 2^(-dt/h) that needs no floating point or tables and
is never above the exponential's chord. It is non-increasing in dt (each segment ends where the
next begins, and a floor of a non-increasing function is non-increasing), never negative, and
decayed(v, 0) = v. Nothing is computed per block: the stored value and its time are read and
decayed on demand, and re-stored only when an act adds points (so each act re-bases the curve,
as Colony's reputation is re-based at each mining cycle).
"""

from __future__ import annotations

MAX_HALVINGS = 128  # beyond this every stored value (< 2^128) is 0


def decayed(value: int, dt_ms: int, half_life_ms: int) -> int:
    if value < 0 or dt_ms < 0 or half_life_ms <= 0:
        raise ValueError("decay needs a non-negative value and time and a positive half-life")
    k, r = divmod(dt_ms, half_life_ms)
    if k >= MAX_HALVINGS:
        return 0
    return (value * (2 * half_life_ms - r)) // ((2 * half_life_ms) << k)
