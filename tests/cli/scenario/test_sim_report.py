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
