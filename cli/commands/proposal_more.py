"""Proposals for streams, allocations, moderation and the validator set (`coterie proposal
submit stream|stream-cancel|allocate|moderate|validator`); the stream, moderation and validator
groups reuse these commands. A collective's splits are in proposal_splits.py."""

from __future__ import annotations

from typing import Any

import click

from cli.commands.govflow import (
    builder_for,
    node_get,
    proposal_options,
    submit_proposal,
)
from cli.commands.govparse import (
    ASSET,
    COLLECTIVE_ID,
    DURATION,
    HASH32,
    PUBLIC_KEY,
    TIME,
    checked,
    for_option,
    format_duration,
    format_party,
    format_time,
    parse_party,
    split_pair,
)
from cli.commands.validator_updates import NODE_KEY_HELP, describe, validator_updates
from cli.txflow import AMOUNT, POSITIVE_AMOUNT, TxBuilder, tx_options
from ledger.collectives.ids import VALIDATORS_BODY_ID, Asset
from ledger.content.records import MAX_LABEL_LEN, MAX_URI_LEN, ModerationAction
from ledger.governance.actions_treasury import Allocate, StreamCancel, StreamCreate
from ledger.governance.kinds import VotingMethod
from ledger.moderation.actions import Moderate
from ledger.splits.parties import Party, PartyKind
from ledger.treasury.vesting import Schedule

DECISIONS = {d.name.lower(): d for d in ModerationAction}


@click.command("stream")
@click.option("--to", "recipient", required=True, metavar="ADDRESS", help="Who is paid.")
@click.option("--asset", type=ASSET, default="native", show_default=True)
@click.option("--total", type=POSITIVE_AMOUNT, help="Everything the stream pays.")
@click.option("--per-interval", type=POSITIVE_AMOUNT, help="Or: what each interval pays.")
@click.option("--interval", type=DURATION, required=True, help="Vesting step, e.g. 1d.")
@click.option("--duration", type=DURATION, required=True, help="Whole intervals, e.g. 90d.")
@click.option("--cliff", type=DURATION, default="0", help="Nothing vests before it (from start).")
@click.option("--start", type=TIME, default="0", help="Start date (0: when the proposal executes).")
@proposal_options
@tx_options
def stream_create(
    *,
    recipient: str,
    asset: Asset,
    total: int | None,
    per_interval: int | None,
    interval: int,
    duration: int,
    cliff: int,
    start: int,
    collective: bytes,
    metadata: str,
    expedited: bool,
    **common: Any,
) -> None:
    """Stream a payment from the treasury, vesting per interval (claimed with
    `coterie stream claim`); the whole total leaves the treasury when the proposal executes."""
    if (total is None) == (per_interval is None):
        raise click.UsageError("give exactly one of --total or --per-interval")
    if per_interval is not None:
        schedule = Schedule.per_interval(start, duration, interval, cliff, per_interval)
    else:
        assert total is not None
        schedule = Schedule(start, duration, interval, cliff, total)
    with checked("invalid stream schedule"):
        schedule.check()
    builder = builder_for(common)
    action = StreamCreate(builder.address(recipient), asset, schedule)
    starts = "when the proposal executes" if start == 0 else format_time(start)
    lines = [
        f"stream: {schedule.total} in {schedule.steps} steps of {format_duration(interval)} "
        f"over {format_duration(duration)}, starting {starts}"
        + (f", cliff {format_duration(cliff)}" if cliff else "")
    ]
    submit_proposal(
        builder,
        collective=collective,
        actions=(action,),
        metadata=metadata,
        expedited=expedited,
        lines=lines,
    )


@click.command("stream-cancel")
@click.option("--stream", "stream_id", type=AMOUNT, required=True, help="The stream's number.")
@proposal_options
@tx_options
def stream_cancel(
    *, stream_id: int, collective: bytes, metadata: str, expedited: bool, **common: Any
) -> None:
    """Stop a stream: what has vested is paid, the rest returns to the treasury."""
    builder = builder_for(common)
    submit_proposal(
        builder,
        collective=collective,
        actions=(StreamCancel(stream_id),),
        metadata=metadata,
        expedited=expedited,
    )


