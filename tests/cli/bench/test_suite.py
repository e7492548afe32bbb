"""`coterie bench --suite`: every mode once, and one table whose every row carries the verify
ceiling and load average of the run it comes from (hand-made results: no nodes run here)."""

from __future__ import annotations

from typing import Any

from cli.bench.suite import Mode, modes, rows, run_suite, table


class Quiet:
    def __init__(self) -> None:
        self.phases: list[str] = []

    def phase(self, text: str) -> None:
        self.phases.append(text)

    def start(self, total: int) -> None: ...
    def advance(self, count: int) -> None: ...
    def finish(self) -> None: ...


def _load_run(ceiling: float, tps: float, accounts: int) -> dict[str, Any]:
    return {
        "tps": tps,
        "accounts": accounts,
        "latency_ms": {"p50": 700.0, "p99": 1200.0},
        "rss_mib": {"node0": 250.0},
        "verify_rate": ceiling,
        "verify_ratio": tps / ceiling,
        "load_before": 0.5,
        "load_after": 1.5,
        "restart_height": 40,
        "restart_api_s": 1.2,
        "restart_commit_s": 2.1,
        "disk": {"disk_per_tx": 280.0, "raw_per_tx": 350.0, "parts": {}},
    }


def test_the_suite_runs_every_mode_once_with_its_own_options() -> None:
    selected = modes(accounts=500, txs=300)
    ran: list[Mode] = []

    def runner(mode: Mode, _progress: Any) -> dict[str, Any]:
        ran.append(mode)
        return {}

    progress = Quiet()
    results = run_suite(selected, progress, runner)
    assert set(results) == {"small", "large", "four", "four_3000", "sync"} and ran == selected
    by_key = {m.key: m for m in selected}
    assert by_key["large"].options.accounts == 500 and by_key["small"].options.accounts == 0
    assert all(m.options.txs == 300 and m.options.senders == 300 for m in selected)
    assert by_key["large"].options.restart and by_key["large"].options.disk
    assert by_key["sync"].sync and by_key["sync"].options.rate is None
    assert [m.options.validators for m in selected[:4]] == [1, 1, 4, 4]
    assert len(progress.phases) == len(selected)


def test_every_row_names_its_runs_ceiling_load_and_command_and_the_scale_row_uses_fractions() -> (
    None
):
    results = {
        "small": _load_run(40_000.0, 10_000.0, 2_000),
        "large": _load_run(20_000.0, 4_600.0, 1_000_000),  # a busier machine: half the ceiling
        "sync": {
            "txs": 100_000,
            "heights": 12,
            "sync_tps": 12_000.0,
            "verify_rate": 30_000.0,
            "load_before": 2.0,
            "load_after": 3.0,
        },
    }
    commands = {"small": "bench small", "large": "bench large", "sync": "bench sync"}
    out = rows(results, commands)
    assert all(r["verify_ceiling"] == results[key]["verify_rate"] for key, r in _keyed(out))
    scale = next(r for r in out if r["figure"].startswith("large / small"))
    assert scale["value"] == "0.92" and scale["met"] is True  # 0.23 / 0.25 of each ceiling
    sync = next(r for r in out if r["figure"].startswith("catch-up"))
    assert sync["met"] is True and sync["load"] == "2.0 / 3.0"
    text = table(out)
    assert len(text.splitlines()) == len(out) + 2
    assert "bench sync" in text and "30,000/s" in text
    assert text.count("MISSED") == 1  # the large state's 4,600 tx/s, offered 10,000


def _keyed(out: list[dict[str, Any]]) -> list[tuple[str, dict[str, Any]]]:
    keys = {"bench small": "small", "bench large": "large", "bench sync": "sync"}
    return [(keys[r["command"]], r) for r in out]


def test_an_incomplete_run_is_marked_in_every_row_it_gives() -> None:
    run = _load_run(40_000.0, 10_000.0, 2_000) | {"complete": False}
    out = rows({"small": run}, {"small": "bench small"})
    assert out and all(r["figure"].endswith("(INCOMPLETE run)") for r in out)
