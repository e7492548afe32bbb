"""`coterie collective create`: a new collective with its token classes, founders, parameters and
voting policies, in one tx (COLLECTIVE_CREATE, docs/governance.md)."""

from __future__ import annotations

import dataclasses
from enum import IntEnum
from typing import Any, TypeVar

import click

from cli.commands.govparse import checked
from cli.errors import CoterieGroup
from cli.refs import Resolver, parse_amount, parse_duration_ms, parse_ppm, split_pair
from cli.txflow import TxBuilder, tx_options
from ledger.collectives.create import CollectiveCreate, Founder, validate_definition
from ledger.collectives.model import ClassKind, TokenClass
from ledger.collectives.params import AdmissionMode, CollectiveParams
from ledger.governance.kinds import DecisionMethod, ProposalKind
from ledger.governance.policy import DEFAULT_POLICIES, Policy

T = TypeVar("T", CollectiveParams, Policy)
DEFAULT_CLASSES = ("shares:shares", "loot:loot")
FOUNDER_SHARES = 100
_ENUMS: dict[str, type[IntEnum]] = {
    "admission_mode": AdmissionMode,
    "method": DecisionMethod,
}


@click.group(cls=CoterieGroup)
def collective() -> None:
    """Create a collective (queries: `coterie query collective`)."""


def parse_class(text: str) -> TokenClass:
    """`NAME:KIND[:transferable][:open]`: KIND is shares, loot or badge; open = not members-only."""
    name, _, rest = text.partition(":")
    parts = [p.strip().lower() for p in rest.split(":")] if rest else ["shares"]
    try:
        kind = ClassKind[parts[0].upper()]
    except KeyError:
        raise click.BadParameter(f"{text!r}: the kind is shares, loot or badge") from None
    flags = set(parts[1:])
    if flags - {"transferable", "open"}:
        raise click.BadParameter(f"{text!r}: flags are transferable and open")
    return TokenClass(name.strip(), kind, "transferable" in flags, "open" not in flags)


def set_fields(value: T, items: tuple[str, ...], refs: Resolver) -> T:
    """`NAME=VALUE` items applied to a params or policy dataclass, each read by its field's type:
    `*_ms` durations (`7d`), `*_ppm` parts (`50%`), yes/no flags, enum names, lists by commas."""
    names = {f.name for f in dataclasses.fields(value)}
    changes: dict[str, Any] = {}
    for item in items:
        name, text = split_pair(item, "NAME=VALUE")
        if name not in names:
            known = ", ".join(sorted(names))
            raise click.BadParameter(f"unknown setting {name!r} (known: {known})")
        current = getattr(value, name)
        if name in _ENUMS:
            try:
                changes[name] = _ENUMS[name][text.upper()]
            except KeyError:
                choices = ", ".join(m.name.lower() for m in _ENUMS[name])
                raise click.BadParameter(f"{name}: one of {choices}") from None
        elif isinstance(current, bool):
            if text.lower() not in ("yes", "no", "true", "false"):
                raise click.BadParameter(f"{name}: yes or no")
            changes[name] = text.lower() in ("yes", "true")
        elif name == "signers":
            changes[name] = tuple(sorted((refs.account(a) for a in text.split(",")), key=_raw))
        elif isinstance(current, tuple):
            changes[name] = tuple(parse_amount(a) for a in text.split(",") if a.strip())
        elif name.endswith("_ms"):
            changes[name] = parse_duration_ms(text)
        elif name.endswith("_ppm"):
            changes[name] = parse_ppm(text)
        else:
            changes[name] = parse_amount(text)
    return dataclasses.replace(value, **changes)


def _raw(address: Any) -> bytes:
    return bytes(address.raw)


def parse_policy(text: str, refs: Resolver) -> tuple[int, Policy]:
    """`KIND:NAME=VALUE[,NAME=VALUE...]`, starting from the kind's default policy."""
    kind_text, _, settings = text.partition(":")
    try:
        kind = ProposalKind[kind_text.strip().upper()]
    except KeyError:
        kinds = ", ".join(k.name.lower() for k in ProposalKind)
        raise click.BadParameter(f"{text!r}: the kind is one of {kinds}") from None
    base = DEFAULT_POLICIES.get(kind, Policy())
    items = tuple(s for s in settings.split(",") if s.strip())
    return int(kind), set_fields(base, items, refs)


def parse_founder(text: str, refs: Resolver, class_count: int) -> Founder:
    """`ACCOUNT=AMOUNT[,AMOUNT...]`: one amount per class in order (missing ones are 0)."""
    who, amounts = split_pair(text, "ACCOUNT=AMOUNT[,AMOUNT...]")
    holdings = [parse_amount(a) for a in amounts.split(",")]
    if len(holdings) > class_count:
        raise click.BadParameter(f"{text!r}: {len(holdings)} amounts for {class_count} classes")
    holdings += [0] * (class_count - len(holdings))
    return Founder(refs.account(who), tuple(holdings))


@collective.command("create")
@click.option("--name", required=True, help="The collective's name (up to 64 bytes).")
@click.option("--metadata", default="", help="A description or URI (up to 255 bytes).")
@click.option(
    "--class",
    "classes",
    multiple=True,
    metavar="NAME:KIND[:transferable][:open]",
    help="A token class (repeat; default: shares:shares and loot:loot).",
)
@click.option(
    "--founder",
    "founders",
    multiple=True,
    metavar="ACCOUNT=AMOUNT[,AMOUNT...]",
    help=f"A founder and one amount per class (repeat; default: you, {FOUNDER_SHARES} shares).",
)
@click.option(
    "--admission",
    type=click.Choice([m.name.lower() for m in AdmissionMode]),
    help="How members join (default: application).",
)
@click.option(
    "--param", "params", multiple=True, metavar="NAME=VALUE", help="A parameter (repeat)."
)
@click.option(
    "--policy",
    "policies",
    multiple=True,
    metavar="KIND:NAME=VALUE[,...]",
    help="A voting policy override for one proposal kind (repeat).",
)
@tx_options
def create(
    *,
    name: str,
    metadata: str,
    classes: tuple[str, ...],
    founders: tuple[str, ...],
    admission: str | None,
    params: tuple[str, ...],
    policies: tuple[str, ...],
    **common: Any,
) -> None:
    """Create a collective; the sender pays the fee, founders become its first members."""
    builder = TxBuilder.from_options(**common)
    refs = builder.refs()
    token_classes = tuple(parse_class(c) for c in classes or DEFAULT_CLASSES)
    if founders:
        members = tuple(parse_founder(f, refs, len(token_classes)) for f in founders)
    else:
        first = next((i for i, c in enumerate(token_classes) if c.kind is ClassKind.SHARES), 0)
        amounts = tuple(FOUNDER_SHARES if i == first else 0 for i in range(len(token_classes)))
        members = (Founder(builder.sender.address, amounts),)
    settings = CollectiveParams()
    if admission is not None:
        settings = dataclasses.replace(settings, admission_mode=AdmissionMode[admission.upper()])
    settings = set_fields(settings, params, refs)
    overrides = tuple(sorted((parse_policy(p, refs) for p in policies), key=lambda p: p[0]))
    with checked():  # the chain's own stateless rules, before anything is signed or sent
        validate_definition(name, token_classes, members, settings, overrides)
    builder.finish(CollectiveCreate(name, metadata, token_classes, members, settings, overrides))