@click.command("allocate")
@click.option("--asset", type=ASSET, default="native", show_default=True)
@click.option("--budget", type=POSITIVE_AMOUNT, required=True, help="What is divided.")
@click.option(
    "--choice",
    "choices",
    multiple=True,
    required=True,
    metavar="LABEL=TARGET",
    help="A choice and who it pays (an address or split:ID). Repeatable, 2 to 16.",
)
@click.option("--quadratic", is_flag=True, help="Quadratic instead of weighted votes.")
@click.option("--memo", default="")
@proposal_options
@tx_options
def allocate(
    *,
    asset: Asset,
    budget: int,
    choices: tuple[str, ...],
    quadratic: bool,
    memo: str,
    collective: bytes,
    metadata: str,
    expedited: bool,
    **common: Any,
) -> None:
    """Divide a budget over the choices of a weighted (or quadratic) poll by their scores; a
    last choice "none" is added, which rejects the allocation."""
    builder = builder_for(common)
    labels: list[str] = []
    targets: list[Party] = []
    with for_option("--choice"):
        for spec in choices:
            label, target_text = split_pair(spec, "LABEL=TARGET")
            target = parse_party(target_text, builder.prefix)
            if target.kind not in (PartyKind.ACCOUNT, PartyKind.SPLIT):
                raise click.BadParameter(f"{target_text}: an allocation pays an address or split")
            labels.append(label)
            targets.append(target)
    action = Allocate(asset, budget, tuple(targets), memo)
    method = VotingMethod.QUADRATIC if quadratic else VotingMethod.WEIGHTED
    lines = [
        f"choice {i}: {label} -> {format_party(t, builder.prefix)}"
        for i, (label, t) in enumerate(zip(labels, targets, strict=True))
    ]
    lines.append(f"choice {len(labels)}: none (reject: the budget stays in the treasury)")
    submit_proposal(
        builder,
        collective=collective,
        actions=(action,),
        metadata=metadata,
        expedited=expedited,
        method=method,
        choices=(*labels, "none"),
        lines=lines,
    )


def decision_options(f: Any) -> Any:
    f = click.option(
        "--reason-uri", default="", help=f"Where the reasons are (up to {MAX_URI_LEN} bytes)."
    )(f)
    f = click.option("--label", default="", help="The label, for a 'label' decision.")(f)
    f = click.option(
        "--decision", type=click.Choice(sorted(DECISIONS)), required=True, help="What to do."
    )(f)
    return click.option(
        "--content", "content_hash", type=HASH32, required=True, metavar="HASH", help="Content."
    )(f)


def check_decision(decision: str, label: str, reason_uri: str) -> ModerationAction:
    if decision == "label" and not label:
        raise click.BadParameter("a 'label' decision needs a label", param_hint="--label")
    if len(label.encode()) > MAX_LABEL_LEN:
        raise click.BadParameter(f"at most {MAX_LABEL_LEN} bytes", param_hint="--label")
    if len(reason_uri.encode()) > MAX_URI_LEN:
        raise click.BadParameter(f"at most {MAX_URI_LEN} bytes", param_hint="--reason-uri")
    return DECISIONS[decision]


@click.command("moderate")
@decision_options
@proposal_options
@tx_options
def moderate(
    *,
    content_hash: bytes,
    decision: str,
    label: str,
    reason_uri: str,
    collective: bytes,
    metadata: str,
    expedited: bool,
    **common: Any,
) -> None:
    """Let the collective decide on content anchored in it (hide, label, restore, remove)."""
    choice = check_decision(decision, label, reason_uri)
    builder = builder_for(common)
    submit_proposal(
        builder,
        collective=collective,
        actions=(Moderate(content_hash, choice, label, reason_uri),),
        metadata=metadata,
        expedited=expedited,
    )


def governing_body(builder: TxBuilder, given: bytes | None) -> bytes:
    """--collective, else the chain's governing body as its genesis names it."""
    if given is not None:
        return given
    data = node_get(builder, "/v1/genesis")
    body = "validators"
    if isinstance(data, dict):
        body = data.get("genesis", {}).get("governance", {}).get("governing_body", body)
    return VALIDATORS_BODY_ID if body == "validators" else bytes.fromhex(body)


@click.command("validator")
@click.option("--add", multiple=True, metavar="PUBLIC_KEY=POWER[,NAME]", help="Add a validator.")
@click.option("--power", multiple=True, metavar="PUBLIC_KEY=POWER", help="Change its power.")
@click.option("--remove", multiple=True, type=PUBLIC_KEY, metavar="PUBLIC_KEY", help="Remove one.")
@click.option(
    "--node-key", "node_keys", multiple=True, metavar="[PUBLIC_KEY=]NODE_KEY", help=NODE_KEY_HELP
)
@click.option(
    "--collective",
    type=COLLECTIVE_ID,
    metavar="ID",
    help="The governing body (default: the one the genesis names).",
)
@click.option("--title", "metadata", default="", metavar="TEXT", help="What it is about.")
@tx_options
def validator(
    *,
    add: tuple[str, ...],
    power: tuple[str, ...],
    remove: tuple[bytes, ...],
    node_keys: tuple[str, ...],
    collective: bytes | None,
    metadata: str,
    **common: Any,
) -> None:
    """Propose validator-set changes to the governing body; all of them happen or none (a
    replacement is an --add and a --remove in one proposal). Changes take effect a few heights
    after the proposal executes. A new validator brings its node key (--node-key), which the
    chain records so that every node lets its node connect: no operator edits config."""
    updates = validator_updates(add, power, remove, node_keys)
    builder = builder_for(common)
    body = governing_body(builder, collective)
    lines = [describe(update, builder.prefix) for update in updates]
    submit_proposal(
        builder,
        collective=body,
        actions=tuple(updates),
        metadata=metadata,
        expedited=False,
        lines=lines,
    )


def register_more(group: click.Group) -> None:
    for command in (
        stream_create,
        stream_cancel,
        allocate,
        moderate,
        validator,
    ):
        group.add_command(command)
