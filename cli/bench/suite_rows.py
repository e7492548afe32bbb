"""The suite's one table: a row per figure, with the goal of issue 17 it shows, its target and
whether it is met, and the verify ceiling, load average and command of the run it comes from.

Throughput compared between two runs (large against small state, pacing rule on against off)
is compared as fractions of each run's own verify ceiling: the machine's load moves between
runs, and the ceiling measured at the start of each moves with it.
"""

from __future__ import annotations

from typing import Any

from cli.bench.report import MEMORY_TARGET_MIB
from cli.bench.sync import SYNC_TARGET_TPS

RESTART_TARGET_S = 3.0
DISK_TARGET_B = 300
SCALE_TARGET = 0.9
STATE_ROOT_TARGET_MS = 150
SATURATED_ONE_TARGET = 0.5
SATURATED_FOUR_TARGET_TPS = 5_000
LOW_RATE_P50_MS = 100
LOW_RATE_P99_MS = 300
PACING_LOSS_TARGET = 0.05

Row = dict[str, Any]


class _Rows:
    def __init__(self, results: dict[str, dict[str, Any]], commands: dict[str, str]) -> None:
        self.results, self.commands = results, commands
        self.out: list[Row] = []

    def add(
        self,
        key: str,
        goal: int | None,
        figure: str,
        value: str,
        *,
        target: str = "",
        met: bool | None = None,
    ) -> None:
        run = self.results[key]
        if not run.get("complete", True):
            figure += " (INCOMPLETE run)"
        self.out.append(
            {
                "goal": goal,
                "figure": figure,
                "value": value,
                "target": target,
                "met": met,
                "verify_ceiling": run["verify_rate"],
                "load": f"{run['load_before']:.1f} / {run['load_after']:.1f}",
                "command": self.commands[key],
            }
        )


def rows(results: dict[str, dict[str, Any]], commands: dict[str, str]) -> list[Row]:
    """The table's rows: goal (None: an earlier issue's figure), figure, value, target, met
    (None: no target), and the run's ceiling, load average and command."""
    table = _Rows(results, commands)
    _one_validator(table)
    _four_validators(table)
    _state_and_sync(table)
    _saturated(table)
    _low_rate(table)
    return table.out


def _one_validator(t: _Rows) -> None:
    for key, label in (("small", "1 validator"), ("large", "1 validator, large state")):
        run = t.results.get(key)
        if run is None:
            continue
        goal = 2 if key == "large" else None
        accounts = f"{run['accounts']:,} accounts"
        t.add(
            key,
            goal,
            f"{label} ({accounts}): tx/s offered 10,000",
            f"{run['tps']:,.0f}",
            target=">= 10,000",
            met=run["tps"] >= 10_000,
        )
        latency = run["latency_ms"]
        t.add(
            key,
            None,
            f"{label}: p50 / p99 submit to commit",
            f"{latency['p50']:,.0f} / {latency['p99']:,.0f} ms",
        )
        rss = max(run["rss_mib"].values())
        peak = max(run.get("memory_mib", {"": rss}).values())
        anon = max(run.get("rss_anon_mib", {"": 0.0}).values())
        t.add(
            key,
            7,
            f"{label}: peak memory, workers incl. (summed VmHWM; private at the end)",
            f"{peak:,.0f} MiB ({rss:,.0f}; {anon:,.0f} MiB)",
            target=f"<= {MEMORY_TARGET_MIB} MiB",
            met=peak <= MEMORY_TARGET_MIB,
        )
        if "restart_api_s" in run:
            with_history = run.get("heights_written", 0) > 0
            t.add(
                key,
                6 if with_history else None,
                f"{label}: restart at height {run['restart_height']:,}, API / commit",
                f"{run['restart_api_s']:.2f} / {run['restart_commit_s']:.2f} s "
                f"(CPU {run.get('restart_api_cpu_s', 0):.2f} s)",
                target=f"<= {RESTART_TARGET_S:.0f} s",
                met=run["restart_commit_s"] <= RESTART_TARGET_S,
            )
        if "disk" in run:
            disk = run["disk"]
            t.add(
                key,
                7,
                f"{label}: disk per committed tx (raw)",
                f"{disk['disk_per_tx']:,.0f} B ({disk['raw_per_tx']:,.0f} B)",
                target=f"<= {DISK_TARGET_B} B",
                met=disk["disk_per_tx"] <= DISK_TARGET_B,
            )
    if "small" in t.results and "large" in t.results and t.results["small"]["verify_ratio"]:
        scale = t.results["large"]["verify_ratio"] / t.results["small"]["verify_ratio"]
        t.add(
            "large",
            2,
            "large / small state, tx/s per verify ceiling",
            f"{scale:.2f}",
            target=f">= {SCALE_TARGET}",
            met=scale >= SCALE_TARGET,
        )


def _four_validators(t: _Rows) -> None:
    for key, label in (("four", "4 validators, offered 2,500"), ("four_3000", "offered 3,000")):
        run = t.results.get(key)
        if run is None:
            continue
        latency = run["latency_ms"]
        t.add(
            key,
            None,
            f"{label}: tx/s; p50 / p99",
            f"{run['tps']:,.0f}; {latency['p50']:,.0f} / {latency['p99']:,.0f} ms",
        )


