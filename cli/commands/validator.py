"""`coterie validator propose`: validator-set changes are proposals of the chain's governing
body (by default the built-in validators body, whose members are the validators)."""

from __future__ import annotations

import click

from cli.commands.proposal_more import validator as propose
from cli.errors import CoterieGroup


@click.group(cls=CoterieGroup)
def validator() -> None:
    """The validator set, changed by the governing body's vote."""


validator.add_command(propose, "propose")
