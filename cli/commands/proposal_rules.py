"""Proposals that change how a collective decides: parameters, policies, roles, allowances.

A parameter or policy proposal replaces the whole record, so it starts from what the node
reports as current (the chain-wide default for a policy without a node) and changes only the
fields given: nothing else is reset by accident.
"""

from __future__ import annotations

import dataclasses
from enum import Enum
from typing import Any, TypeVar

import click

from cli.commands.govflow import (
    builder_for,
    collective_path,
    node_record,
    proposal_options,
    submit_proposal,
)
from cli.commands.govparse import (
    ASSET,
    DURATION,
    PERCENT,
    TIME,
    checked,
    format_duration,
    format_ppm,
    format_time,
    parse_duration,
    parse_int,
    parse_ppm,
    split_pair,
)
from cli.errors import InvalidInputError
from cli.txflow import AMOUNT, TxBuilder, tx_options
from ledger.collectives.ids import Asset
from ledger.collectives.params import CollectiveParams
from ledger.governance.actions_treasury import SetAllowance
from ledger.governance.core_actions import SetParams, SetPolicy
from ledger.governance.kinds import DecisionMethod, ProposalKind, Role
from ledger.governance.policy import DEFAULT_POLICIES, Policy
from ledger.governance.roles import LockRole, RevokeRole, SetRole
from ledger.keys import Address
from ledger.treasury.allowances import Grantee

R = TypeVar("R")
KINDS = {k.name.lower().replace("_", "-"): k for k in ProposalKind}
ROLES = {r.name.lower(): r for r in Role}
METHODS = {m.name.lower(): m for m in DecisionMethod}


def record_from_json(cls: type[R], data: dict[str, Any], prefix: str) -> R:
    """Rebuild a params or policy dataclass from the node's JSON view (enums by name,
    addresses as text); fields the node did not send keep their defaults."""
    base = cls()
    values: dict[str, Any] = {}
    for field in dataclasses.fields(base):  # type: ignore[arg-type]
        if field.name not in data:
            continue
        default = getattr(base, field.name)
        raw = data[field.name]
        if isinstance(default, Enum):
            values[field.name] = type(default)[raw]
        elif field.name == "signers":
            values[field.name] = tuple(Address.parse(prefix, s) for s in raw)
        elif isinstance(default, tuple):
            values[field.name] = tuple(int(x) for x in raw)
        elif isinstance(default, bool):
            values[field.name] = bool(raw)
        else:
            values[field.name] = int(raw)
    return dataclasses.replace(base, **values)  # type: ignore[type-var]


def current_collective(builder: TxBuilder, cid: bytes) -> dict[str, Any] | None:
    data = node_record(builder, collective_path(cid), f"collective {cid.hex()}")
    return data if isinstance(data, dict) else None


def _param_value(name: str, default: Any, text: str) -> Any:
    if isinstance(default, Enum):
        try:
            return type(default)[text.upper()]
        except KeyError:
            names = ", ".join(m.name.lower() for m in type(default))
            raise click.BadParameter(f"{name} is one of {names}") from None
    if isinstance(default, bool):
        if text.lower() not in ("true", "false", "yes", "no", "1", "0"):
            raise click.BadParameter(f"{name} is true or false")
        return text.lower() in ("true", "yes", "1")
    if isinstance(default, tuple):
        return tuple(parse_int(x, name) for x in text.split(",") if x.strip())
    if name.endswith("_ms"):
        return parse_duration(text)
    if name.endswith("_ppm"):
        return parse_ppm(text)
    return parse_int(text, name)


def _show(name: str, value: Any) -> str:
    if isinstance(value, Enum):
        return value.name.lower()
    if name.endswith("_ms") and isinstance(value, int):
        return format_duration(value)
    if name.endswith("_ppm") and isinstance(value, int):
        return format_ppm(value)
    return str(value)


