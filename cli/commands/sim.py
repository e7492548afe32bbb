"""`coterie sim`: run the deterministic consensus simulator (consensus.sim) from the shell.

Prints the seed, the options derived from it, a summary, and either "ok" or every violation,
then the exact command that replays the run. Exits with code 7 when a property was violated.
"""

from __future__ import annotations

import logging
import secrets
import time
from pathlib import Path

import click

from cli.errors import ExitCode, InvalidInputError
from consensus.sim import ALL_FAULTS, Report, Simulation, derive, parse_faults
from consensus.sim.options import BYZANTINE_FAULTS, max_faulty


def _faults(ctx: click.Context, param: click.Parameter, value: str) -> frozenset[str]:
    try:
        return parse_faults("" if value == "none" else value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from exc


@click.command()
@click.option("--validators", type=click.IntRange(1, 200), default=7, show_default=True)
@click.option(
    "--byzantine",
    type=click.IntRange(0),
    default=0,
    show_default=True,
    help="Byzantine validators (the weakest); above f the checker should find a violation.",
)
@click.option("--seed", type=click.IntRange(0), help="Seed of the run (default: a random one).")
@click.option("--heights", type=click.IntRange(1), default=50, show_default=True)
@click.option(
    "--faults",
    default="all",
    show_default=True,
    callback=_faults,
    help=f"Comma-separated faults, 'all' or 'none': {', '.join(ALL_FAULTS)}.",
)
@click.option("--wire", is_flag=True, help="Send consensus messages encoded (slower).")
@click.option(
    "--verbose",
    is_flag=True,
    help="Show the nodes' warnings (a restarted validator's guard refusing earlier steps, ...).",
)
@click.option(
    "--seeds",
    type=click.IntRange(1),
    default=1,
    show_default=True,
    help="Run this many consecutive seeds, one summary line each.",
)
@click.option(
    "--report",
    "report_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Write the scenario report (series.json, summary.md, report.html) of the run there.",
)
@click.pass_context
def sim(
    ctx: click.Context,
    *,
    validators: int,
    byzantine: int,
    seed: int | None,
    heights: int,
    faults: frozenset[str],
    wire: bool,
    verbose: bool,
    seeds: int,
    report_dir: Path | None,
) -> None:
    """Simulate VALIDATORS nodes in one process under seeded faults and check every property.

    Phase one is chaos; phase two heals an honest core holding more than 2/3 of the power and
    requires it to commit. Same seed and options, same run.
    """
    logger = logging.getLogger("consensus")
    level = logger.level
    if not verbose:  # expected in a run full of crashes; a violation is what matters here
        logger.setLevel(logging.ERROR)
    try:
        if report_dir is not None and seeds > 1:
            raise InvalidInputError("--report draws one run: use it without --seeds")
        failed = _run(
            validators, byzantine, seed, heights, faults, wire=wire, seeds=seeds, report=report_dir
        )
    finally:
        logger.setLevel(level)
    if failed:
        if seeds > 1:
            click.echo(f"{failed} of {seeds} seeds violated a property")
        ctx.exit(ExitCode.VIOLATION)


def _run(
    validators: int,
    byzantine: int,
    seed: int | None,
    heights: int,
    faults: frozenset[str],
    *,
    wire: bool,
    seeds: int,
    report: Path | None = None,
) -> int:
    """Run the seeds, print what they found; the number that violated a property."""
    if byzantine > validators:
        raise InvalidInputError("--byzantine cannot exceed --validators")
    if byzantine and not faults & set(BYZANTINE_FAULTS):
        click.echo("note: no Byzantine fault selected; the Byzantine validators stay honest")
    first = seed if seed is not None else secrets.randbelow(2**32)
    failed = 0
    for current in range(first, first + seeds):
        options = derive(
            current, validators=validators, byzantine=byzantine, heights=heights, faults=faults
        ).with_(wire=wire)
        if seeds == 1:
            click.echo(f"seed {current}")
            click.echo("options derived from the seed:")
            for line in options.describe():
                click.echo(f"  {line}")
            if byzantine > max_faulty(options.powers):
                click.echo("  note: more Byzantine power than tolerated: expect a violation")
        started = time.perf_counter()
        simulation = Simulation(options)
        result = simulation.run()
        elapsed = time.perf_counter() - started
        if seeds == 1:
            _print_full(result, elapsed)
        else:
            _print_line(result, elapsed)
            if byzantine > max_faulty(options.powers):
                click.echo("  note: more Byzantine power than tolerated: expect a violation")
        if report is not None:
            _write_report(report, simulation, result)
        failed += not result.ok
    return failed


def _write_report(folder: Path, simulation: Simulation, result: Report) -> None:
    from cli.scenario.report import write_report
    from cli.scenario.simseries import sim_series

    verdict = {
        "name": "simulator properties",
        "ok": result.ok,
        "detail": "agreement, validity, durability, evidence, liveness after the heal",
        "failures": [str(v) for v in result.violations][:10],
        "failure_count": len(result.violations),
    }
    notes = ["virtual time; the simulator has no per-node peer count (peers plot empty)"]
    write_report(folder, sim_series(simulation), [verdict], notes)
    click.echo(f"report: {folder / 'report.html'}")


def _print_full(report: Report, elapsed: float) -> None:
    click.echo("summary:")
    for line in report.lines():
        click.echo(f"  {line}")
    click.echo(f"  wall time  {elapsed:.1f} s")
    if report.ok:
        click.echo("result: ok, no property violated")
    else:
        click.echo("result: VIOLATION")
        for violation in report.violations:
            click.echo(f"  {violation}")
    click.echo(f"replay: {report.replay_command()}")


def _print_line(report: Report, elapsed: float) -> None:
    rounds = report.rounds or (0,)
    status = "ok" if report.ok else f"VIOLATION {report.violations[0]}"
    click.echo(
        f"seed {report.options.seed}: {report.height} heights, "
        f"max round {max(rounds)}, {report.messages} messages, {elapsed:.1f} s: {status}"
    )
    if not report.ok:
        click.echo(f"  replay: {report.replay_command()}")
