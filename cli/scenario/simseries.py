"""`coterie sim --report DIR`: the simulator's virtual timeline in the scenario report's shape.

Times are virtual seconds. A tx's latency is from its submission time in the simulator's feed to
the first commit of its block by any honest node (the checker's commit time); block intervals are
between those commit times. The simulator has no per-node peer count: its peers plot stays empty.
Perturbations are the chaos's partitions and crashes (a crash point is armed at its time and fires
at a later persistence step: drawn as an instant), and the chaos phase itself until the heal.
"""

from __future__ import annotations

from typing import Any

from cli.scenario.series import block_series, tx_series
from consensus.sim import Simulation


def sim_series(sim: Simulation, name: str | None = None) -> dict[str, Any]:
    checker = sim.checker
    o = sim.options
    submitted_ms = sim.world.feed.submitted
    submitted: dict[str, float] = {}
    committed: dict[str, tuple[float, int]] = {}
    blocks = []
    for height in sorted(checker.chain):
        block = checker.chain[height]
        t = checker.commit_time[height] / 1000
        for tx in block.txs:
            key = tx.hash.hex()
            submitted[key] = submitted_ms.get(tx.hash, checker.commit_time[height]) / 1000
            committed[key] = (t, height)
        blocks.append(
            {
                "height": height,
                "t": t,
                "time_ms": checker.commit_time[height],
                "txs": len(block.txs),
                "round": checker.commit_round.get(height),
            }
        )
    spans = [
        {
            "kind": "chaos",
            "label": label,
            "start": start / 1000,
            "end": (start if end is None else end) / 1000,  # a crash point: an instant
        }
        for label, start, end in sim.faults
    ]
    if sim.heal_time is not None:
        spans.insert(
            0, {"kind": "chaos", "label": "chaos phase", "start": 0.0, "end": sim.heal_time / 1000}
        )
    return {
        "source": "sim",
        "name": name or f"sim-{o.validators}v",
        "seed": o.seed,
        "duration_s": sim.queue.now / 1000,
        "perturbations": spans,
        **tx_series(submitted, committed),
        "blocks": block_series(blocks),
        "peers": {},
        "heights": {},
    }
