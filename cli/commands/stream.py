"""`coterie stream ...`: claim what a stream has vested; streams are created and cancelled by a
collective's proposals (`stream create` and `stream cancel` are those proposals)."""

from __future__ import annotations

from typing import Any

import click

from cli.commands.govflow import builder_for, finish
from cli.commands.proposal_more import stream_cancel, stream_create
from cli.errors import CoterieGroup
from cli.txflow import AMOUNT, tx_options
from ledger.treasury.stream_claim import StreamClaim


@click.group(cls=CoterieGroup)
def stream() -> None:
    """Payment streams from a treasury, vesting over time."""


@stream.command("claim")
@click.argument("stream_id", metavar="STREAM_ID", type=AMOUNT)
@tx_options
def claim(*, stream_id: int, **common: Any) -> None:
    """Take what STREAM_ID has vested and you have not claimed yet (its recipient only)."""
    finish(builder_for(common), StreamClaim(stream_id))


stream.add_command(stream_create, "create")
stream.add_command(stream_cancel, "cancel")
