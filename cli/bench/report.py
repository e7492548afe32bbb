"""Figures from the samples (throughput, latency percentiles) and the table a person reads.

Committed tx/s is measured over the steady window: from the client's receipt of the first
block holding bench txs to its receipt of the last but one, counting the txs of the blocks after
the first up to that one. The first block's txs were committed before the window opened (so the
ramp-up, submission and the first block's wait, is left out), and the last block holds only the
tail of the load: its interval is a whole block time, but the load ran for part of it, which
would bias an open-loop run below the rate the nodes kept up with. With two such blocks the
window ends at the last; with one it falls back to all txs over the time from the first
submission to the last commit.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from typing import Any

from cli.bench.driver import Samples

TARGETS: dict[int, dict[str, float]] = {
    1: {"tps": 10_000},
    4: {"tps": 2_500, "p50_ms": 1_000, "p99_ms": 2_000},
}
MEMORY_TARGET_MIB = 300
"""Issue 17 goal 7: per node at a million accounts, signature workers included (the peak of the
node's RSS plus its children's private pages, cli/bench/memory.py)."""
MEMORY_ACCOUNTS = 1_000_000


def percentile(values: list[float], q: float) -> float:
    """The nearest-rank `q`-th percentile (0 < q <= 100) of non-empty `values`."""
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


def steady_tps(samples: Samples) -> tuple[float, float]:
    """(committed tx/s over the steady window, its length in seconds)."""
    blocks = [(t, n) for t, _height, n in samples.blocks if n > 0]
    if len(blocks) >= 3:
        blocks = blocks[:-1]  # the tail of the load
    seconds = blocks[-1][0] - blocks[0][0] if len(blocks) >= 2 else 0.0
    if seconds <= 0:
        return overall_tps(samples), _span(samples)
    return sum(n for _t, n in blocks[1:]) / seconds, seconds


def _span(samples: Samples) -> float:
    last = max(samples.committed.values(), default=samples.first_submit)
    return last - samples.first_submit


def overall_tps(samples: Samples) -> float:
    span = _span(samples)
    return len(samples.committed) / span if span > 0 else 0.0


def figures(samples: Samples) -> dict[str, Any]:
    latencies = [
        (done - samples.submitted[tx_hash]) * 1000 for tx_hash, done in samples.committed.items()
    ]
    tps, window = steady_tps(samples)
    ours = [(t, n) for t, _h, n in samples.blocks if n > 0]
    intervals = [b[0] - a[0] for a, b in itertools.pairwise(ours)]
    return {
        "submitted": len(samples.submitted),
        "accepted": samples.accepted,
        "rejected": dict(samples.rejected),
        "committed": len(samples.committed),
        "complete": not samples.stalled and len(samples.committed) == samples.accepted,
        "blocks_with_txs": len(ours),
        "ws_reconnects": samples.reconnects,
        "max_block_txs": max((n for _t, n in ours), default=0),
        "mean_block_interval_s": _round(sum(intervals) / len(intervals)) if intervals else None,
        "submit_seconds": _round(samples.last_submit - samples.first_submit),
        "tps": _round(tps, 1),
        "tps_window_s": _round(window),
        "tps_overall": _round(overall_tps(samples), 1),
        "latency_ms": {
            "p50": _round(percentile(latencies, 50), 1) if latencies else None,
            "p99": _round(percentile(latencies, 99), 1) if latencies else None,
            "max": _round(max(latencies), 1) if latencies else None,
        },
    }


def verdicts(result: dict[str, Any]) -> dict[str, bool]:
    """Whether each target of this mode is met (empty for a mode without targets)."""
    target = TARGETS.get(int(result["validators"]), {})
    latency = result["latency_ms"]
    met: dict[str, bool] = {}
    if "tps" in target:
        met["tps"] = result["tps"] >= target["tps"]
    if result.get("accounts", 0) >= MEMORY_ACCOUNTS and result.get("memory_mib"):
        met["memory"] = max(result["memory_mib"].values()) <= MEMORY_TARGET_MIB
    for key in ("p50", "p99"):
        limit = target.get(f"{key}_ms")
        if limit is not None:
            met[key] = latency[key] is not None and latency[key] <= limit
    return met


def table(result: dict[str, Any]) -> str:
    """The run as a person reads it: each figure with its target, if the mode has one."""
    target = TARGETS.get(int(result["validators"]), {})
    met = result["meets_targets"]
    latency = result["latency_ms"]

    def row(name: str, value: str, key: str | None = None, goal: str = "") -> str:
        verdict = "" if key is None or key not in met else ("ok" if met[key] else "MISSED")
        return f"  {name:<34}{value:>14}   {goal:<16}{verdict}"

    rss = result["rss_mib"]
    lines = [
        f"coterie bench: {result['validators']} validator(s), {result['txs']:,} transfers from "
        f"{result['senders']:,} senders"
        + (
            f" to random accounts of {result['accounts']:,}"
            if result["accounts"] > result["senders"]
            else ""
        )
        + f", batches of {result['batch']}, "
        + (f"open loop at {result['rate']:,.0f} tx/s" if result["rate"] else "as fast as admitted"),
        row("committed", f"{result['committed']:,}/{result['accepted']:,}"),
        row(
            "committed tx/s (steady window)",
            f"{result['tps']:,.0f}",
            "tps",
            f">= {target['tps']:,.0f}" if "tps" in target else "",
        ),
        row("committed tx/s (whole run)", f"{result['tps_overall']:,.0f}"),
        row(
            "latency p50, submit to commit",
            _ms(latency["p50"]),
            "p50",
            f"<= {target['p50_ms']:,.0f} ms" if "p50_ms" in target else "",
        ),
        row(
            "latency p99",
            _ms(latency["p99"]),
            "p99",
            f"<= {target['p99_ms']:,.0f} ms" if "p99_ms" in target else "",
        ),
        row(
            "heights decided after round 0",
            "-"
            if result["max_round"] is None
            else f"{result['late_heights']} (max round {result['max_round']})",
        ),
        row(
            "peak memory per node, workers incl.",
            f"{max(result.get('memory_mib', {0: 0.0}).values()):,.0f} MiB",
            "memory",
            f"<= {MEMORY_TARGET_MIB} MiB" if "memory" in met else "",
        ),
        row(
            "  sum of PSS / of VmHWM (max)",
            f"{max(result.get('pss_mib', {0: 0.0}).values()):,.0f} / {max(rss.values()):,.0f}",
        ),
        row(
            "private RSS at the end (RssAnon, max)",
            f"{max(result.get('rss_anon_mib', {0: 0.0}).values()):,.0f} MiB",
        ),
        *_cpu_rows(result, row),
        row("Ed25519 verify ceiling, 2 cores", f"{result['verify_rate']:,.0f}/s"),
        row("committed / verify ceiling", f"{result['verify_ratio']:.2f}", None, "(about 0.55)"),
        row(
            "load average before / after",
            f"{result['load_before']:.1f} / {result['load_after']:.1f}",
        ),
    ]
    if "restart_api_s" in result:
        lines.append(
            row(
                f"restart at height {result['restart_height']:,}: API / commit",
                f"{result['restart_api_s']:.2f} / {result['restart_commit_s']:.2f} s",
                None,
                f"<= 3 s (API after {result['restart_api_cpu_s']:.2f} s of CPU)",
            )
        )
    if "disk" in result:
        disk = result["disk"]
        lines.append(
            row(
                "disk per committed tx (compacted)",
                f"{disk['disk_per_tx']:,.0f} B",
                None,
                f"<= 300 B (raw {disk['raw_per_tx']:,.0f} B)",
            )
        )
        for name, part in disk["parts"].items():
            lines.append(
                row(f"  {name}", f"{part['disk']:,.0f} B", None, f"raw {part['raw']:,.0f} B")
            )
    if result["accounts"] > result["senders"]:
        lines.append(row("prefilled state written in", f"{result['prefill_seconds']:.1f} s"))
    if result.get("heights_written"):
        lines.append(
            row(
                f"{result['heights_written']:,} heights written in",
                f"{result['history_seconds']:.1f} s",
            )
        )
    if result["rejected"]:
        lines.append(f"  rejected at admission: {result['rejected']}")
    if result.get("evicted"):
        lines.append(
            f"  accepted, then evicted from a full pool: {result['evicted']:,} "
            "(never committed; a wallet re-sends: docs/api.md)"
        )
    if not result["complete"]:
        lines.append("  INCOMPLETE: not every accepted tx was committed before the run stopped")
    return "\n".join(lines)


def _cpu_rows(result: dict[str, Any], row: Callable[[str, str], str]) -> list[str]:
    """The first node's CPU per committed tx by part, and the client's (cli/bench/cpu.py)."""
    cpu = result.get("cpu_us_per_tx")
    if not cpu:
        return []
    node = cpu[min(name for name in cpu if name != "client")]
    return [
        row(
            "CPU per tx, µs: loop / threads",
            f"{node['loop']:.1f} / {node['threads']:.1f}",
        ),
        row(
            "  signature workers / client",
            f"{node['workers']:.1f} / {cpu['client']['process']:.1f}",
        ),
    ]


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:,.0f} ms"


def _round(value: float, digits: int = 3) -> float:
    return round(value, digits)
