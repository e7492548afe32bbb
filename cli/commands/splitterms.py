"""Split terms from the command line: recipients with integer shares (shown as percentages),
the keeper fee, the mode, the lock and waterfall tranches. Shared by `coterie split ...` and the
split proposals of a collective."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

from cli.commands.govparse import (
    PERCENT,
    TIME,
    checked,
    for_option,
    format_party,
    format_ppm,
    format_time,
    parse_int,
    parse_party,
    share_percent,
    split_pair,
)
from ledger.splits.records import SplitMode, SplitTerms, Tranche, check_tranches

F = TypeVar("F", bound=Callable[..., Any])
MODES = {m.name.lower(): m for m in SplitMode}


def terms_options(required: bool) -> Callable[[F], F]:
    """--recipient (repeatable), --keeper-fee, --mode and --locked-until."""

    def decorate(f: F) -> F:
        f = click.option(
            "--locked-until",
            type=TIME,
            default=None,
            help="No changes to the terms before this date (e.g. 2027-01-31); default none.",
        )(f)
        f = click.option(
            "--mode",
            type=click.Choice(sorted(MODES)),
            default=None,
            help="push: each payment is paid out at once (default); accrue: payments collect "
            "and anyone distributes them for the fee.",
        )(f)
        f = click.option(
            "--keeper-fee",
            "fee_ppm",
            type=PERCENT,
            default=None,
            help="Keeper fee taken by whoever distributes, e.g. 0.5% (default 0).",
        )(f)
        return click.option(
            "--recipient",
            "recipients",
            multiple=True,
            required=required,
            metavar="PARTY=SHARES",
            help="A payee and its whole number of shares, e.g. tcot1…=3; a party is an address, "
            "split:ID, collective:ID or holders:ID/CLASS. Repeatable.",
        )(f)

    return decorate


def build_terms(
    recipients: tuple[str, ...],
    prefix: str,
    *,
    fee_ppm: int | None,
    mode: str | None,
    locked_until: int | None,
    base: SplitTerms | None = None,
) -> SplitTerms:
    """Terms from the options; with `base` (the current terms), unset options keep its values.
    Recipients are sorted into the order the chain requires."""
    pairs = []
    with for_option("--recipient"):
        for spec in recipients:
            party_text, shares_text = split_pair(spec, "PARTY=SHARES")
            pairs.append((parse_party(party_text, prefix), parse_int(shares_text, "shares", 1)))
    if not pairs:
        if base is None:
            raise click.BadParameter("give at least one recipient", param_hint="--recipient")
        pairs = list(zip(base.recipients, base.shares, strict=True))
    parties = [p for p, _ in pairs]
    if len(set(parties)) != len(parties):
        raise click.BadParameter("a recipient is listed twice", param_hint="--recipient")
    pairs.sort(key=lambda pair: pair[0])
    terms = SplitTerms(
        tuple(p for p, _ in pairs),
        tuple(s for _, s in pairs),
        sum(s for _, s in pairs),
        fee_ppm if fee_ppm is not None else (base.fee_ppm if base else 0),
        MODES[mode] if mode is not None else (base.mode if base else SplitMode.PUSH),
        locked_until if locked_until is not None else (base.locked_until_ms if base else 0),
    )
    with checked("invalid split terms"):
        terms.check()
    return terms


def terms_from_json(data: dict[str, Any], prefix: str) -> SplitTerms:
    """The current terms from the node's split view."""
    recipients = tuple(
        parse_party(_party_text(r["party"]), prefix) for r in data.get("recipients", [])
    )
    return SplitTerms(
        recipients,
        tuple(int(r["share"]) for r in data.get("recipients", [])),
        int(data["total_shares"]),
        int(data.get("fee_ppm", 0)),
        SplitMode[data.get("mode", "PUSH")],
        int(data.get("locked_until_ms", 0)),
    )


def _party_text(view: dict[str, Any]) -> str:
    kind = str(view["kind"]).lower()
    if kind == "account":
        return str(view["id"])
    if kind == "token_holders":
        raw = bytes.fromhex(view["id"])
        return f"holders:{raw[:-1].hex()}/{raw[-1]}"
    return f"{kind}:{view['id']}"


def tranche_option(f: F) -> F:
    return click.option(
        "--tranche",
        "tranches",
        multiple=True,
        metavar="PARTY=CAP",
        help="A waterfall tier paid first until it has had CAP in all (in the order given).",
    )(f)


def build_tranches(specs: tuple[str, ...], prefix: str) -> tuple[Tranche, ...]:
    out = []
    with for_option("--tranche"):
        for spec in specs:
            party_text, cap_text = split_pair(spec, "PARTY=CAP")
            out.append(Tranche(parse_party(party_text, prefix), parse_int(cap_text, "cap", 1)))
    tranches = tuple(out)
    with checked("invalid tranches"):
        check_tranches(tranches)
    return tranches


def describe_terms(terms: SplitTerms, prefix: str, tranches: tuple[Tranche, ...] = ()) -> list[str]:
    """Lines for a person: each recipient's shares as a percentage of the residual."""
    lines = [f"split terms ({terms.mode.name.lower()}, keeper fee {format_ppm(terms.fee_ppm)}):"]
    for tranche in tranches:
        lines.append(f"  first {tranche.cap} to {format_party(tranche.recipient, prefix)}")
    for party, share in zip(terms.recipients, terms.shares, strict=True):
        pct = share_percent(share, terms.total)
        lines.append(f"  {pct:>7}  {format_party(party, prefix)} ({share}/{terms.total} shares)")
    if terms.locked_until_ms:
        lines.append(f"  locked until {format_time(terms.locked_until_ms)}")
    return lines
