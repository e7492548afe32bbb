"""The report's plots: matplotlib figures rendered to inline SVG, perturbations shaded on each.

Why matplotlib: it is the plotting library researchers already read and extend; it renders SVG
with no browser, no JavaScript and no network (the page must open offline, years later), it is
kept up by a large team with yearly releases, and its wheels install here in about 12 s (173 MB
with numpy, pillow and fonttools). Plotly or Bokeh would need their JavaScript bundle (3-4 MB)
inlined in every page; Vega-Lite a JS runtime. It is an optional extra (`coterie[report]`): the
node never imports it.

Every drawn series carries an SVG id (`series-<name>`), so a test can find its path in a browser.
"""

from __future__ import annotations

import io
from typing import Any, cast

import matplotlib

matplotlib.use("svg")
import matplotlib.pyplot as plt
from matplotlib.axes import Axes

SHADE = "#f4a261"
NAN = float("nan")
MAX_LABELS = 6
WIDTH = 9.0
HEIGHT = 2.8


def _shade(ax: Axes, series: dict[str, Any]) -> None:
    """Shade each perturbation and fix the time axis to the whole run, the same on every plot."""
    end = _end(series)
    ax.set_xlim(0, end)
    for k, p in enumerate(series["perturbations"]):
        stop = p["end"] if p["end"] is not None else end
        span = ax.axvspan(p["start"], max(stop, p["start"] + 0.1), color=SHADE, alpha=0.25, lw=0)
        span.set_gid(f"shade-{k}")
        if len(series["perturbations"]) > MAX_LABELS:  # the summary lists them all
            continue
        ax.text(
            p["start"],
            1.0,
            " " + p["label"],
            transform=ax.get_xaxis_transform(),
            fontsize=7,
            va="top",
            rotation=0,
            color="#7a3b00",
        )


def _end(series: dict[str, Any]) -> float:
    last_block = max((b["t"] for b in series["blocks"]), default=0.0)
    return max(float(series["duration_s"]), last_block) + 0.5


def _svg(fig: Any) -> str:
    buf = io.StringIO()
    fig.subplots_adjust(left=0.09, right=0.91, top=0.88, bottom=0.2)  # aligned time axes
    fig.savefig(buf, format="svg")
    plt.close(fig)
    text = buf.getvalue()
    return text[text.index("<svg") :]


def _figure(series: dict[str, Any], title: str, ylabel: str) -> tuple[Any, Axes]:
    fig, ax = plt.subplots(figsize=(WIDTH, HEIGHT))
    ax.set_title(title, fontsize=10, loc="left")
    virtual = series.get("source") == "sim"
    ax.set_xlabel(
        "virtual seconds since the start" if virtual else "seconds since the load started"
    )
    ax.set_ylabel(ylabel)
    ax.grid(alpha=0.3)
    return fig, ax


def throughput(series: dict[str, Any]) -> str:
    fig, ax = _figure(series, "Committed tx/s", "tx/s")
    xs = [p[0] for p in series["tps"]]
    (line,) = ax.step(xs, [p[1] for p in series["tps"]], where="post", color="#264653")
    line.set_gid("series-tps")
    _shade(ax, series)
    return _svg(fig)


def latency_over_time(series: dict[str, Any]) -> str:
    fig, ax = _figure(series, "Submit-to-commit latency, per second of commit", "seconds")
    by_second = {r[0]: r for r in series["latency_percentiles"]}
    xs = list(range(0, max(by_second, default=-1) + 1))  # a second without commits: a gap
    rows = [by_second.get(s, [s, NAN, NAN, NAN]) for s in xs]
    for col, (name, color) in enumerate(
        (("p50", "#2a9d8f"), ("p90", "#e9c46a"), ("p99", "#e76f51")), start=1
    ):
        (line,) = ax.plot(xs, [r[col] for r in rows], marker=".", label=name, color=color)
        line.set_gid(f"series-latency-{name}")
    ax.legend(fontsize=8, loc="upper right")
    _shade(ax, series)
    return _svg(fig)


def latency_distribution(series: dict[str, Any]) -> str:
    """A histogram has no time axis: txs in flight (between submit and commit) while a
    perturbation was active are drawn in the shading colour, the others in blue, so the faults'
    share of the tail shows."""
    fig, ax = plt.subplots(figsize=(WIDTH, HEIGHT))
    ax.set_title(
        "Latency distribution (orange: in flight during a perturbation)", fontsize=10, loc="left"
    )
    ax.set_xlabel("seconds from submit to commit")
    ax.set_ylabel("txs")
    spans = [
        (p["start"], p["end"] if p["end"] is not None else series["duration_s"])
        for p in series["perturbations"]
    ]

    def hit(t: float, lat: float) -> bool:
        return any(t - lat <= b and t >= a for a, b in spans)

    inside = [lat for t, lat in series["latency"] if hit(t, lat)]
    outside = [lat for t, lat in series["latency"] if not hit(t, lat)]
    _, _, patches = ax.hist([outside, inside], bins=40, stacked=True, color=["#264653", SHADE])
    for name, group in zip(("calm", "perturbed"), cast(list[Any], patches), strict=True):
        for k, patch in enumerate(group):
            patch.set_gid(f"series-hist-{name}-{k}")
    return _svg(fig)


def blocks(series: dict[str, Any]) -> str:
    fig, ax = _figure(series, "Block interval (header times) and rounds per height", "interval, s")
    rows = [b for b in series["blocks"] if b["interval_s"] is not None]
    (line,) = ax.plot(
        [b["t"] for b in rows],
        [b["interval_s"] for b in rows],
        marker=".",
        color="#264653",
        label="interval",
    )
    line.set_gid("series-interval")
    rounds = ax.twinx()
    rounds.set_ylabel("round")
    rows = [b for b in series["blocks"] if b["round"] is not None]
    (dots,) = rounds.plot(
        [b["t"] for b in rows], [b["round"] for b in rows], "x", color="#e76f51", label="round"
    )
    dots.set_gid("series-rounds")
    rounds.set_ylim(bottom=-0.2, top=max([b["round"] for b in rows] + [1]) + 0.5)
    _shade(ax, series)
    return _svg(fig)


def peers(series: dict[str, Any]) -> str:
    fig, ax = _figure(series, "Peers per node (gaps: the node did not answer)", "peers")
    for name, points in sorted(series["peers"].items()):
        ys = [float("nan") if p[1] is None else p[1] for p in points]
        (line,) = ax.plot([p[0] for p in points], ys, label=name, lw=1.2)
        line.set_gid(f"series-peers-{name}")
    if series["peers"]:
        ax.legend(fontsize=8, loc="lower right")
    else:
        ax.text(0.5, 0.5, "not measured in this run", transform=ax.transAxes, ha="center")
    _shade(ax, series)
    return _svg(fig)


PLOTS = (
    ("throughput", throughput),
    ("latency", latency_over_time),
    ("distribution", latency_distribution),
    ("blocks", blocks),
    ("peers", peers),
)
