"""`coterie bench`: committed tx/s and submit-to-commit latency of a temporary local testnet.

The harness is in cli/bench (one job per module). Progress and phases go to stderr, so
`--output json` leaves stdout to the result alone. Targets (issue 6) are printed next to the
figures; missing one is not an error (the machine may be shared), an incomplete run is.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from cli.bench.report import TARGETS, table
from cli.bench.run import BenchOptions, run_bench
from cli.bench.suite import HISTORY_HEIGHTS, LARGE_STATE, modes, run_mode, run_suite
from cli.bench.suite_rows import rows
from cli.bench.suite_rows import table as table_of_suite
from cli.bench.sync import run_sync_bench, sync_table
from cli.errors import CliError
from cli.options import emit, output_option
from node.testnet import MAX_VALIDATORS

DEFAULT_TXS = 30_000
SYNC_TXS = 100_000


class BarProgress:
    """Phases as lines and the commit count as a click progress bar, all on stderr."""

    def __init__(self) -> None:
        self._bar: Any = None

    def phase(self, text: str) -> None:
        click.echo(text + " ...", err=True)

    def start(self, total: int) -> None:
        self._bar = click.progressbar(
            length=total, label="committed", file=sys.stderr, show_pos=True, show_eta=False
        )
        self._bar.__enter__()

    def advance(self, count: int) -> None:
        if self._bar is not None:
            self._bar.update(count)

    def finish(self) -> None:
        if self._bar is not None:
            self._bar.__exit__(None, None, None)
            self._bar = None


@click.command()
@click.option(
    "--validators",
    type=click.IntRange(1, MAX_VALIDATORS),
    default=1,
    show_default=True,
    help="Validators of the temporary testnet, each its own process on 127.0.0.1.",
)
@click.option(
    "--txs",
    type=click.IntRange(1, 1_000_000),
    help="Transfers of the load. Default: 100,000 with --sync, else 30,000.",
)
@click.option(
    "--senders",
    type=click.IntRange(1, 100_000),
    default=2_000,
    show_default=True,
    help="Funded sender accounts; txs are spread over them in nonce order.",
)
@click.option(
    "--accounts",
    type=click.IntRange(0, 10_000_000),
    default=0,
    show_default=True,
    help="Funded accounts of a prefilled state written before the nodes start (the senders "
    "among them); transfers go to random ones. 0: the senders only. Also with --sync.",
)
@click.option(
    "--batch",
    type=click.IntRange(1, 10_000),
    default=500,
    show_default=True,
    help="Txs per POST /v1/txs (msgpack).",
)
@click.option(
    "--rate",
    type=click.FloatRange(0, min_open=False),
    help="Offered load in tx/s, open loop; 0: as fast as the nodes admit. "
    "Default: the target of the mode (10,000 for 1 validator, 2,500 for 4), else 0.",
)
@click.option(
    "--sync",
    "mode_sync",
    is_flag=True,
    help="Catch-up instead: one validator commits the load (as fast as admitted unless "
    "--rate), then a follower starts and block-syncs; its catch-up tx/s.",
)
@click.option(
    "--suite",
    is_flag=True,
    help="Every mode in turn and one table (docs/performance.md): 1 validator on a small and "
    "a large state with history, restart and disk; 4 validators at 2,500 and 3,000 tx/s; "
    "catch-up; the state root; 1 and 4 validators saturated, 4 without the pacing rule; 4 at "
    "20 tx/s. --accounts sets the large state (default 1,000,000), --heights its history "
    "(default 100,000), --txs every load.",
)
@click.option(
    "--disk",
    is_flag=True,
    help="Measure the first validator's database before and after the load (compacted): "
    "bytes per committed tx by part.",
)
@click.option(
    "--restart",
    is_flag=True,
    help="After the load, stop the first validator and time its restart: until its API "
    "answers and until it commits again.",
)
@click.option(
    "--pacing/--no-pacing",
    default=True,
    show_default=True,
    help="The start-at-once rule (docs/node.md, 'Pacing'): with --no-pacing every height "
    "waits out the block interval, to measure what the rule costs.",
)
@click.option(
    "--heights",
    type=click.IntRange(0, 10_000_000),
    default=0,
    show_default=True,
    help="Empty heights committed (signed by the testnet's validators) into every database "
    "before the nodes start, on top of --accounts: e.g. a restart at 100,000 heights.",
)
@click.option(
    "--profile",
    type=click.Path(file_okay=False, path_type=Path),
    hidden=True,
    help="Run each node under cProfile; NODE.prof files go to this folder.",
)
@output_option
def bench(
    *,
    validators: int,
    txs: int | None,
    senders: int,
    accounts: int,
    batch: int,
    rate: float | None,
    mode_sync: bool,
    suite: bool,
    disk: bool,
    restart: bool,
    heights: int,
    pacing: bool,
    profile: Path | None,
    output: str,
) -> None:
    """Benchmark a temporary local testnet: pre-signed transfers in batches over the REST API;
    committed tx/s, p50/p99 submit-to-commit latency, peak RSS per node and the Ed25519 verify
    ceiling of this machine, measured in the same run."""
    if suite:
        selected = modes(accounts or LARGE_STATE, txs, heights or HISTORY_HEIGHTS)
        results = run_suite(selected, BarProgress(), run_mode)
        suite_rows = rows(results, {m.key: m.command for m in selected})
        emit(output, {"runs": results, "rows": suite_rows}, table_of_suite(suite_rows))
        incomplete = [key for key, run in results.items() if not run.get("complete", True)]
        if incomplete:
            raise CliError(f"incomplete runs (not every tx committed): {', '.join(incomplete)}")
        return
    if txs is None:
        txs = SYNC_TXS if mode_sync else DEFAULT_TXS
    if rate is None:
        rate = 0.0 if mode_sync else TARGETS.get(validators, {}).get("tps", 0.0)
    options = BenchOptions(
        validators=validators,
        txs=txs,
        senders=min(senders, txs),
        accounts=accounts,
        restart=restart,
        heights=heights,
        start_at_once=pacing,
        disk=disk,
        batch=batch,
        rate=rate or None,
        profile_dir=profile,
    )
    if mode_sync:
        result = run_sync_bench(options, BarProgress())
        emit(output, result, sync_table(result))
        return
    result = run_bench(options, BarProgress())
    emit(output, result, table(result))
    if not result["complete"]:
        raise CliError(f"only {result['committed']} of {result['accepted']} txs were committed")
