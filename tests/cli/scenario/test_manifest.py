"""A manifest that cannot be run is refused with the key it is about; `every` expands."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from cli.scenario.manifest import ManifestError, load_manifest, parse_manifest, shortened


def _base(**extra: Any) -> dict[str, Any]:
    return {"duration_s": 30, "validators": {"count": 4}, **extra}


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"validators": {"count": 4}}, "duration_s is required"),
        (_base(speed=3), "unknown key speed"),
        (_base(load={"mix": {"poll": 1.0}}), "unknown tx kind 'poll'"),
        (_base(perturbation=[{"kind": "melt", "at": 1}]), "kind must be one of"),
        (_base(perturbation=[{"kind": "pause", "at": 1, "nodes": [1]}]), "must be resumed"),
        (_base(perturbation=[{"kind": "kill", "at": 1, "nodes": [4]}]), "from 0 to 3"),
        (_base(perturbation=[{"kind": "kill", "at": 40, "nodes": [1]}]), "at must be"),
        (
            _base(perturbation=[{"kind": "partition", "at": 1, "groups": [[0, 1], [1, 2]]}]),
            "disjoint",
        ),
        (_base(validators={"count": 4, "powers": [1, 2]}), "4 integers"),
    ],
)
def test_a_wrong_manifest_is_refused_naming_the_key(data: dict[str, Any], message: str) -> None:
    with pytest.raises(ManifestError, match=message):
        parse_manifest(data)


def test_every_expands_into_one_kill_per_period_rotating_over_the_nodes() -> None:
    m = parse_manifest(
        _base(perturbation=[{"kind": "kill", "at": 5, "every": 10, "down_s": 3, "nodes": [0, 1]}])
    )
    assert [(p.at, p.until, p.nodes) for p in m.perturbations] == [
        (5, 8, (0,)),
        (15, 18, (1,)),
        (25, 28, (0,)),
    ]


def test_shortened_scales_every_time_by_one_factor() -> None:
    m = parse_manifest(_base(perturbation=[{"kind": "pause", "at": 9, "until": 15, "nodes": [1]}]))
    short = shortened(m, 10, 50)
    assert (short.duration_s, short.rate) == (10, 50)
    assert [(p.at, p.until) for p in short.perturbations] == [(3, 5)]


def test_every_shipped_scenario_parses(scenarios_dir: Path) -> None:
    names = sorted(p.stem for p in scenarios_dir.glob("*.toml"))
    assert names == sorted(
        [
            "kill-under-load",
            "pause-two",
            "partition-heal",
            "wan-100ms",
            "disk-full",
            "cluster-restart",
            "clock-skew",
        ]
    )
    for name in names:
        assert load_manifest(scenarios_dir / f"{name}.toml").name == name


def test_the_load_mix_follows_the_seed_and_deposits_need_a_genesis_treasury() -> None:
    from cli.bench.load import sender_keys
    from cli.scenario.load import draw, genesis_collectives, presign
    from cli.scenario.setup import Prereqs
    from ledger.tx import SignedTx
    from node.devnet import dev_genesis

    mix = {"transfer": 0.5, "deposit": 0.5}
    genesis = dev_genesis("c", [], 0)
    keys = sender_keys(7)
    one, kinds = presign(genesis, keys, draw(7, 40, mix, seed=3), Prereqs())
    again, _ = presign(genesis, keys, draw(7, 40, mix, seed=3), Prereqs())
    assert one == again and len(one) == 40
    assert kinds["transfer"] + kinds["deposit"] == 40 and min(kinds.values()) > 5
    decoded = [SignedTx.decode(raw).body for _i, raw in one]
    assert [b.nonce for b in decoded[:8]] == [0] * 7 + [1]  # nonce-major, as cli/bench
    assert len(genesis_collectives(mix)) == 1
    assert genesis_collectives({"transfer": 1.0}) == ()
