"""The perturbation timeline: each fault's start at `at` and its end at `until`, on the run's
clock, and the liveness bound of each end (cli.scenario.oracles.heal_bound_s)."""

from __future__ import annotations

import asyncio
from typing import Any

from cli.scenario import oracles
from cli.scenario.links import Network, Shape
from cli.scenario.manifest import Perturbation
from cli.scenario.procs import Nodes, SmallDisk
from cli.scenario.state import Run


async def run_timeline(run: Run, nodes: Nodes, links: Network | None) -> None:
    """Each perturbation's start at `at` and its end at `until`, in time order (bounded by the
    manifest's event count), then the end of the run at `duration_s`."""
    m = run.manifest
    steps: list[tuple[float, int, bool, Perturbation]] = []
    for k, p in enumerate(m.perturbations):
        steps.append((p.at, k, True, p))
        if p.until is not None:
            steps.append((p.until, k, False, p))
    steps.sort(key=lambda s: (s[0], s[2]))  # ends before starts at the same instant
    started: dict[int, tuple[float, int]] = {}
    for t, k, begin, p in steps:
        await asyncio.sleep(max(0.0, t - run.samples.now()))
        if any(p.label in s for s in run.skipped):
            continue
        if begin:
            run.say(f"{t:6.1f} s  {p.label}")
            started[k] = (run.samples.now(), run.samples.best())
            _begin(p, nodes, links)
        else:
            run.say(f"{t:6.1f} s  end of {p.label}")
            for i in p.nodes:
                if p.kind != "kill" and not nodes.running(i):
                    note = f"node{i} had exited (code {nodes.nodes[i].exit_code}) during {p.label}"
                    run.say(note)
                    run.notes.append(note)
            restarted = _end(p, nodes, links)
            t0, _h = started.get(k, (t, 0))
            now = run.samples.now()
            bound = oracles.heal_bound_s(_params(run), now - t0, run.samples.round_now(), restarted)
            run.heals.append(oracles.Heal(f"end of {p.label}", now, run.samples.best(), bound))
        run.applied.append({"kind": p.kind, "label": p.label, "start": p.at, "end": p.until})
    await asyncio.sleep(max(0.0, m.duration_s - run.samples.now()))


def _params(run: Run) -> Any:
    assert run.net is not None
    return run.net.genesis.params.consensus


def _begin(p: Perturbation, nodes: Nodes, links: Network | None) -> None:
    if p.kind == "kill":
        for i in p.nodes:
            nodes.kill(i)
    elif p.kind == "pause":
        for i in p.nodes:
            nodes.pause(i)
    elif p.kind == "partition" and links is not None:
        links.partition(p.groups)
    elif p.kind == "netem" and links is not None:
        links.shape(p.nodes, Shape(p.delay_ms, p.jitter_ms, p.loss_pct))
    elif p.kind == "disk-full":
        disk = SmallDisk(nodes.nodes[p.nodes[0]].home / "data", mounted=True)
        disk.fill()


def _end(p: Perturbation, nodes: Nodes, links: Network | None) -> bool:
    """End `p`; answers whether a node process was (re)started."""
    restarted = False
    if p.kind == "kill":
        for i in p.nodes:
            nodes.start(i)
        restarted = True
    elif p.kind == "pause":
        for i in p.nodes:
            nodes.resume(i)
    elif p.kind == "partition" and links is not None:
        links.heal()
    elif p.kind == "netem" and links is not None:
        links.clear_shape()
    elif p.kind == "disk-full":
        i = p.nodes[0]
        SmallDisk(nodes.nodes[i].home / "data", mounted=True).free()
        if not nodes.running(i):  # a node that stopped on a full disk is restarted
            nodes.start(i)
            restarted = True
    return restarted
