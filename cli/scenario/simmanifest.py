"""`coterie scenario sim FILE.toml`: the manifest's testnet and timeline in the deterministic
simulator (consensus.sim), drawn as the same report, to set beside a real run's.

What carries over: the validators and their powers, the genesis timeouts, the seed, one node's
clock offset, and each perturbation at its time, in virtual milliseconds:
- `kill` and `disk-full`: the node crashes at `at` and restarts at `until` (a node whose disk is
  full exits on its next write, as the real runs show: docs/scenarios.md);
- `pause`: also a crash and a restart, the simulator having no frozen process (a paused node
  keeps its memory, a crashed one replays its WAL: the simulated pause is the harsher one);
- `partition`: every link between two groups cut, restored at `until`;
- `netem`: `delay_ms` added to each link touching the nodes, and the network's jitter raised to
  `jitter_ms` and its loss to `loss_pct` on every link (the simulator's link profile is one for
  the whole network; it drops whole messages).
What does not: the load. The simulator's feed holds 3 transfers per height (`duration_s` heights),
spread over the timeline (a tx every `duration / (3 x heights)` on average, or `1 / rate` if
slower): it shows when txs stall, not how many the nodes take. The chaos phase lasts
`duration_s`; then the simulator heals an honest core and asks it to commit, as `coterie sim`
does.
"""

from __future__ import annotations

import dataclasses

from cli.scenario.manifest import Manifest, Perturbation
from consensus.sim import Simulation, derive
from consensus.sim.network import LinkProfile, symmetric_cut
from consensus.timeouts import Timeouts
from ledger.genesis import ConsensusParams

HEIGHTS_PER_SECOND = 1


def simulation(m: Manifest) -> Simulation:
    n = m.validators
    timing = {k: int(v) for k, v in m.genesis.items() if k != "create_empty_blocks"}
    params = dataclasses.replace(ConsensusParams(), **timing)  # type: ignore[arg-type]
    duration_ms = int(m.duration_s * 1000)
    heights = max(4, int(m.duration_s * HEIGHTS_PER_SECOND))
    base = derive(m.seed, validators=n, heights=heights)
    offsets = tuple(
        m.clock_offset[1] if m.clock_offset is not None and i == m.clock_offset[0] else 0
        for i in range(n)
    )
    options = dataclasses.replace(
        base,
        powers=m.powers or (1,) * n,
        offset_ms=offsets,
        chaos_ms=duration_ms,
        # the simulator's feed holds 3 txs per height: spread them over the whole timeline
        tx_every_ms=max(int(1000 / m.rate) if m.rate else 10**6, duration_ms // (3 * heights)),
        timeouts=Timeouts.from_params(params),
    )
    sim = Simulation(options)
    for p in m.perturbations:
        _script(sim, p)
    return sim


def _script(sim: Simulation, p: Perturbation) -> None:
    at = int(p.at * 1000)
    until = None if p.until is None else int(p.until * 1000)
    sim.faults.append((p.label, at, until))
    queue, network = sim.queue, sim.network
    if p.kind in ("kill", "pause", "disk-full"):
        for i in p.nodes:
            queue.at(at, sim.nodes[i].crash)
            if until is not None:
                queue.at(until, sim.nodes[i].restart)
    elif p.kind == "partition":
        links = [
            link
            for k, a in enumerate(p.groups)
            for b in p.groups[k + 1 :]
            for link in symmetric_cut(list(a), list(b))
        ]
        cut: list[list[tuple[int, int]]] = []
        queue.at(at, lambda: cut.append(network.partition(links)))
        if until is not None:
            queue.at(until, lambda: network.restore(cut.pop()))
    elif p.kind == "netem":
        touched = [
            (s, d)
            for s in range(sim.options.validators)
            for d in range(sim.options.validators)
            if s != d and (s in p.nodes or d in p.nodes)
        ]
        before = network.profile
        shaped = dataclasses.replace(
            before, jitter_ms=max(before.jitter_ms, p.jitter_ms), drop=p.loss_pct / 100
        )

        def shape(sign: int, profile: LinkProfile) -> None:
            for s, d in touched:
                network.latency[s][d] += sign * p.delay_ms
            network.profile = profile
            network.lossy = profile.drop > 0 or profile.duplicate > 0 or profile.reorder > 0

        queue.at(at, shape, 1, shaped)
        if until is not None:
            queue.at(until, shape, -1, before)
