"""Exact division of an amount among integer shares: the pure arithmetic of every payout.

No state, no I/O: splits use it for each payment, and later holder distributions (pro rata to token
holdings) and allocation proposals can call the same functions.

The scheme (docs/splits.md proves it). Recipient i has share s_i of total T = sum(s). Over a run of
payments with cumulative amount S, recipient i is entitled to E_i = s_i * S / T and has been paid
P_i. Its carry is the exact difference in units of 1/T:

    carry_i = s_i * S - T * P_i          (positive: owed; negative: paid ahead)

and the carries always sum to zero. For a payment of `amount`, recipient i is owed
e_i = carry_i + s_i * amount (in 1/T units). Each recipient first gets the floor of what it is
owed, floor(e_i / T), or 0 if it is already ahead by more than this payment (e_i < 0). The units
left over go one each to the recipients that would be owed their next whole unit soonest: smallest
(T - e_i mod T) / s_i, ties by recipient order. For equal shares that is the largest fractional
remainder. Weighting by the share is what keeps every payout non-negative: ranking by the bare
remainder can hand an advance to a tiny holder that later payments cannot absorb (the Alabama
paradox of Hamilton's method), ranking by time-to-next-unit is the Balinski-Young quota rule.

Guarantees, for any sequence of payments: payouts are non-negative and sum exactly to the amount,
the result is a pure function of its inputs, and |P_i - E_i| < 1 for every recipient after every
payment, so a recipient with a nonzero share has been paid at least one unit as soon as
S >= T / s_i.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

PPM = 1_000_000
MAX_FEE_PPM = 65_535  # 0xSplits v2: a uint16 on a 1e6 scale, at most 6.5535 %


@dataclass(frozen=True, slots=True)
class Apportionment:
    """Payouts aligned with the shares, and the carries to store for the next payment.

    `reset` is True only when the given carries could not be honoured (they did not come from a
    history of `apportion` calls) and were treated as zero; it never happens for carries this
    function produced.
    """

    payouts: tuple[int, ...]
    carries: tuple[int, ...]
    reset: bool = False


def zero_carries(count: int) -> tuple[int, ...]:
    return (0,) * count


def check_shares(shares: Sequence[int]) -> int:
    """The total of `shares`; raises ValueError unless there is at least one and all are > 0."""
    if not shares:
        raise ValueError("at least one share is needed")
    for s in shares:
        if s <= 0:
            raise ValueError(f"shares must be positive integers, got {s!r}")
    return sum(shares)


def check_carries(shares: Sequence[int], carries: Sequence[int]) -> None:
    """Raise ValueError unless `carries` has the shape every carry produced by `apportion` has."""
    total = check_shares(shares)
    if len(carries) != len(shares):
        raise ValueError(f"{len(carries)} carries for {len(shares)} shares")
    if sum(carries) != 0:
        raise ValueError("carries must sum to zero")
    if any(not -total < c < total for c in carries):
        raise ValueError("a carry is a whole unit or more")


def apportion(
    amount: int, shares: Sequence[int], carries: Sequence[int] | None = None
) -> Apportionment:
    """Divide `amount` by `shares` exactly, honouring and updating `carries` (None: all zero)."""
    if amount < 0:
        raise ValueError(f"amount must be a non-negative integer, got {amount!r}")
    total = check_shares(shares)
    if carries is None:
        carries = zero_carries(len(shares))
    check_carries(shares, carries)
    result = _apportion(amount, shares, carries, total)
    if result is not None:
        return result
    fresh = _apportion(amount, shares, zero_carries(len(shares)), total)
    if fresh is None:  # with zero carries nobody is ahead, so the floors always fit
        raise RuntimeError("apportionment without carries cannot fail")
    return Apportionment(fresh.payouts, fresh.carries, reset=True)


def _apportion(
    amount: int, shares: Sequence[int], carries: Sequence[int], total: int
) -> Apportionment | None:
    owed = [c + s * amount for c, s in zip(carries, shares, strict=True)]
    payouts = [e // total if e >= 0 else 0 for e in owed]
    left = amount - sum(payouts)
    if left < 0:
        return None
    if left:
        candidates = [i for i, e in enumerate(owed) if e >= 0 and e % total]
        candidates.sort(key=lambda i: (Fraction(total - owed[i] % total, shares[i]), i))
        for i in candidates[:left]:
            payouts[i] += 1
    new_carries = tuple(e - total * p for e, p in zip(owed, payouts, strict=True))
    return Apportionment(tuple(payouts), new_carries)


def distributor_fee(amount: int, fee_ppm: int) -> int:
    """The keeper's fee on `amount`: floor(amount * fee_ppm / 1e6), fee_ppm at most 65,535."""
    if not 0 <= fee_ppm <= MAX_FEE_PPM:
        raise ValueError(f"fee {fee_ppm} ppm outside [0, {MAX_FEE_PPM}]")
    return amount * fee_ppm // PPM


@dataclass(frozen=True, slots=True)
class WaterfallFill:
    payouts: tuple[int, ...]  # per tranche, in order
    filled: tuple[int, ...]  # each tranche's cumulative total after this payment
    residual: int  # what is left for the uncapped last tier


def fill_tranches(amount: int, caps: Sequence[int], filled: Sequence[int]) -> WaterfallFill:
    """Fill capped tranches in order (a tranche is never refilled); the rest is the residual."""
    if len(caps) != len(filled):
        raise ValueError("one filled total per tranche")
    payouts = []
    new_filled = []
    rest = amount
    for cap, done in zip(caps, filled, strict=True):
        if not 0 <= done <= cap:
            raise ValueError("a tranche is filled beyond its cap")
        take = min(cap - done, rest)
        rest -= take
        payouts.append(take)
        new_filled.append(done + take)
    return WaterfallFill(tuple(payouts), tuple(new_filled), rest)


@dataclass(frozen=True, slots=True)
class SplitPayout:
    """One payment through a split: fee first, then the waterfall, then the shares."""

    fee: int
    tranche_payouts: tuple[int, ...]
    tranche_filled: tuple[int, ...]
    share_payouts: tuple[int, ...]
    carries: tuple[int, ...]
    carries_reset: bool

    @property
    def total(self) -> int:
        return self.fee + sum(self.tranche_payouts) + sum(self.share_payouts)


def split_amount(
    amount: int,
    shares: Sequence[int],
    carries: Sequence[int] | None = None,
    *,
    fee_ppm: int = 0,
    caps: Sequence[int] = (),
    filled: Sequence[int] = (),
) -> SplitPayout:
    """The whole payout of `amount`: its parts always sum exactly to `amount`."""
    fee = distributor_fee(amount, fee_ppm)
    waterfall = fill_tranches(amount - fee, caps, filled)
    shared = apportion(waterfall.residual, shares, carries)
    return SplitPayout(
        fee,
        waterfall.payouts,
        waterfall.filled,
        shared.payouts,
        shared.carries,
        shared.reset,
    )
