"""The `coterie` command: entry point that assembles every command group."""

from __future__ import annotations

import click


@click.group()
@click.version_option(package_name="coterie")
def cli() -> None:
    """Coterie: a ledger that no single admin controls, for collectives and niche communities."""


def main() -> None:
    cli()
