"""Runs one WAN scenario (cli/scenario) on the best network back-end this machine allows, prints
what it measured and writes it to `wan-report.json` and `wan-report.md` in the test's folder.

Back-ends (cli/scenario/network.py): each validator in its own network namespace with `tc netem`
where the kernel has netem; namespaces with the user-space link proxies where it has not; nodes
on 127.0.0.1 with the proxies where namespaces are refused (not root). `COTERIE_WAN_NETWORK=netns`
requires namespaces (CI runs as root) and skips, saying why, where they cannot be made.
Figures are reported, never asserted: the machine is shared (the load average is beside them).
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from cli.scenario import oracles
from cli.scenario.collect import run_series
from cli.scenario.manifest import Manifest
from cli.scenario.run import run_scenario
from cli.scenario.series import summary_figures
from cli.scenario.state import Run, ScenarioError

NETWORK_ENV = "COTERIE_WAN_NETWORK"
FULL_ENV = "COTERIE_WAN_FULL"
ORACLES = {
    "agreement",
    "durability",
    "no evidence against honest nodes",
    "liveness",
    "no process left behind",
}


def full_runs() -> bool:
    """The heavier variants run only when asked (`COTERIE_WAN_FULL=1`)."""
    return os.environ.get(FULL_ENV, "") not in ("", "0")


def run_wan(manifest: Manifest, folder: Path) -> tuple[Run, dict[str, Any]]:
    """Run `manifest`; every oracle must hold and nothing may be left behind. Answers the run
    and its report (also written to `folder`)."""
    network = os.environ.get(NETWORK_ENV, "auto")
    said: list[str] = []

    def say(line: str) -> None:
        said.append(line)
        print(line, flush=True)

    try:
        run = run_scenario(manifest, say, network)
    except ScenarioError as exc:
        if "cannot make network namespaces" in str(exc):
            pytest.skip(f"{NETWORK_ENV}={network}: {exc}")
        raise
    report = _report(run)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "wan-report.json").write_text(json.dumps(report, indent=1) + "\n")
    (folder / "wan-report.md").write_text(_markdown(report))
    print(_markdown(report), flush=True)
    assert not run.skipped, run.skipped
    failed = [f"{v.name}: {v.failures}" for v in run.verdicts if not v.ok]
    assert not failed, "\n".join(said + failed)
    assert {v.name for v in run.verdicts} == ORACLES
    assert _namespaces_left() == [], "the run left network namespaces behind"
    return run, report


def _report(run: Run) -> dict[str, Any]:
    series = run_series(run)
    figures = summary_figures(series)
    heals = [
        {
            "label": h.label,
            "at_s": round(h.t, 2),
            "height": h.height,
            "resumed_after_s": _round(oracles.recovery(run.samples.status, h.t, h.height)),
        }
        for h in run.heals
    ]
    return {
        "scenario": run.manifest.name,
        "network": run.network,
        "validators": run.manifest.validators,
        "duration_s": run.manifest.duration_s,
        "rate_tx_s": run.manifest.rate,
        "perturbations": [p.label for p in run.manifest.perturbations],
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "cores": os.cpu_count(),
        "block_time_s": {"p50": figures["block_time_p50_s"], "p99": figures["block_time_p99_s"]},
        "commit_latency_s": {"p50": figures["latency_p50_s"], "p99": figures["latency_p99_s"]},
        "committed_txs": figures["committed_txs"],
        "txs_sent": figures.get("txs_sent"),
        "heights": figures["heights"],
        "late_heights": figures["late_heights"],
        "heals": heals,
        "oracles": {v.name: v.ok for v in run.verdicts},
    }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def _markdown(r: dict[str, Any]) -> str:
    lines = [
        f"## {r['scenario']}: {r['validators']} validators, {r['rate_tx_s']:g} tx/s for "
        f"{r['duration_s']:g} s",
        "",
        f"- network: {r['network']}; perturbations: {', '.join(r['perturbations']) or 'none'}",
        f"- block time p50 {r['block_time_s']['p50']} s, p99 {r['block_time_s']['p99']} s "
        f"({r['heights']} heights, {r['late_heights']} late)",
        f"- commit latency p50 {r['commit_latency_s']['p50']} s, "
        f"p99 {r['commit_latency_s']['p99']} s ({r['committed_txs']} of {r['txs_sent']} txs)",
        *(
            f"- {h['label']} at {h['at_s']} s: resumed after {h['resumed_after_s']} s"
            for h in r["heals"]
        ),
        f"- load average {' '.join(map(str, r['load_average']))} on {r['cores']} cores",
        "",
    ]
    return "\n".join(lines)


def _namespaces_left() -> list[str]:
    """This process's namespaces still listed (cli/scenario/netns.py names them by its pid)."""
    tag = f"cot-{os.getpid() % 0x10000:04x}-"
    try:
        listed = subprocess.run(
            ["ip", "netns", "list"], capture_output=True, text=True, check=False
        )
    except OSError:
        return []
    return [line.split()[0] for line in listed.stdout.splitlines() if line.startswith(tag)]
