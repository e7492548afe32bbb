"""Helpers for simulator tests: run a simulation until every node has a number of blocks."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator

import pytest

from consensus.sim.simulation import Simulation


def run_until_all_reach(
    sim: Simulation,
    heights: int,
    *,
    within_ms: int = 120_000,
    also: Callable[[], bool] = lambda: True,
) -> bool:
    """Run the two phases, then on until every node (not only the core) has `heights` blocks
    and `also()` holds."""
    sim.run()

    def done() -> bool:
        return all(n.disk.chain.height >= heights for n in sim.nodes) and also()

    sim.queue.run(lambda: done() or not sim.checker.ok, sim.queue.now + within_ms)
    return done()


@pytest.fixture(autouse=True)
def _quiet_guard_logs() -> Iterator[None]:
    """A restarted validator's guard refuses earlier steps on replay and logs each; mute that."""
    logger = logging.getLogger("consensus.algorithm")
    level = logger.level
    logger.setLevel(logging.ERROR)
    yield
    logger.setLevel(level)