def _state_and_sync(t: _Rows) -> None:
    run = t.results.get("state_root")
    if run is not None:
        t.add(
            "state_root",
            1,
            f"state root: {run['changes']:,} changed of {run['keys']:,} keys, update + synced "
            "commit (update CPU)",
            f"{run['update_ms']:,.0f} + {run['commit_ms']:,.0f} = {run['total_ms']:,.0f} ms "
            f"({run['update_cpu_ms']:,.0f} ms)",
            target=f"<= {STATE_ROOT_TARGET_MS} ms",
            met=run["total_ms"] <= STATE_ROOT_TARGET_MS,
        )
    run = t.results.get("sync")
    if run is not None:
        t.add(
            "sync",
            5,
            f"catch-up of {run['txs']:,} transfers ({run['heights']:,} heights): tx/s",
            f"{run['sync_tps']:,.0f}",
            target=f">= {SYNC_TARGET_TPS:,}",
            met=run["sync_tps"] >= SYNC_TARGET_TPS,
        )


def _whole(run: dict[str, Any]) -> tuple[float, float]:
    """(tx/s over the whole run, its fraction of the run's ceiling): a saturated run's blocks
    are few and full (20,000 txs at most), so its steady window spans one or two intervals and
    says little (it even exceeded the ceiling); all txs over first submission to last commit
    cannot overstate it."""
    tps = float(run["tps_overall"])
    return tps, tps / run["verify_rate"] if run["verify_rate"] else 0.0


def _saturated(t: _Rows) -> None:
    run = t.results.get("one_saturated")
    if run is not None:
        latency = run["latency_ms"]
        tps, ratio = _whole(run)
        t.add(
            "one_saturated",
            3,
            "1 validator saturated: tx/s whole run (steady window; p50 / p99); per ceiling",
            f"{tps:,.0f} ({run['tps']:,.0f}; {latency['p50']:,.0f} / {latency['p99']:,.0f} ms); "
            f"{ratio:.2f}",
            target=f">= {SATURATED_ONE_TARGET}",
            met=ratio >= SATURATED_ONE_TARGET,
        )
    run = t.results.get("four_saturated")
    if run is not None:
        latency = run["latency_ms"]
        tps, _ratio = _whole(run)
        t.add(
            "four_saturated",
            3,
            "4 validators saturated: tx/s whole run (steady window; p50 / p99)",
            f"{tps:,.0f} ({run['tps']:,.0f}; {latency['p50']:,.0f} / {latency['p99']:,.0f} ms)",
            target=f">= {SATURATED_FOUR_TARGET_TPS:,}",
            met=tps >= SATURATED_FOUR_TARGET_TPS,
        )
    off = t.results.get("four_saturated_no_pacing")
    if run is not None and off is not None and off["verify_rate"]:
        (on_tps, on_ratio), (off_tps, off_ratio) = _whole(run), _whole(off)
        loss = 1 - on_ratio / off_ratio if off_ratio else 0.0
        t.add(
            "four_saturated_no_pacing",
            4,
            "4 validators saturated, pacing rule on / off: tx/s whole run (per ceiling); loss",
            f"{on_tps:,.0f} / {off_tps:,.0f} ({on_ratio:.3f} / {off_ratio:.3f}); {loss:+.1%}",
            target=f"loss <= {PACING_LOSS_TARGET:.0%}",
            met=loss <= PACING_LOSS_TARGET,
        )


def _low_rate(t: _Rows) -> None:
    run = t.results.get("four_low_rate")
    if run is None:
        return
    latency = run["latency_ms"]
    p50, p99 = latency["p50"], latency["p99"]
    t.add(
        "four_low_rate",
        4,
        f"4 validators at {run['rate']:,.0f} tx/s, 1 tx per request: p50 / p99",
        f"{p50:,.0f} / {p99:,.0f} ms",
        target=f"<= {LOW_RATE_P50_MS} / {LOW_RATE_P99_MS} ms",
        met=p50 <= LOW_RATE_P50_MS and p99 <= LOW_RATE_P99_MS,
    )


def table(table_rows: list[Row]) -> str:
    """One plain-text table, the goal and figure first and the run's conditions after them."""
    head = ("goal", "figure", "value", "target", "verify ceiling", "load avg", "command")
    cells = [
        (
            "" if r["goal"] is None else str(r["goal"]),
            r["figure"],
            r["value"],
            r["target"] + ("" if r["met"] is None else (" ok" if r["met"] else " MISSED")),
            f"{r['verify_ceiling']:,.0f}/s",
            r["load"],
            r["command"],
        )
        for r in table_rows
    ]
    widths = [max(len(str(c[i])) for c in [head, *cells]) for i in range(len(head))]
    lines = [
        "  ".join(str(c[i]).ljust(widths[i]) for i in range(len(head))).rstrip()
        for c in [head, *cells]
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)
