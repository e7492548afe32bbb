"""A short real run's report, made by the command itself: three files, and a page that draws
every plot offline in headless Chromium."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.cli.scenario.running import scenario_run

PLOTS = ("throughput", "latency", "distribution", "blocks", "peers")
MANIFEST = """
name = "report-check"
duration_s = 8
drain_s = 8
[validators]
count = 3
[load]
rate = 60
[[perturbation]]
kind = "pause"
at = 3
until = 5
nodes = [2]
"""


@pytest.mark.slow
@pytest.mark.xdist_group("scenario")
def test_report_page_draws_every_plot_with_the_pause_shaded(
    tmp_path: Path, chromium_page: Any
) -> None:
    done, out = scenario_run(MANIFEST, tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "ok: agreement" in done.stdout
    assert {p.name for p in out.iterdir()} == {"series.json", "summary.md", "report.html"}
    series = json.loads((out / "series.json").read_text())
    assert series["perturbations"][0]["label"] == "pause node2"
    assert sum(n for _s, n in series["tps"]) == len(series["latency"]) > 0
    assert all(v["ok"] for v in series["oracles"])
    assert "ok: agreement" in (out / "summary.md").read_text()

    page = chromium_page
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto((out / "report.html").as_uri())
    assert requests == [(out / "report.html").as_uri()]  # nothing fetched from anywhere
    for name in PLOTS:
        figure = page.locator(f"#plot-{name} svg")
        assert figure.count() == 1, name
        box = figure.bounding_box()
        assert box is not None and box["width"] > 300 and box["height"] > 100, name
        drawn = page.locator(f"#plot-{name} [id^='series-'] path")
        assert drawn.count() > 0, f"{name}: no series drawn"
        boxes = [drawn.nth(k).bounding_box() for k in range(min(drawn.count(), 5))]
        assert any(b is not None and (b["width"] > 1 or b["height"] > 1) for b in boxes), name
        if name != "distribution":  # a histogram has no time axis: its colours split instead
            assert page.locator(f"#plot-{name} [id^='shade-']").count() == 1, name
