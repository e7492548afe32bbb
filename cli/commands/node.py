"""`coterie init` and `coterie config show`: create a node home and print its effective config."""

from __future__ import annotations

import getpass
import shutil
import socket
import sys
from dataclasses import fields, replace
from pathlib import Path

import click

from cli.errors import CoterieGroup
from cli.options import HOME_ENV, emit, output_option, warn
from node.config import MAX_MONIKER_LEN, ConsensusOverrides, NodeConfig, check_moniker
from node.config_render import config_to_json, render_config
from node.home import InitReport, NodeHome, init_home
from node.systemd import UNIT_NAME, render_unit

DEFAULT_HOME = "~/.coterie"


def _default_moniker() -> str:
    name = socket.gethostname().strip()
    return name if 0 < len(name) <= MAX_MONIKER_LEN and name.isprintable() else "node"


@click.command(name="init")
@click.option(
    "--home",
    type=click.Path(file_okay=False, path_type=Path),
    envvar=HOME_ENV,
    default=DEFAULT_HOME,
    show_default=True,
    help=f"Node home to create (config/, data/). Env: {HOME_ENV}.",
)
@click.option("--chain-id", help="Chain id of the dev genesis, or the one --genesis must have.")
@click.option(
    "--validator/--no-validator",
    default=True,
    show_default=True,
    help="Create a validator key and its sign state.",
)
@click.option("--moniker", help="This node's name in logs and status (default: host name).")
@click.option(
    "--genesis",
    "genesis_file",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help="Join the chain of this genesis.json (default: a new single-validator dev chain).",
)
@click.option("--force", is_flag=True, help="Rewrite config.toml and genesis.json; keys are kept.")
@output_option
def init(
    *,
    home: Path,
    chain_id: str | None,
    validator: bool,
    moniker: str | None,
    genesis_file: Path | None,
    force: bool,
    output: str,
) -> None:
    """Create a node home: config.toml, genesis.json, node key and, for validators, the
    validator key and its sign state."""
    config = NodeConfig(moniker=check_moniker(moniker or _default_moniker()))
    report = init_home(
        home.expanduser(),
        validator=validator,
        chain_id=chain_id,
        genesis_source=genesis_file,
        config=config,
        force=force,
    )
    report = _write_unit(report, config.moniker)
    for message in report.warnings:
        warn(f"warning: {message}")
    emit(output, _report_json(report), _report_text(report))


def _write_unit(report: InitReport, moniker: str) -> InitReport:
    """config/coterie.service: the systemd unit for this home (node/systemd.py says why)."""
    found = shutil.which("coterie")
    executable = found if found is not None else str(Path(sys.executable).parent / "coterie")
    root = report.home.root.resolve()
    path = report.home.config_dir / UNIT_NAME
    path.write_text(render_unit(root, executable, getpass.getuser(), moniker))
    path.chmod(0o644)
    return replace(report, written=(*report.written, path))


def _report_json(report: InitReport) -> dict[str, object]:
    genesis = report.genesis
    hrp = genesis.params.address_prefix
    return {
        "home": str(report.home.root),
        "chain_id": genesis.chain_id,
        "genesis_hash": genesis.hash().hex(),
        "node_key": report.node_key.hex(),
        "validator_key": report.validator_key.hex() if report.validator_key else None,
        "in_validator_set": report.in_validator_set,
        "dev_accounts": [
            {"address": k.address.to_text(hrp), "seed": k.seed().hex()} for k in report.dev_accounts
        ],
        "written": [str(p) for p in report.written],
        "kept": [str(p) for p in report.kept],
        "warnings": list(report.warnings),
    }


def _report_text(report: InitReport) -> str:
    genesis = report.genesis
    hrp = genesis.params.address_prefix
    lines = [
        f"initialized node home {report.home.root}",
        f"chain id       {genesis.chain_id}",
        f"genesis hash   {genesis.hash().hex()}",
        f"node key       {report.node_key.hex()}",
    ]
    if report.validator_key is not None:
        member = "in the genesis validator set" if report.in_validator_set else "NOT in the set"
        lines.append(f"validator key  {report.validator_key.hex()} ({member})")
        if not report.in_validator_set:
            lines.append(
                "to join, the governing body votes: coterie validator propose --add "
                f"{report.validator_key.hex()}=POWER --node-key {report.node_key.hex()}"
            )
    lines += [f"wrote          {path}" for path in report.written]
    lines += [f"kept           {path}" for path in report.kept]
    if report.dev_accounts:
        lines.append("dev accounts (well-known keys: for dev and test chains only)")
        for key in report.dev_accounts:
            lines.append(f"  {key.address.to_text(hrp)}  seed {key.seed().hex()}")
    return "\n".join(lines)


@click.group(cls=CoterieGroup)
def config() -> None:
    """Inspect a node's configuration."""


@config.command(name="show")
@click.option(
    "--home",
    type=click.Path(file_okay=False, path_type=Path),
    envvar=HOME_ENV,
    default=DEFAULT_HOME,
    show_default=True,
    help=f"Node home. Env: {HOME_ENV}.",
)
@output_option
def show(home: Path, output: str) -> None:
    """Print the effective config: config.toml with every default filled in; timeouts that
    config.toml does not override show the genesis value as a comment."""
    node_home = NodeHome(home.expanduser())
    loaded: NodeConfig = node_home.load_config()
    genesis_consensus = None
    if node_home.genesis_file.exists():
        genesis_consensus = node_home.load_genesis().params.consensus
    if output == "json":
        data = config_to_json(loaded)
        if genesis_consensus is not None:
            effective = loaded.consensus.apply(genesis_consensus)
            data["consensus_in_effect"] = {
                f.name: getattr(effective, f.name) for f in fields(ConsensusOverrides)
            }
        emit(output, data, "")
        return
    click.echo(render_config(loaded, genesis_consensus), nl=False)
