"""A short real run's report: three files, and a page that draws every plot offline."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from cli.scenario.manifest import parse_manifest
from cli.scenario.report import write_report
from cli.scenario.run import run_scenario, run_series

PLOTS = ("throughput", "latency", "distribution", "blocks", "peers")


@pytest.mark.slow
@pytest.mark.xdist_group("scenario")
def test_report_page_draws_every_plot_with_the_pause_shaded(
    tmp_path: Path, chromium_page: Any
) -> None:
    manifest = parse_manifest(
        {
            "name": "report-check",
            "duration_s": 8,
            "drain_s": 8,
            "validators": {"count": 3},
            "load": {"rate": 60},
            "perturbation": [{"kind": "pause", "at": 3, "until": 5, "nodes": [2]}],
        }
    )
    run = run_scenario(manifest, lambda _t: None)
    verdicts = [v.to_json() for v in run.verdicts]
    assert all(v["ok"] for v in verdicts), verdicts
    write_report(tmp_path, run_series(run), verdicts, run.skipped)
    assert {p.name for p in tmp_path.iterdir()} == {"series.json", "summary.md", "report.html"}
    series = json.loads((tmp_path / "series.json").read_text())
    assert series["perturbations"][0]["label"] == "pause node2"
    assert sum(n for _s, n in series["tps"]) == len(run.samples.committed) > 0
    assert "ok: agreement" in (tmp_path / "summary.md").read_text()

    page = chromium_page
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto((tmp_path / "report.html").as_uri())
    assert requests == [(tmp_path / "report.html").as_uri()]  # nothing fetched from anywhere
    for name in PLOTS:
        figure = page.locator(f"#plot-{name} svg")
        assert figure.count() == 1, name
        box = figure.bounding_box()
        assert box is not None and box["width"] > 300 and box["height"] > 100, name
        drawn = page.locator(f"#plot-{name} [id^='series-'] path")
        assert drawn.count() > 0, f"{name}: no series drawn"
        widths = [drawn.nth(k).bounding_box() for k in range(min(drawn.count(), 5))]
        assert any(b is not None and (b["width"] > 1 or b["height"] > 1) for b in widths), name
        if name != "distribution":  # a histogram has no time axis: its colours split instead
            assert page.locator(f"#plot-{name} [id^='shade-']").count() == 1, name