@click.command("params")
@click.option(
    "--set",
    "changes",
    multiple=True,
    required=True,
    metavar="NAME=VALUE",
    help="A parameter and its new value (durations like 7d, ratios like 10%). Repeatable.",
)
@proposal_options
@tx_options
def params(
    *, changes: tuple[str, ...], collective: bytes, metadata: str, expedited: bool, **common: Any
) -> None:
    """Change collective parameters (docs/governance.md lists them), e.g.
    --set proposal_deposit=100 --set submission_period_ms=14d --set large_spend_ppm=20%."""
    builder = builder_for(common)
    current = current_collective(builder, collective)
    if current is None:
        raise click.UsageError("a parameter change starts from the current ones: it needs a node")
    base = record_from_json(CollectiveParams, current.get("params", {}), builder.prefix)
    names = {f.name for f in dataclasses.fields(base)}
    values: dict[str, Any] = {}
    for change in changes:
        name, text = split_pair(change, "NAME=VALUE")
        if name not in names:
            raise click.BadParameter(f"no parameter {name!r}", param_hint="--set")
        values[name] = _param_value(name, getattr(base, name), text)
    new = dataclasses.replace(base, **values)
    with checked("invalid parameters"):
        new.validate(len(current.get("classes", [])))
    lines = [f"{n}: {_show(n, getattr(base, n))} -> {_show(n, v)}" for n, v in values.items()]
    submit_proposal(
        builder,
        collective=collective,
        actions=(SetParams(new),),
        metadata=metadata,
        expedited=expedited,
        lines=lines,
    )


POLICY_OPTIONS = {
    "quorum": "quorum_ppm",
    "threshold": "threshold_ppm",
    "veto": "veto_ppm",
    "yes_quorum": "yes_quorum_ppm",
    "optimistic_reject": "optimistic_reject_ppm",
    "voting_period": "voting_period_ms",
    "grace_period": "grace_period_ms",
    "reveal_period": "reveal_period_ms",
    "expedited_period": "expedited_period_ms",
    "expedited_quorum": "expedited_quorum_ppm",
    "expedited_threshold": "expedited_threshold_ppm",
    "early_execution": "early_execution",
    "vote_replacement": "vote_replacement",
    "secret_ballot": "secret_ballot",
    "required_approvals": "required_approvals",
}


@click.command("policy")
@click.option(
    "--kind",
    "kind_name",
    type=click.Choice(sorted(KINDS)),
    required=True,
    help="The proposal kind whose policy changes.",
)
@click.option("--method", type=click.Choice(sorted(METHODS)), help="vote, optimistic, multisig.")
@click.option("--quorum", type=PERCENT, help="Participation needed, e.g. 33.4%.")
@click.option("--threshold", type=PERCENT, help="Yes share of yes+no+veto to exceed.")
@click.option("--veto", type=PERCENT, help="Veto share that fails it (0: no veto).")
@click.option("--yes-quorum", type=PERCENT, help="Yes votes of all power needed (0: none).")
@click.option("--optimistic-reject", type=PERCENT, help="Objection share that rejects.")
@click.option("--voting-period", type=DURATION, help="e.g. 3d (at least 1m).")
@click.option("--grace-period", type=DURATION, help="Wait between passing and executing.")
@click.option("--reveal-period", type=DURATION, help="Secret ballots: time to reveal.")
@click.option("--expedited-period", type=DURATION, help="0 forbids expedited proposals.")
@click.option("--expedited-quorum", type=PERCENT)
@click.option("--expedited-threshold", type=PERCENT)
@click.option("--early-execution/--no-early-execution", default=None)
@click.option("--vote-replacement/--no-vote-replacement", default=None)
@click.option("--secret-ballot/--no-secret-ballot", default=None)
@click.option("--signer", "signers", multiple=True, metavar="ADDRESS", help="Multisig signer.")
@click.option("--required-approvals", type=click.IntRange(0, 32), help="Multisig m.")
@proposal_options
@tx_options
def policy(
    *,
    kind_name: str,
    method: str | None,
    signers: tuple[str, ...],
    collective: bytes,
    metadata: str,
    expedited: bool,
    **options: Any,
) -> None:
    """Change how one kind of proposal is decided; votes in progress keep their policy."""
    values = {field: options.pop(name) for name, field in POLICY_OPTIONS.items()}
    values = {field: value for field, value in values.items() if value is not None}
    builder = builder_for(options)
    kind = KINDS[kind_name]
    base = DEFAULT_POLICIES.get(kind, Policy())
    current = current_collective(builder, collective)
    if current is not None:
        for entry in current.get("policies", []):
            if entry.get("kind") == kind.name:
                base = record_from_json(Policy, entry["policy"], builder.prefix)
    if method is not None:
        values["method"] = METHODS[method]
    if signers:
        addresses = sorted({builder.address(s) for s in signers}, key=lambda a: a.raw)
        values["signers"] = tuple(addresses)
    new = dataclasses.replace(base, **values)
    if not values:
        raise click.UsageError("give at least one policy setting to change")
    action = SetPolicy(int(kind), new)
    try:
        with checked("invalid policy"):
            action.check()
    except InvalidInputError as exc:  # name this command's option, not the policy field
        hint = exc.message.replace("expedited_period_ms=0", "--expedited-period 0")
        raise InvalidInputError(hint) from exc
    lines = [f"policy for {kind.name.lower()} proposals:"]
    for name, value in values.items():
        shown = (
            [a.to_text(builder.prefix) for a in value] if name == "signers" else _show(name, value)
        )
        lines.append(f"  {name}: {_show(name, getattr(base, name))} -> {shown}")
    submit_proposal(
        builder,
        collective=collective,
        actions=(action,),
        metadata=metadata,
        expedited=expedited,
        lines=lines,
    )


