"""`coterie bench --suite` (what `make bench` runs): every mode of issue 17, one after the other,
and ONE table of their figures (cli/bench/suite_rows.py), each with the verify ceiling and the
load average of its own run.

The machine is shared: a figure alone says little, so every row carries the Ed25519 verify rate
measured at the start of the run that produced it and the load average (1 min) before and after
that run. A target missed is shown, not an error; an incomplete run is marked in its rows
and makes the command fail after the table.

The runs: one validator on a small state and on a large one (1M accounts and a written history
of 100,000 heights, so its restart is the restart of goal 6), each with restart and disk; four
validators offered 2,500 and 3,000 tx/s; catch-up; the state root at 1M keys
(benchmarks/state_bench.py); one and four validators saturated; four saturated again with the
start-at-once pacing rule off (what the rule costs); four at 20 tx/s, one tx per request (how
quickly a tx is confirmed at low load).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from cli.bench.run import BenchOptions, Progress, run_bench
from cli.bench.state_root import run_state_bench
from cli.bench.sync import run_sync_bench

LARGE_STATE = 1_000_000
HISTORY_HEIGHTS = 100_000
STATE_CHANGES = 10_000
SATURATED_ONE_TXS = 60_000
SATURATED_FOUR_TXS = 30_000  # 60,000 overflow the pools of 50,000 (each node holds every tx)
LOW_RATE = 20.0
LOW_RATE_TXS = 300

Kind = Literal["load", "sync", "state"]


@dataclass(frozen=True, slots=True)
class Mode:
    key: str
    command: str
    options: BenchOptions
    kind: Kind = "load"


def modes(
    accounts: int = LARGE_STATE, txs: int | None = None, heights: int = HISTORY_HEIGHTS
) -> list[Mode]:
    """The suite's runs; `txs` overrides every load's size (e.g. a quick check), `accounts` the
    large state and the state root's tree, `heights` the large state's history."""

    def opts(**kw: Any) -> BenchOptions:
        if txs is not None:
            kw["txs"] = txs
        options = BenchOptions(**kw)
        return dataclasses.replace(options, senders=min(options.senders, options.txs))

    def load(command: str, size: int | None = None) -> str:
        """The command of a load mode, with the size it runs (`txs` overrides `size`)."""
        size = txs if txs is not None else size
        return command if size is None else f"{command} --txs {size}"

    one = {"validators": 1, "rate": 10_000.0, "restart": True, "disk": True}
    changes = min(STATE_CHANGES, max(1, accounts // 100))
    saturated_four = {"validators": 4, "txs": SATURATED_FOUR_TXS}
    return [
        Mode("small", load("coterie bench --validators 1 --restart --disk"), opts(**one)),
        Mode(
            "large",
            load(
                f"coterie bench --validators 1 --accounts {accounts} --heights {heights} "
                "--restart --disk"
            ),
            opts(**one, accounts=accounts, heights=heights),
        ),
        Mode("four", load("coterie bench --validators 4"), opts(validators=4, rate=2_500.0)),
        Mode(
            "four_3000",
            load("coterie bench --validators 4 --rate 3000"),
            opts(validators=4, rate=3_000.0),
        ),
        Mode(
            "sync",
            load("coterie bench --sync"),
            dataclasses.replace(opts(txs=100_000), rate=None),
            kind="sync",
        ),
        Mode(
            "state_root",
            f"python benchmarks/state_bench.py --keys {accounts} --changes {changes} --reps 3",
            BenchOptions(accounts=accounts, txs=changes),
            kind="state",
        ),
        Mode(
            "one_saturated",
            load("coterie bench --validators 1 --rate 0", SATURATED_ONE_TXS),
            opts(validators=1, txs=SATURATED_ONE_TXS),
        ),
        Mode(
            "four_saturated",
            load("coterie bench --validators 4 --rate 0", SATURATED_FOUR_TXS),
            opts(**saturated_four),
        ),
        Mode(
            "four_saturated_no_pacing",
            load("coterie bench --validators 4 --rate 0 --no-pacing", SATURATED_FOUR_TXS),
            opts(**saturated_four, start_at_once=False),
        ),
        Mode(
            "four_low_rate",
            load(f"coterie bench --validators 4 --rate {LOW_RATE:.0f} --batch 1", LOW_RATE_TXS),
            opts(validators=4, txs=LOW_RATE_TXS, rate=LOW_RATE, batch=1),
        ),
    ]


def run_suite(
    selected: list[Mode], progress: Progress, runner: Callable[[Mode, Progress], dict[str, Any]]
) -> dict[str, dict[str, Any]]:
    results: dict[str, dict[str, Any]] = {}
    for mode in selected:
        progress.phase(f"== {mode.command}")
        results[mode.key] = runner(mode, progress)
    return results


def run_mode(mode: Mode, progress: Progress) -> dict[str, Any]:
    if mode.kind == "sync":
        return run_sync_bench(mode.options, progress)
    if mode.kind == "state":
        progress.phase("building the tree and timing its blocks (benchmarks/state_bench.py)")
        return run_state_bench(mode.options.accounts, mode.options.txs)
    return run_bench(mode.options, progress)
