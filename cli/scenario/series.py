"""The measured series of a run, in one JSON shape shared by `coterie scenario` and `coterie sim`.

    {"format": "coterie-scenario-series/1", "source": "testnet" | "sim", "name", "seed",
     "duration_s", "perturbations": [{kind, label, start, end}],
     "tps": [[second, committed txs]],            # txs whose block was first seen in that second
     "latency": [[commit_t, seconds]],            # one per committed tx: submit -> block seen
     "latency_percentiles": [[second, p50, p90, p99]],
     "blocks": [{height, t, interval_s, round, txs}],
     "peers": {node: [[t, peers]]}, "heights": {node: [[t, height]]}}

Times are seconds from the start of the load (the simulator's: virtual seconds from its start).
Percentiles are nearest-rank over the txs committed in that second.
"""

from __future__ import annotations

import math
from collections import defaultdict
from typing import Any

FORMAT = "coterie-scenario-series/1"


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile of `values` (sorted here); 0 for none."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q / 100 * len(ordered)) - 1)]


def tx_series(
    submitted: dict[str, float], committed: dict[str, tuple[float, int]]
) -> dict[str, Any]:
    per_second: dict[int, list[float]] = defaultdict(list)
    latency: list[list[float]] = []
    for tx_hash, (t, _h) in committed.items():
        lat = t - submitted[tx_hash]
        latency.append([round(t, 3), round(lat, 4)])
        per_second[int(t)].append(lat)
    seconds = range(0, max(per_second, default=-1) + 1)
    return {
        "tps": [[s, len(per_second.get(s, []))] for s in seconds],
        "latency": sorted(latency),
        "latency_percentiles": [
            [s, *(round(percentile(per_second[s], q), 4) for q in (50, 90, 99))]
            for s in seconds
            if per_second.get(s)
        ],
    }


def block_series(blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each block with its interval from the previous one's header time (proposer clocks)."""
    out = []
    previous: int | None = None
    for b in sorted(blocks, key=lambda b: b["height"]):
        interval = None if previous is None else (b["time_ms"] - previous) / 1000
        previous = b["time_ms"]
        out.append(
            {
                "height": b["height"],
                "t": round(b["t"], 3),
                "interval_s": interval,
                "round": b.get("round"),
                "txs": b.get("txs", 0),
            }
        )
    return out


def summary_figures(series: dict[str, Any]) -> dict[str, Any]:
    lat = [x[1] for x in series["latency"]]
    blocks = series["blocks"]
    intervals = [b["interval_s"] for b in blocks if b["interval_s"] is not None]
    rounds = [b["round"] for b in blocks if b["round"] is not None]
    span = max(1.0, float(series["duration_s"]))
    load = series.get("load") or {}
    sent = (
        {
            "txs_sent": load["submitted"],
            "txs_acknowledged": load["acked"],
            "txs_resent": load.get("rebroadcast", 0),
            "txs_refused": sum(load["rejected"].values()),
        }
        if load
        else {}
    )
    return {
        **sent,
        "committed_txs": len(lat),
        "committed_tps": round(len(lat) / span, 1),
        "latency_p50_s": round(percentile(lat, 50), 3),
        "latency_p90_s": round(percentile(lat, 90), 3),
        "latency_p99_s": round(percentile(lat, 99), 3),
        "latency_max_s": round(max(lat, default=0.0), 3),
        "block_time_p50_s": round(percentile(intervals, 50), 3),
        "block_time_p99_s": round(percentile(intervals, 99), 3),
        "heights": len(blocks),
        "late_heights": sum(1 for r in rounds if r > 0),
        "max_round": max(rounds, default=0),
    }
