"""`coterie scenario run FILE.toml`: a real testnet through load and faults, checked and drawn.

Prints each step and perturbation as it happens, then every oracle's verdict, and writes the
report folder (`--out`, default `scenario-<name>-<seed>`). Exits 7 when an oracle failed, 3 when
the manifest is wrong, 1 when the testnet could not be run.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from cli.errors import CliError, ExitCode, InvalidInputError
from cli.scenario.manifest import Manifest, ManifestError, load_manifest

F = TypeVar("F", bound=Callable[..., Any])


class OracleFailedError(CliError):
    exit_code = ExitCode.VIOLATION


class InterruptedRunError(CliError):
    """Ctrl-C: the shell's convention, 128 + SIGINT."""

    exit_code = 130


def _manifest(path: Path, seed: int | None) -> Manifest:
    """The manifest at `path` (a wrong one is bad input, exit 3), with `--seed` if given."""
    try:
        m = load_manifest(path)
    except ManifestError as exc:
        raise InvalidInputError(f"{path}: {exc}") from None
    return m if seed is None else dataclasses.replace(m, seed=seed)


def _manifest_options(suffix: str) -> Callable[[F], F]:
    """MANIFEST, --out (default scenario-<name>-<seed> + `suffix`) and --seed."""

    def wrap(command: F) -> F:
        command = click.option(
            "--seed", type=click.IntRange(0), help="Override the manifest's seed."
        )(command)
        command = click.option(
            "--out",
            type=click.Path(file_okay=False, path_type=Path),
            help=f"Report folder (default: scenario-<name>-<seed>{suffix} here).",
        )(command)
        return click.argument(
            "manifest", type=click.Path(exists=True, dir_okay=False, path_type=Path)
        )(command)

    return wrap


@click.group()
def scenario() -> None:
    """Researchers' scenarios: a local testnet through load and faults (docs/scenarios.md)."""


@scenario.command("run")
@_manifest_options("")
@click.option(
    "--network",
    type=click.Choice(["loopback", "netns", "auto"]),
    default="loopback",
    show_default=True,
    help="Nodes on 127.0.0.1, or each in its own network namespace (root; tc netem where the "
    "kernel has it, else the link proxies); auto picks the best this machine allows.",
)
def run_command(manifest: Path, out: Path | None, seed: int | None, network: str) -> None:
    """Run MANIFEST, check the oracles, write the report."""
    from cli.scenario.collect import run_series
    from cli.scenario.report import write_report
    from cli.scenario.run import run_scenario
    from cli.scenario.state import ScenarioError

    m = _manifest(manifest, seed)
    folder = out or Path(f"scenario-{m.name}-{m.seed}")
    try:
        result = run_scenario(m, click.echo, network)
    except ScenarioError as exc:
        raise CliError(str(exc)) from None
    except KeyboardInterrupt:
        raise InterruptedRunError("interrupted: every node and link was stopped") from None
    verdicts = [v.to_json() for v in result.verdicts]
    notes = [f"network: {result.network}", *result.skipped, *result.notes]
    figures = write_report(folder, run_series(result), verdicts, notes)
    click.echo(
        f"committed {figures['committed_txs']:,} txs ({figures['committed_tps']} tx/s), "
        f"latency p50 {figures['latency_p50_s']} s p99 {figures['latency_p99_s']} s, "
        f"block time p50 {figures['block_time_p50_s']} s p99 {figures['block_time_p99_s']} s, "
        f"{figures['late_heights']} late heights"
    )
    for v in result.verdicts:
        click.echo(f"{'ok' if v.ok else 'FAILED'}: {v.name} ({v.detail})")
        for failure in v.failures[:10]:
            click.echo(f"  {failure}")
    click.echo(f"report: {folder / 'report.html'}")
    failed = [v.name for v in result.verdicts if not v.ok]
    if failed:
        raise OracleFailedError(f"oracle(s) failed: {', '.join(failed)}")


@scenario.command("sim")
@_manifest_options("-sim")
def sim_command(manifest: Path, out: Path | None, seed: int | None) -> None:
    """Run MANIFEST's testnet and timeline in the deterministic simulator; same report."""
    import logging

    from cli.scenario.report import write_report
    from cli.scenario.simmanifest import simulation
    from cli.scenario.simseries import sim_series

    m = _manifest(manifest, seed)
    folder = out or Path(f"scenario-{m.name}-{m.seed}-sim")
    logger = logging.getLogger("consensus")
    level = logger.level
    logger.setLevel(logging.ERROR)  # crashes and restarts are the point here
    try:
        sim = simulation(m)
        result = sim.run()
    finally:
        logger.setLevel(level)
    verdict = {
        "name": "simulator properties",
        "ok": result.ok,
        "detail": "agreement, validity, durability, evidence, liveness after the heal",
        "failures": [str(v) for v in result.violations][:10],
        "failure_count": len(result.violations),
    }
    notes = [
        "virtual time; the simulator has no per-node peer count (peers plot empty)",
        "pause is simulated as a crash and a restart; the load is the simulator's own",
    ]
    figures = write_report(folder, sim_series(sim, m.name), [verdict], notes)
    click.echo(
        f"simulated {m.name}: {result.height} heights in {result.virtual_ms / 1000:.1f} virtual s, "
        f"latency p50 {figures['latency_p50_s']} s p99 {figures['latency_p99_s']} s, "
        f"{figures['late_heights']} late heights"
    )
    click.echo(f"{'ok' if result.ok else 'FAILED'}: simulator properties")
    for violation in result.violations[:10]:
        click.echo(f"  {violation}")
    click.echo(f"report: {folder / 'report.html'}")
    if not result.ok:
        raise OracleFailedError("the simulator found a violated property")
