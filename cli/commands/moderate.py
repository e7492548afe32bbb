"""`coterie moderate ...`: a moderator acts at once (`act`), and the collective can appeal by
objecting; members can also decide by proposal (`propose`, the same as `proposal submit
moderate`)."""

from __future__ import annotations

from typing import Any

import click

from cli.commands.govflow import builder_for, finish
from cli.commands.govparse import COLLECTIVE_ID
from cli.commands.proposal_more import check_decision, decision_options
from cli.commands.proposal_more import moderate as propose
from cli.errors import CoterieGroup
from cli.txflow import tx_options
from ledger.moderation.act import ModerationAct


@click.group(cls=CoterieGroup)
def moderate() -> None:
    """Moderation of content anchored in a collective."""


@moderate.command("act")
@decision_options
@click.option("--collective", type=COLLECTIVE_ID, required=True, metavar="ID")
@tx_options
def act(
    *,
    content_hash: bytes,
    decision: str,
    label: str,
    reason_uri: str,
    collective: bytes,
    **common: Any,
) -> None:
    """Decide now, as a holder of the moderator role: hide, label, restore or remove. This
    opens an appeal: if enough members object before it closes, the decision is reversed."""
    choice = check_decision(decision, label, reason_uri)
    builder = builder_for(common)
    finish(builder, ModerationAct(collective, content_hash, choice, label, reason_uri))


moderate.add_command(propose, "propose")
