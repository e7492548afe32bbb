"""The deterministic simulator: N validators, one process, a virtual clock, a hostile network.

    from consensus.sim import derive, run
    report = run(derive(42, validators=7, byzantine=2, heights=50, faults=parse_faults("all")))
    assert report.ok, report.violations

Everything is driven by seeded `random.Random` streams and a virtual clock (consensus.sim.clock):
no real time, sockets or threads, so a seed replays exactly. See docs/consensus.md, "The
simulator", for what it models and checks.
"""

from consensus.sim.options import ALL_FAULTS, SimOptions, derive, parse_faults
from consensus.sim.report import Report
from consensus.sim.simulation import Simulation, run

__all__ = ["ALL_FAULTS", "Report", "SimOptions", "Simulation", "derive", "parse_faults", "run"]
