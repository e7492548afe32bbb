"""Consensus timeouts on the event loop: `loop.call_later`, keyed by (height, round, step).

The machine never cancels a timeout (a stale one is ignored), but the runner drops the timers of
heights it has left, so a long catch-up does not leave thousands of handles behind. Scheduling a
key that is already armed re-arms it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from consensus.messages import Step

TimerKey = tuple[int, int, Step]


class Timers:
    def __init__(self, fire: Callable[[int, int, Step], None]) -> None:
        self._fire = fire
        self._handles: dict[TimerKey, asyncio.TimerHandle] = {}

    def __len__(self) -> int:
        return len(self._handles)

    def schedule(self, height: int, round_: int, step: Step, delay_ms: int) -> None:
        key = (height, round_, step)
        old = self._handles.pop(key, None)
        if old is not None:
            old.cancel()
        loop = asyncio.get_running_loop()
        self._handles[key] = loop.call_later(max(0, delay_ms) / 1000, self._due, key)

    def _due(self, key: TimerKey) -> None:
        self._handles.pop(key, None)
        self._fire(*key)

    def cancel_below(self, height: int) -> None:
        for key in [k for k in self._handles if k[0] < height]:
            self._handles.pop(key).cancel()

    def cancel_all(self) -> None:
        for handle in self._handles.values():
            handle.cancel()
        self._handles.clear()
