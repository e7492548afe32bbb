"""`coterie bench --suite` (what `make bench` runs): every mode, one after the other, and ONE
table of their figures, each with the verify ceiling and the load average of its own run.

The machine is shared: a figure alone says little, so every row carries the Ed25519 verify rate
measured at the start of the run that produced it and the load average (1 min) before and after
that run. A target missed is shown, not an error; an incomplete run is marked in its rows
and makes the command fail after the table.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from cli.bench.run import BenchOptions, Progress, run_bench
from cli.bench.sync import SYNC_TARGET_TPS, run_sync_bench

LARGE_STATE = 1_000_000
RESTART_TARGET_S = 3.0
DISK_TARGET_B = 300
RSS_TARGET_MIB = 300
SCALE_TARGET = 0.9


@dataclass(frozen=True, slots=True)
class Mode:
    key: str
    command: str
    options: BenchOptions
    sync: bool = False


def modes(accounts: int = LARGE_STATE, txs: int | None = None) -> list[Mode]:
    """The suite's runs; `txs` overrides every load's size (e.g. a quick check)."""

    def opts(**kw: Any) -> BenchOptions:
        if txs is not None:
            kw["txs"] = txs
        options = BenchOptions(**kw)
        return dataclasses.replace(options, senders=min(options.senders, options.txs))

    one = {"validators": 1, "rate": 10_000.0, "restart": True, "disk": True}
    return [
        Mode("small", "coterie bench --validators 1 --restart --disk", opts(**one)),
        Mode(
            "large",
            f"coterie bench --validators 1 --accounts {accounts} --restart --disk",
            opts(**one, accounts=accounts),
        ),
        Mode("four", "coterie bench --validators 4", opts(validators=4, rate=2_500.0)),
        Mode(
            "four_3000",
            "coterie bench --validators 4 --rate 3000",
            opts(validators=4, rate=3_000.0),
        ),
        Mode(
            "sync",
            "coterie bench --sync",
            dataclasses.replace(opts(txs=100_000), rate=None),
            sync=True,
        ),
    ]


def run_suite(
    selected: list[Mode], progress: Progress, runner: Callable[[Mode, Progress], dict[str, Any]]
) -> dict[str, dict[str, Any]]:
    results: dict[str, dict[str, Any]] = {}
    for mode in selected:
        progress.phase(f"== {mode.command}")
        results[mode.key] = runner(mode, progress)
    return results


def run_mode(mode: Mode, progress: Progress) -> dict[str, Any]:
    if mode.sync:
        return run_sync_bench(mode.options, progress)
    return run_bench(mode.options, progress)


Row = dict[str, Any]


def rows(results: dict[str, dict[str, Any]], commands: dict[str, str]) -> list[Row]:
    """The table's rows: figure, value, target, met (None: no target), and the run's ceiling,
    load average and command."""
    out: list[Row] = []

    def add(key: str, figure: str, value: str, target: str = "", met: bool | None = None) -> None:
        run = results[key]
        if not run.get("complete", True):
            figure += " (INCOMPLETE run)"
        out.append(
            {
                "figure": figure,
                "value": value,
                "target": target,
                "met": met,
                "verify_ceiling": run["verify_rate"],
                "load": f"{run['load_before']:.1f} / {run['load_after']:.1f}",
                "command": commands[key],
            }
        )

    for key, label in (("small", "1 validator"), ("large", "1 validator, large state")):
        run = results.get(key)
        if run is None:
            continue
        accounts = f"{run['accounts']:,} accounts"
        add(
            key,
            f"{label} ({accounts}): tx/s offered 10,000",
            f"{run['tps']:,.0f}",
            ">= 10,000",
            run["tps"] >= 10_000,
        )
        latency = run["latency_ms"]
        add(
            key,
            f"{label}: p50 / p99 submit to commit",
            f"{latency['p50']:,.0f} / {latency['p99']:,.0f} ms",
        )
        rss = max(run["rss_mib"].values())
        anon = max(run.get("rss_anon_mib", {"": 0.0}).values())
        add(
            key,
            f"{label}: peak RSS, workers incl. (private at the end)",
            f"{rss:,.0f} MiB ({anon:,.0f} MiB)",
            f"<= {RSS_TARGET_MIB} MiB",
            rss <= RSS_TARGET_MIB,
        )
        if "restart_api_s" in run:
            add(
                key,
                f"{label}: restart at height {run['restart_height']:,}, API / commit",
                f"{run['restart_api_s']:.2f} / {run['restart_commit_s']:.2f} s "
                f"(CPU {run.get('restart_api_cpu_s', 0):.2f} s)",
                f"<= {RESTART_TARGET_S:.0f} s",
                run["restart_commit_s"] <= RESTART_TARGET_S,
            )
        if "disk" in run:
            disk = run["disk"]
            add(
                key,
                f"{label}: disk per committed tx (raw)",
                f"{disk['disk_per_tx']:,.0f} B ({disk['raw_per_tx']:,.0f} B)",
                f"<= {DISK_TARGET_B} B",
                disk["disk_per_tx"] <= DISK_TARGET_B,
            )
    if "small" in results and "large" in results and results["small"]["verify_ratio"]:
        # as fractions of each run's own ceiling: the machine's load moves between the runs
        scale = results["large"]["verify_ratio"] / results["small"]["verify_ratio"]
        add(
            "large",
            "large / small state, tx/s per verify ceiling",
            f"{scale:.2f}",
            f">= {SCALE_TARGET}",
            scale >= SCALE_TARGET,
        )
    for key, label in (("four", "4 validators, offered 2,500"), ("four_3000", "offered 3,000")):
        run = results.get(key)
        if run is None:
            continue
        latency = run["latency_ms"]
        add(
            key,
            f"{label}: tx/s; p50 / p99",
            f"{run['tps']:,.0f}; {latency['p50']:,.0f} / {latency['p99']:,.0f} ms",
        )
    if "sync" in results:
        run = results["sync"]
        add(
            "sync",
            f"catch-up of {run['txs']:,} transfers ({run['heights']:,} heights): tx/s",
            f"{run['sync_tps']:,.0f}",
            f">= {SYNC_TARGET_TPS:,}",
            run["sync_tps"] >= SYNC_TARGET_TPS,
        )
    return out


def table(table_rows: list[Row]) -> str:
    """One plain-text table, the figure first and the run's conditions after it."""
    head = ("figure", "value", "target", "verify ceiling", "load avg", "command")
    cells = [
        (
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
