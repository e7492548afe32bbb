"""The simulator's virtual clock: a queue of events in integer virtual milliseconds.

Events due at the same millisecond run in the order they were scheduled, so a run is a pure
function of the seed. Events are bucketed by due time (one list per millisecond, a heap of the
distinct times): most of a simulation's events are message deliveries that share a few
milliseconds, and appending to a list is several times cheaper than a heap push per event.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable
from typing import Any

Event = tuple[Callable[..., None], tuple[Any, ...]]


class EventQueue:
    """Virtual time and the events waiting for it. Nothing here reads a real clock."""

    def __init__(self) -> None:
        self.now = 0
        self.processed = 0
        self._buckets: dict[int, list[Event]] = {}
        self._times: list[int] = []

    def at(self, time: int, fn: Callable[..., None], *args: Any) -> None:
        """Run `fn(*args)` at virtual `time` (not before now)."""
        self.bucket(time).append((fn, args))

    def after(self, delay_ms: int, fn: Callable[..., None], *args: Any) -> None:
        self.at(self.now + delay_ms, fn, *args)

    def bucket(self, time: int) -> list[Event]:
        """The list of events due at `time`, for callers that append many at once."""
        time = max(time, self.now)
        bucket = self._buckets.get(time)
        if bucket is None:
            bucket = self._buckets[time] = []
            heapq.heappush(self._times, time)
        return bucket

    def fan_out(self, events: list[tuple[int, Callable[..., None], tuple[Any, ...]]]) -> None:
        """Schedule many `(time, fn, args)` at once (a broadcast's deliveries)."""
        now, buckets, times = self.now, self._buckets, self._times
        for due, fn, args in events:
            time = max(due, now)
            bucket = buckets.get(time)
            if bucket is None:
                bucket = buckets[time] = []
                heapq.heappush(times, time)
            bucket.append((fn, args))

    def run(self, stop: Callable[[], bool], deadline: int) -> bool:
        """Run events until `stop()` holds (checked after each millisecond) or time passes
        `deadline`; True when stopped by `stop`. Time ends at `deadline` if it gets there."""
        times, buckets = self._times, self._buckets
        while times:
            if stop():
                return True
            time = times[0]
            if time > deadline:
                self.now = max(self.now, deadline)
                return False
            heapq.heappop(times)
            self.now = time
            events = buckets.pop(time)
            self.processed += len(events)
            for fn, args in events:
                fn(*args)
        if stop():
            return True
        self.now = max(self.now, deadline)
        return False
