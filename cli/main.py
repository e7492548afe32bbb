"""The `coterie` command: entry point that assembles every command group."""

from __future__ import annotations

import click

from cli.commands.bench import bench
from cli.commands.collective import collective
from cli.commands.content import content
from cli.commands.keys import keys
from cli.commands.light import light
from cli.commands.matching import matching
from cli.commands.member import member
from cli.commands.moderate import moderate
from cli.commands.node import config, init
from cli.commands.proposal import proposal
from cli.commands.query import query
from cli.commands.round import round_
from cli.commands.scenario import scenario
from cli.commands.sim import sim
from cli.commands.split import split
from cli.commands.start import start
from cli.commands.stream import stream
from cli.commands.testnet import testnet
from cli.commands.treasury import treasury
from cli.commands.tx import tx
from cli.commands.validator import validator
from cli.errors import CoterieGroup


@click.group(cls=CoterieGroup)
@click.version_option(package_name="coterie")
def cli() -> None:
    """Coterie: a ledger that no single admin controls, for collectives and niche communities."""


cli.add_command(init)
cli.add_command(config)
cli.add_command(keys)
cli.add_command(sim)
cli.add_command(scenario)
cli.add_command(start)
cli.add_command(testnet)
cli.add_command(tx)
cli.add_command(bench)
cli.add_command(query)
cli.add_command(light)
cli.add_command(proposal)
cli.add_command(split)
cli.add_command(stream)
cli.add_command(content)
cli.add_command(moderate)
cli.add_command(validator)
cli.add_command(collective)
cli.add_command(member)
cli.add_command(matching)
cli.add_command(round_, "round")
cli.add_command(treasury)


def main() -> None:
    cli()
