"""A scenario manifest (TOML): the testnet, its load, a timeline of perturbations, and bounds.

    name = "partition-heal"
    duration_s = 30          # load and timeline run this long; then `drain_s` to commit the rest
    seed = 7                 # jitter, loss and the load's order follow it
    [validators]
    count = 4
    powers = [1, 1, 1, 1]    # optional
    clock_offset_ms = { node = 3, ms = 4000 }   # optional: one node's consensus clock ahead
    [genesis]                # optional ConsensusParams overrides
    block_interval_ms = 500
    [load]
    rate = 200               # tx/s, open loop
    mix = { transfer = 0.8, vote = 0.1, "split-pay" = 0.1 }  # transfer, deposit, vote, split-pay
    [[perturbation]]
    kind = "partition"       # kill | pause | partition | netem | disk-full
    at = 10                  # seconds after the load starts
    until = 18               # the heal (restart, resume, heal, clear, free)
    groups = [[0, 1], [2, 3]]

`kill` (SIGKILL of the node's process group, restarted at `until`) and `pause` (SIGSTOP, SIGCONT
at `until`) take `nodes`; `every = S` repeats one every S seconds over the run, rotating over
`nodes`, each down for `down_s`. `netem` takes `nodes` (default all), `delay_ms`, `jitter_ms`
and `loss_pct`; `disk-full` takes `node`.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

KINDS = ("kill", "pause", "partition", "netem", "disk-full")
TX_KINDS = ("transfer", "deposit", "vote", "split-pay")
GENESIS_KEYS = (
    "block_interval_ms",
    "timeout_propose_ms",
    "create_empty_blocks",
    "empty_block_interval_ms",
)
MAX_DURATION_S = 3600
MAX_RATE = 5000
MAX_EVENTS = 1000


class ManifestError(ValueError):
    """The manifest cannot be run as written (the message names the key)."""


@dataclass(frozen=True, slots=True)
class Perturbation:
    kind: str
    at: float
    until: float | None
    nodes: tuple[int, ...] = ()
    groups: tuple[tuple[int, ...], ...] = ()
    delay_ms: int = 0
    jitter_ms: int = 0
    loss_pct: float = 0.0

    @property
    def label(self) -> str:
        if self.kind == "partition":
            return "partition " + "|".join(",".join(map(str, g)) for g in self.groups)
        if self.kind == "netem":
            return f"netem {self.delay_ms}±{self.jitter_ms} ms loss {self.loss_pct}%"
        return f"{self.kind} " + ",".join(f"node{n}" for n in self.nodes)


@dataclass(frozen=True, slots=True)
class Manifest:
    name: str
    validators: int
    duration_s: float
    seed: int
    rate: float
    mix: dict[str, float]
    powers: tuple[int, ...] | None = None
    genesis: dict[str, int | bool] = field(default_factory=dict)
    clock_offset: tuple[int, int] | None = None  # (node, ms)
    perturbations: tuple[Perturbation, ...] = ()
    drain_s: float = 20.0
    batch: int = 50

    @property
    def needs_links(self) -> bool:
        """True when traffic between nodes must go through the link proxies."""
        return any(p.kind in ("partition", "netem") for p in self.perturbations)


def load_manifest(path: Path) -> Manifest:
    try:
        data = tomllib.loads(path.read_text())
    except OSError as exc:
        raise ManifestError(f"cannot read {path}: {exc.strerror}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ManifestError(f"{path} is not TOML: {exc}") from None
    return parse_manifest(data, default_name=path.stem)


def parse_manifest(data: dict[str, Any], default_name: str = "scenario") -> Manifest:
    _known(
        data,
        ("name", "duration_s", "drain_s", "seed", "validators", "genesis", "load", "perturbation"),
        "",
    )
    duration = _num(data, "duration_s", "", 1, MAX_DURATION_S, None)
    vals = _table(data, "validators")
    _known(vals, ("count", "powers", "clock_offset_ms"), "validators.")
    count = int(_num(vals, "count", "validators.", 1, 32, 4))
    powers = vals.get("powers")
    if powers is not None and (
        not isinstance(powers, list)
        or len(powers) != count
        or not all(isinstance(p, int) and 1 <= p <= 2**40 for p in powers)
    ):
        raise ManifestError(f"validators.powers must be {count} integers of at least 1")
    skew = vals.get("clock_offset_ms")
    clock = None
    if skew is not None:
        if not isinstance(skew, dict) or set(skew) != {"node", "ms"}:
            raise ManifestError("validators.clock_offset_ms must be { node = N, ms = M }")
        clock = (_node(skew["node"], count, "validators.clock_offset_ms.node"), int(skew["ms"]))
    genesis = _table(data, "genesis")
    _known(genesis, GENESIS_KEYS, "genesis.")
    load = _table(data, "load")
    _known(load, ("rate", "mix", "batch"), "load.")
    mix = load.get("mix", {"transfer": 1.0})
    if not isinstance(mix, dict) or not mix:
        raise ManifestError("load.mix must be a table of tx kind = share")
    for kind in mix:
        if kind not in TX_KINDS:
            raise ManifestError(
                f"load.mix: unknown tx kind {kind!r} (supported: {', '.join(TX_KINDS)})"
            )
    events = [_perturbation(p, i, count, duration) for i, p in enumerate(_list(data))]
    flat = tuple(e for group in events for e in group)
    if len(flat) > MAX_EVENTS:
        raise ManifestError(f"more than {MAX_EVENTS} perturbations")
    return Manifest(
        name=str(data.get("name", default_name)),
        validators=count,
        duration_s=duration,
        seed=int(_num(data, "seed", "", 0, 2**63, 0)),
        rate=_num(load, "rate", "load.", 0, MAX_RATE, 100),
        mix={str(k): float(v) for k, v in mix.items()},
        powers=tuple(powers) if powers else None,
        genesis=dict(genesis),
        clock_offset=clock,
        perturbations=tuple(sorted(flat, key=lambda p: p.at)),
        drain_s=_num(data, "drain_s", "", 0, 600, 20),
        batch=int(_num(load, "batch", "load.", 1, 5000, 50)),
    )


def _perturbation(raw: Any, index: int, count: int, duration: float) -> list[Perturbation]:
    where = f"perturbation[{index}]."
    if not isinstance(raw, dict):
        raise ManifestError(f"perturbation[{index}] must be a table")
    _known(
        raw,
        (
            "kind",
            "at",
            "until",
            "nodes",
            "node",
            "groups",
            "every",
            "down_s",
            "delay_ms",
            "jitter_ms",
            "loss_pct",
        ),
        where,
    )
    kind = raw.get("kind")
    if kind not in KINDS:
        raise ManifestError(f"{where}kind must be one of {', '.join(KINDS)}")
    at = _num(raw, "at", where, 0, duration, None)
    until = raw.get("until")
    if until is not None:
        until = _num(raw, "until", where, at, duration, None)
    nodes = tuple(_node(n, count, where + "nodes") for n in raw.get("nodes", []))
    if "node" in raw:
        nodes = (_node(raw["node"], count, where + "node"),)
    if kind in ("kill", "pause", "disk-full") and not nodes:
        raise ManifestError(f"{where}nodes: which node(s)?")
    if kind == "pause" and until is None:
        raise ManifestError(f"{where}until: a paused node must be resumed")
    groups: tuple[tuple[int, ...], ...] = ()
    if kind == "partition":
        groups = tuple(
            tuple(_node(n, count, where + "groups") for n in g) for g in raw.get("groups", [])
        )
        flat = [n for g in groups for n in g]
        if len(groups) < 2 or len(set(flat)) != len(flat):
            raise ManifestError(f"{where}groups must be two or more disjoint lists of nodes")
    if kind == "netem" and not nodes:
        nodes = tuple(range(count))
    base = Perturbation(
        kind,
        at,
        until,
        nodes,
        groups,
        int(_num(raw, "delay_ms", where, 0, 60_000, 0)),
        int(_num(raw, "jitter_ms", where, 0, 60_000, 0)),
        _num(raw, "loss_pct", where, 0, 100, 0),
    )
    every = raw.get("every")
    if every is None:
        return [base]
    if kind not in ("kill", "pause"):
        raise ManifestError(f"{where}every applies to kill and pause only")
    step = _num(raw, "every", where, 1, duration, None)
    down = _num(raw, "down_s", where, 0, step, min(3.0, step / 2))
    out: list[Perturbation] = []
    t, k = at, 0
    while t < duration and len(out) < MAX_EVENTS:  # bounded by duration and MAX_EVENTS
        node = nodes[k % len(nodes)]
        out.append(Perturbation(kind, t, min(t + down, duration), (node,)))
        t, k = t + step, k + 1
    return out


def _known(table: dict[str, Any], keys: tuple[str, ...], prefix: str) -> None:
    for key in table:
        if key not in keys:
            raise ManifestError(f"unknown key {prefix}{key} (known: {', '.join(keys)})")


def _table(data: dict[str, Any], key: str) -> dict[str, Any]:
    value = data.get(key, {})
    if not isinstance(value, dict):
        raise ManifestError(f"{key} must be a table")
    return value


def _list(data: dict[str, Any]) -> list[Any]:
    value = data.get("perturbation", [])
    if not isinstance(value, list):
        raise ManifestError("perturbation must be an array of tables ([[perturbation]])")
    return value


def _num(  # noqa: PLR0917
    table: dict[str, Any], key: str, prefix: str, low: float, high: float, default: float | None
) -> float:
    value = table.get(key, default)
    if value is None:
        raise ManifestError(f"{prefix}{key} is required")
    if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high:
        raise ManifestError(f"{prefix}{key} must be a number from {low:g} to {high:g}")
    return float(value)


def _node(value: Any, count: int, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < count:
        raise ManifestError(f"{where}: node numbers go from 0 to {count - 1}")
    return value


def shortened(manifest: Manifest, duration_s: float, rate: float) -> Manifest:
    """The same scenario in `duration_s` at `rate` tx/s: every perturbation's times scaled by
    the same factor (the test suite runs the shipped scenarios this way)."""
    k = duration_s / manifest.duration_s
    events = tuple(
        replace(p, at=round(p.at * k, 2), until=None if p.until is None else round(p.until * k, 2))
        for p in manifest.perturbations
    )
    return replace(
        manifest,
        duration_s=duration_s,
        rate=rate,
        perturbations=events,
        drain_s=min(manifest.drain_s, 15.0),
    )
