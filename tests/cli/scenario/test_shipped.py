"""Each shipped scenario, shortened to ~10 s of load on 4 real validator processes, passes
every oracle; the perturbation it exists for really ran (a skipped one says why)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from cli.scenario.collect import run_series
from cli.scenario.manifest import load_manifest, shortened
from cli.scenario.run import run_scenario

SHORT_S = 10.0
SHORT_RATE = 60.0
NAMES = [
    "kill-under-load",
    "pause-two",
    "partition-heal",
    "wan-100ms",
    "disk-full",
    "cluster-restart",
    "clock-skew",
]


@pytest.mark.slow
@pytest.mark.xdist_group("scenario")
@pytest.mark.parametrize("name", NAMES)
def test_shipped_scenario_keeps_every_oracle_when_run_short(name: str, scenarios_dir: Path) -> None:
    full = load_manifest(scenarios_dir / f"{name}.toml")
    if name == "kill-under-load":  # scaled, its kills would come every 0.8 s: keep the first
        full = dataclasses.replace(full, perturbations=full.perturbations[:1], duration_s=20)
    manifest = shortened(full, SHORT_S, SHORT_RATE)
    said: list[str] = []
    run = run_scenario(manifest, said.append)
    if run.skipped:
        pytest.skip("; ".join(run.skipped))
    failed = [f"{v.name}: {v.failures}" for v in run.verdicts if not v.ok]
    assert not failed, "\n".join(said + failed)
    effects = {"votes and split payments took effect"} if run.targets else set()
    assert {v.name for v in run.verdicts} == {
        "agreement",
        "durability",
        "no evidence against honest nodes",
        "liveness",
        "no process left behind",
        *effects,
    }
    for kind in ("vote", "split-pay"):  # a mix's kinds are all sent and some committed
        if manifest.mix.get(kind, 0) > 0:
            done = [h for h, (k, _p) in run.targets.items() if k == kind]
            assert run.kinds[kind] == len(done) > 0
            assert any(h in run.samples.committed for h in done), said
    series = run_series(run)
    assert series["perturbations"], "the scenario's perturbation never ran"
    assert len(run.samples.committed) > 0.3 * SHORT_RATE * SHORT_S, said
    assert len(run.heals) == sum(1 for p in manifest.perturbations if p.until is not None)