ROLE_OPTION = click.option(
    "--role", "role_name", type=click.Choice(sorted(ROLES)), required=True, help="The role."
)


@click.command("role-set")
@ROLE_OPTION
@click.option("--holder", required=True, metavar="ADDRESS", help="The member who holds it.")
@click.option("--until", "expires_ms", type=TIME, default="0", help="Expiry date (0: none).")
@proposal_options
@tx_options
def role_set(
    *,
    role_name: str,
    holder: str,
    expires_ms: int,
    collective: bytes,
    metadata: str,
    expedited: bool,
    **common: Any,
) -> None:
    """Give a member a role: governor (cancels proposals), moderator, treasurer."""
    builder = builder_for(common)
    action = SetRole(int(ROLES[role_name]), builder.address(holder), expires_ms)
    lines = [f"{role_name} until {format_time(expires_ms)}"]
    submit_proposal(
        builder,
        collective=collective,
        actions=(action,),
        metadata=metadata,
        expedited=expedited,
        lines=lines,
    )


@click.command("role-revoke")
@ROLE_OPTION
@click.option("--holder", required=True, metavar="ADDRESS")
@proposal_options
@tx_options
def role_revoke(
    *, role_name: str, holder: str, collective: bytes, metadata: str, expedited: bool, **common: Any
) -> None:
    """Take a role away from a member."""
    builder = builder_for(common)
    action = RevokeRole(int(ROLES[role_name]), builder.address(holder))
    submit_proposal(
        builder, collective=collective, actions=(action,), metadata=metadata, expedited=expedited
    )


@click.command("role-lock")
@ROLE_OPTION
@proposal_options
@tx_options
def role_lock(
    *, role_name: str, collective: bytes, metadata: str, expedited: bool, **common: Any
) -> None:
    """Lock a role for good: nobody can be given or lose it afterwards."""
    builder = builder_for(common)
    submit_proposal(
        builder,
        collective=collective,
        actions=(LockRole(int(ROLES[role_name])),),
        metadata=metadata,
        expedited=expedited,
    )


@click.command("allowance")
@click.option("--member", metavar="ADDRESS", help="The member who may spend.")
@click.option("--role", "role_name", type=click.Choice(sorted(ROLES)), help="Or: a role's holders.")
@click.option("--asset", type=ASSET, default="native", show_default=True)
@click.option("--amount", type=AMOUNT, required=True, help="Per period; 0 removes the allowance.")
@click.option("--period", type=DURATION, default="0", help="Reset period, e.g. 30d (0: never).")
@proposal_options
@tx_options
def allowance(
    *,
    member: str | None,
    role_name: str | None,
    asset: Asset | str,
    amount: int,
    period: int,
    collective: bytes,
    metadata: str,
    expedited: bool,
    **common: Any,
) -> None:
    """Let a member or a role's holders spend from the treasury without a vote, up to an amount
    per period."""
    if (member is None) == (role_name is None):
        raise click.UsageError("give exactly one of --member or --role")
    if period % 1000:
        raise click.BadParameter("whole seconds only", param_hint="--period")
    builder = builder_for(common)
    if member is not None:
        grantee = Grantee.member(builder.address(member))
    else:
        assert role_name is not None
        grantee = Grantee.role(int(ROLES[role_name]))
    action = SetAllowance(grantee, builder.asset(asset), amount, period // 1000)
    every = f"every {format_duration(period)}" if period else "once (never resets)"
    what = "removes the allowance" if amount == 0 else f"{amount} {every}"
    submit_proposal(
        builder,
        collective=collective,
        actions=(action,),
        metadata=metadata,
        expedited=expedited,
        lines=[f"allowance: {what}"],
    )


def register_rules(group: click.Group) -> None:
    for command in (params, policy, role_set, role_revoke, role_lock, allowance):
        group.add_command(command)
