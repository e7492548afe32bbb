"""Vesting schedules: the pure arithmetic of streams (no state).

A schedule runs from `start_ms` for `duration_ms`, in `duration / interval` equal steps of
`interval_ms` (the duration must be a whole number of intervals). Nothing vests before the cliff
(`start + cliff_ms`); at the cliff, everything of the steps completed so far vests at once. After
step n of N, floor(total * n / N) has vested (Colony's StreamingPayments pays per whole interval;
a schedule with a per-interval amount `a` has total a * N and vests exactly a * n). At the end
everything has vested. The vested amount never decreases and never exceeds the total.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ledger.codec import Fields
from ledger.errors import ErrorCode, TxError

MIN_INTERVAL_MS = 1_000
MAX_STEPS = 10**9


@dataclass(frozen=True, slots=True)
class Schedule:
    start_ms: int
    duration_ms: int
    interval_ms: int
    cliff_ms: int  # after the start; 0: no cliff
    total: int

    @classmethod
    def per_interval(
        cls, start_ms: int, duration_ms: int, interval_ms: int, cliff_ms: int, amount: int
    ) -> Schedule:
        """A schedule that vests `amount` per interval (its total is amount x steps)."""
        steps = duration_ms // interval_ms if interval_ms else 0
        return cls(start_ms, duration_ms, interval_ms, cliff_ms, amount * steps)

    @property
    def end_ms(self) -> int:
        return self.start_ms + self.duration_ms

    @property
    def cliff_at_ms(self) -> int:
        return self.start_ms + self.cliff_ms

    @property
    def steps(self) -> int:
        return self.duration_ms // self.interval_ms

    def check(self) -> None:
        """Raise `STREAM_BAD_SCHEDULE` unless the schedule is coherent."""
        if self.total <= 0:
            _bad("a stream must pay a positive total")
        if self.interval_ms < MIN_INTERVAL_MS:
            _bad(f"the interval is at least {MIN_INTERVAL_MS} ms")
        if self.duration_ms < self.interval_ms or self.duration_ms % self.interval_ms:
            _bad("the duration must be a positive whole number of intervals")
        if self.steps > MAX_STEPS:
            _bad(f"at most {MAX_STEPS} intervals")
        if self.cliff_ms > self.duration_ms:
            _bad("the cliff falls after the end")

    def vested(self, now_ms: int) -> int:
        """How much has vested by `now_ms`."""
        if now_ms < self.start_ms or now_ms < self.cliff_at_ms:
            return 0
        if now_ms >= self.end_ms:
            return self.total
        done = (now_ms - self.start_ms) // self.interval_ms
        return self.total * done // self.steps

    def to_fields(self) -> list[Any]:
        return [self.start_ms, self.duration_ms, self.interval_ms, self.cliff_ms, self.total]

    @classmethod
    def from_fields(cls, raw: object) -> Schedule:
        f = Fields(raw, 5, "schedule")
        return cls(
            f.int("start_ms"),
            f.int("duration_ms"),
            f.int("interval_ms"),
            f.int("cliff_ms"),
            f.int("total"),
        )


def _bad(reason: str) -> None:
    raise TxError(ErrorCode.STREAM_BAD_SCHEDULE, reason)
