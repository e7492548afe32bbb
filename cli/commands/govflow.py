"""What the proposal, split, stream, content, moderation and validator commands share on top of
`cli.txflow`: reading the node for defaults (current params, a split's version), notes for a
person beside the generic summary, and submitting a proposal from a list of actions."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar
from urllib.parse import quote

import click

import ledger.state.registry  # noqa: F401  (registers every payload and action kind)
from cli.commands.govparse import COLLECTIVE_ID, checked
from cli.errors import InvalidInputError
from cli.nodeclient import NodeApiError
from cli.options import warn
from cli.txflow import TxBuilder
from ledger.governance.actions import Action, kind_of
from ledger.governance.kinds import VotingMethod
from ledger.governance.proposal import MAX_CHOICE_LEN, MAX_CHOICES, MAX_METADATA_LEN
from ledger.governance.proposal_txs import ProposalSubmit
from ledger.tx import Payload

F = TypeVar("F", bound=Callable[..., Any])


def builder_for(common: dict[str, Any]) -> TxBuilder:
    return TxBuilder.from_options(**common)


def node_get(builder: TxBuilder, path: str) -> Any | None:
    """GET `path` from the node the tx goes to; None with --generate-only (no node)."""
    if builder.send is None:
        return None
    return builder.send.client.get(path)


def node_record(builder: TxBuilder, path: str, what: str) -> Any | None:
    """Like `node_get`, but a 404 is a clear input error naming `what`."""
    try:
        return node_get(builder, path)
    except NodeApiError as exc:
        if exc.status == 404:
            raise InvalidInputError(f"the node knows no {what}") from None
        raise


def collective_path(cid: bytes) -> str:
    return "/v1/collectives/" + quote(cid.hex())


def notes(lines: Sequence[str]) -> None:
    """Human notes (percentages, dates, derived ids) on stderr, before the generic summary."""
    for line in lines:
        warn(line)


def finish(builder: TxBuilder, payload: Payload, lines: Sequence[str] = ()) -> None:
    notes(lines)
    builder.finish(payload)


def proposal_options(f: F) -> F:
    """--collective, --title and --expedited: what every proposal shares besides its actions."""
    f = click.option(
        "--expedited",
        is_flag=True,
        help="Ask for the policy's shorter voting period (higher bar, larger deposit).",
    )(f)
    f = click.option(
        "--title",
        "metadata",
        default="",
        metavar="TEXT",
        help=f"What the proposal is about, shown to voters (up to {MAX_METADATA_LEN} bytes).",
    )(f)
    return click.option(
        "--collective",
        type=COLLECTIVE_ID,
        required=True,
        metavar="ID",
        help="The collective that decides (40 hex digits).",
    )(f)


def submit_proposal(
    builder: TxBuilder,
    *,
    collective: bytes,
    actions: Sequence[Action],
    metadata: str,
    expedited: bool,
    method: VotingMethod = VotingMethod.BINARY,
    choices: tuple[str, ...] = (),
    lines: Sequence[str] = (),
) -> None:
    """Run the chain's stateless checks on the actions, then summarise, sign and send."""
    if len(metadata.encode()) > MAX_METADATA_LEN:
        raise click.BadParameter(f"at most {MAX_METADATA_LEN} bytes", param_hint="--title")
    if method is not VotingMethod.BINARY and not 2 <= len(choices) <= MAX_CHOICES:
        raise click.BadParameter(f"a poll has 2 to {MAX_CHOICES} choices", param_hint="--choice")
    if any(len(c.encode()) > MAX_CHOICE_LEN for c in choices):
        raise click.BadParameter(f"up to {MAX_CHOICE_LEN} bytes each", param_hint="--choice")
    with checked("invalid proposal"):
        kind = kind_of(actions)
        for action in actions:
            action.check_poll(method, len(choices))
    payload = ProposalSubmit(collective, tuple(actions), method, choices, expedited, metadata)
    head = [f"a {kind.name.lower()} proposal in collective {collective.hex()}"]
    finish(builder, payload, [*head, *lines])
