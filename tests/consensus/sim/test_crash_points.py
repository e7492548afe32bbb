"""A crash just before and just after every persistence step, one at a time (as CometBFT's
crashingWAL): each time the validator must restart into a live and safe one.

A persistence step is a sign-state save, a WAL append or sync, or a block-store append. The points
are those one validator goes through in a fault-free run of a few heights (it proposes one of
them); each test crashes it at one point, restarts it from what its disk held, and requires that
every node reaches the last height, that the checker saw no violation (no fork, no double sign,
no revert) and that the crashed validator signed again after its restart.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from consensus.signer import FileSignStateStore
from consensus.sim.disk import CrashPoint, Disk
from consensus.sim.options import derive
from consensus.sim.simulation import Simulation
from consensus.wal_file import FileWAL
from tests.consensus.sim.conftest import run_until_all_reach

SEED = 5
HEIGHTS = 3
NODES = 4


def _victim() -> int:
    """The validator that proposes height 2."""
    sim = Simulation(derive(SEED, validators=NODES, heights=HEIGHTS))
    address = sim.world.validators_at(2).proposer(0).address
    return next(n.index for n in sim.nodes if n.key.address == address)


def _points() -> list[tuple[int, str, int]]:
    """(number, kind, height) of every persistence step the victim takes up to the last height."""
    sim = Simulation(derive(SEED, validators=NODES, heights=HEIGHTS))
    node = sim.nodes[VICTIM]
    node.steps.points = []
    assert run_until_all_reach(sim, HEIGHTS)
    return [(i, kind, h) for i, (kind, h) in enumerate(node.steps.points) if h <= HEIGHTS]


VICTIM = _victim()
POINTS = _points()
CASES = [
    pytest.param(number, after, id=f"{number:03d}-{'after' if after else 'before'}-{kind}-h{h}")
    for number, kind, h in POINTS
    for after in (False, True)
]


def crash_and_check(number: int, after: bool, disks: Callable[[int], Disk] | None = None) -> None:
    sim = Simulation(derive(SEED, validators=NODES, heights=HEIGHTS), disks=disks)
    victim = sim.nodes[VICTIM]
    victim.crash_at(CrashPoint(number, after, downtime_ms=300))
    crashed_at = POINTS[number][2]

    def signs_again() -> bool:
        signer = victim.signer
        return not victim.down and signer is not None and signer.last_signed.height > crashed_at

    reached = run_until_all_reach(sim, HEIGHTS + 1, also=signs_again)
    assert sim.checker.ok, [str(v) for v in sim.checker.violations]
    assert victim.counters.get("crash-points") == 1, "the crash point was never reached"
    assert victim.counters.get("restarts") == 1
    assert reached, "not every node reached the last height, or the victim never signed again"


def test_the_victim_goes_through_every_kind_of_step() -> None:
    kinds = {kind for _, kind, _ in POINTS}
    assert kinds == {"wal", "wal-sync", "sign-state", "block"}
    assert len(POINTS) > 30


@pytest.mark.parametrize(("number", "after"), CASES)
def test_crash_at_a_persistence_point_restarts_live_and_safe(number: int, after: bool) -> None:
    crash_and_check(number, after)


@pytest.mark.parametrize(("number", "after"), CASES[::5])
def test_crash_at_a_persistence_point_with_files(number: int, after: bool, tmp_path: Path) -> None:
    """The same on a real `FileWAL` and `FileSignStateStore` for every validator (a subset)."""

    def disks(index: int) -> Disk:
        home = tmp_path / f"v{index}"
        home.mkdir()
        return Disk(FileSignStateStore(home / "sign_state"), FileWAL(home / "wal"))

    crash_and_check(number, after, disks)
