"""The report folder of a run: `series.json`, `summary.md` and a self-contained `report.html`.

The HTML page holds its plots as inline SVG and its style inline: no script, no font, no request
leaves the page, so it opens offline and can be mailed or archived as one file.
"""

from __future__ import annotations

import html
import json
from pathlib import Path
from typing import Any

from cli.scenario.series import FORMAT, summary_figures


def write_report(
    out: Path, series: dict[str, Any], verdicts: list[dict[str, Any]], notes: list[str]
) -> dict[str, Any]:
    """Write the three files into `out` (created); answers the summary figures."""
    from cli.scenario.plots import PLOTS  # matplotlib loads only when a report is drawn

    out.mkdir(parents=True, exist_ok=True)
    figures = summary_figures(series)
    document = {**series, "format": FORMAT, "figures": figures, "oracles": verdicts, "notes": notes}
    (out / "series.json").write_text(json.dumps(document, indent=1) + "\n")
    (out / "summary.md").write_text(markdown(series, figures, verdicts, notes))
    svgs = [(name, draw(series)) for name, draw in PLOTS]
    (out / "report.html").write_text(page(series, figures, verdicts, notes, svgs))
    return figures


def markdown(
    series: dict[str, Any],
    figures: dict[str, Any],
    verdicts: list[dict[str, Any]],
    notes: list[str],
) -> str:
    lines = [
        f"# Scenario {series['name']} ({series['source']})",
        "",
        f"Seed {series['seed']}, {series['duration_s']:g} s of load.",
        "",
        "| figure | value |",
        "| --- | --- |",
        *(f"| {k} | {v} |" for k, v in figures.items()),
        "",
        "## Oracles",
        "",
        *(
            f"- {'ok' if v['ok'] else 'FAILED'}: {v['name']} ({v['detail']})"
            + "".join(f"\n  - {f}" for f in v["failures"])
            for v in verdicts
        ),
        "",
        "## Perturbations",
        "",
        *(f"- {p['start']:g} s to {_end(p)}: {p['label']}" for p in series["perturbations"]),
    ]
    if notes:
        lines += ["", "## Notes", "", *(f"- {n}" for n in notes)]
    return "\n".join(lines) + "\n"


def _end(p: dict[str, Any]) -> str:
    return "the end" if p["end"] is None else f"{p['end']:g} s"


STYLE = """
body { font-family: sans-serif; max-width: 60rem; margin: 1rem auto; color: #222; }
table { border-collapse: collapse; } td, th { border: 1px solid #ccc; padding: 2px 8px; }
.ok { color: #1b7a3a; } .failed { color: #b00020; font-weight: bold; }
figure { margin: 1rem 0; } svg { max-width: 100%; height: auto; }
"""


def page(
    series: dict[str, Any],
    figures: dict[str, Any],
    verdicts: list[dict[str, Any]],
    notes: list[str],
    svgs: list[tuple[str, str]],
) -> str:
    e = html.escape
    rows = "".join(f"<tr><td>{e(k)}</td><td>{e(str(v))}</td></tr>" for k, v in figures.items())
    oracle_items = "".join(
        f"<li class='{'ok' if v['ok'] else 'failed'}'>{'ok' if v['ok'] else 'FAILED'}: "
        f"{e(v['name'])} ({e(v['detail'])})"
        + "".join(f"<br>{e(f)}" for f in v["failures"])
        + "</li>"
        for v in verdicts
    )
    note_items = "".join(f"<li>{e(n)}</li>" for n in notes)
    plots = "".join(f"<figure class='plot' id='plot-{name}'>{svg}</figure>" for name, svg in svgs)
    return (
        "<!doctype html><html><head><meta charset='utf-8'>"
        f"<title>Scenario {e(series['name'])}</title><style>{STYLE}</style></head><body>"
        f"<h1>Scenario {e(series['name'])} <small>({e(series['source'])})</small></h1>"
        f"<p>Seed {series['seed']}, {series['duration_s']:g} s. Shaded: perturbations.</p>"
        f"<table>{rows}</table><h2>Oracles</h2><ul id='oracles'>{oracle_items}</ul>"
        + (f"<h2>Notes</h2><ul>{note_items}</ul>" if notes else "")
        + f"<h2>Plots</h2>{plots}</body></html>\n"
    )
