"""`coterie sim --report` writes the scenario report for the simulator's virtual timeline."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from cli.main import cli


def test_sim_report_has_the_same_series_as_a_real_run(tmp_path: Path) -> None:
    out = tmp_path / "report"
    result = CliRunner().invoke(
        cli, ["sim", "--validators", "4", "--seed", "3", "--heights", "20", "--report", str(out)]
    )
    assert result.exit_code == 0, result.output
    series = json.loads((out / "series.json").read_text())
    assert series["format"] == "coterie-scenario-series/1"
    assert series["source"] == "sim"
    assert [b["height"] for b in series["blocks"]][:20] == list(range(1, 21))
    assert sum(n for _s, n in series["tps"]) == len(series["latency"]) > 0
    assert any(p["label"].startswith(("partition", "crash")) for p in series["perturbations"])
    assert series["oracles"][0]["ok"]
    html = (out / "report.html").read_text()
    assert html.count("<svg") == 5 and "<script" not in html


def test_sim_report_draws_one_run_only(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        cli, ["sim", "--seeds", "2", "--heights", "5", "--report", str(tmp_path / "r")]
    )
    assert result.exit_code == 3
    assert "--report draws one run" in result.output


def test_a_manifest_simulated_stalls_during_its_partition_and_draws_the_same_report(
    tmp_path: Path,
) -> None:
    """`coterie scenario sim`: the manifest's 2|2 partition holds every tx back until the heal
    (no side has 2/3+), and the report has the manifest's perturbation at its time."""
    manifest = tmp_path / "split.toml"
    manifest.write_text(
        'name = "split"\nduration_s = 20\nseed = 4\n[validators]\ncount = 4\n[load]\nrate = 50\n'
        '[[perturbation]]\nkind = "partition"\nat = 5\nuntil = 12\ngroups = [[0, 1], [2, 3]]\n'
    )
    out = tmp_path / "report"
    result = CliRunner().invoke(cli, ["scenario", "sim", str(manifest), "--out", str(out)])
    assert result.exit_code == 0, result.output
    series = json.loads((out / "series.json").read_text())
    assert series["source"] == "sim" and series["name"] == "split"
    assert {"label": "partition 0,1|2,3", "start": 5.0, "end": 12.0, "kind": "chaos"} in series[
        "perturbations"
    ]
    during = [h for h in series["blocks"] if 5.5 < h["t"] < 12.0]
    assert during == [], "no block can commit while no side holds 2/3 of the power"
    assert max(lat for _t, lat in series["latency"]) > 3.0  # the txs held back by the split
