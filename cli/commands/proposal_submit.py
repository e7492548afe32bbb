"""`coterie proposal submit KIND ...`: one subcommand per proposal action kind of the ledger.

This module holds the members, tokens, treasury and text/poll proposals; the policy and
parameter changes are in proposal_rules.py, streams, allocations, splits, moderation and
validators in proposal_more.py, and reputation and rewards in proposal_economics.py. Every
subcommand takes --collective, --title and --expedited besides the common tx options, and
builds one `ProposalSubmit`.
"""

from __future__ import annotations

from typing import Any

import click

from cli.commands.govflow import builder_for, proposal_options, submit_proposal
from cli.commands.govparse import ASSET
from cli.commands.proposal_economics import register_economics
from cli.commands.proposal_more import register_more
from cli.commands.proposal_rules import register_rules
from cli.commands.proposal_splits import register_splits
from cli.errors import CoterieGroup
from cli.txflow import POSITIVE_AMOUNT, tx_options
from ledger.collectives.ids import MAX_TOKEN_CLASSES, Asset
from ledger.governance.actions_treasury import AcceptAsset, HolderDistribution
from ledger.governance.core_actions import Admit, Burn, Expel, Mint, TreasurySpend
from ledger.governance.kinds import VotingMethod

TOKEN_CLASS = click.IntRange(0, MAX_TOKEN_CLASSES - 1)
POLL_METHODS = {m.name.lower(): m for m in VotingMethod if m is not VotingMethod.BINARY}


@click.group(cls=CoterieGroup)
def submit() -> None:
    """Submit a proposal: pick the kind of decision.

    A proposer whose voting power reaches the collective's sponsor threshold sponsors it at
    once (voting starts); anyone else's waits for `coterie proposal sponsor`.
    """


@submit.command("signal")
@proposal_options
@tx_options
def signal(*, collective: bytes, metadata: str, expedited: bool, **common: Any) -> None:
    """A yes/no text proposal with no effect on chain (a sense of the collective)."""
    builder = builder_for(common)
    submit_proposal(
        builder, collective=collective, actions=(), metadata=metadata, expedited=expedited
    )


@submit.command("poll")
@click.option(
    "--method",
    type=click.Choice(sorted(POLL_METHODS)),
    default="single",
    show_default=True,
    help="How ballots count: one choice, approval, ranked (instant runoff), weighted, quadratic.",
)
@click.option(
    "--choice", "choices", multiple=True, required=True, help="A choice (2 to 32). Repeatable."
)
@proposal_options
@tx_options
def poll(
    *,
    method: str,
    choices: tuple[str, ...],
    collective: bytes,
    metadata: str,
    expedited: bool,
    **common: Any,
) -> None:
    """A multiple-choice poll with no actions; choices are numbered from 0 in the order given."""
    builder = builder_for(common)
    lines = [f"choice {i}: {c}" for i, c in enumerate(choices)]
    submit_proposal(
        builder,
        collective=collective,
        actions=(),
        metadata=metadata,
        expedited=expedited,
        method=POLL_METHODS[method],
        choices=choices,
        lines=lines,
    )


def _holdings(specs: tuple[str, ...]) -> tuple[tuple[int, int], ...]:
    out = []
    for spec in specs:
        cls_text, sep, amount_text = spec.partition("=")
        if not sep or not cls_text.isdigit() or not amount_text.isdigit():
            raise click.BadParameter(f"{spec!r}: expected CLASS=AMOUNT", param_hint="--grant")
        out.append((int(cls_text), int(amount_text)))
    return tuple(out)


@submit.command("admit")
@click.option("--applicant", required=True, metavar="ADDRESS", help="Who becomes a member.")
@click.option(
    "--grant",
    multiple=True,
    metavar="CLASS=AMOUNT",
    help="Tokens minted to the new member, e.g. 0=10 (shares) 1=5 (loot). Repeatable.",
)
@proposal_options
@tx_options
def admit(
    *,
    applicant: str,
    grant: tuple[str, ...],
    collective: bytes,
    metadata: str,
    expedited: bool,
    **common: Any,
) -> None:
    """Invite a new member (and mint them tokens)."""
    holdings = _holdings(grant)
    builder = builder_for(common)
    action = Admit(builder.address(applicant), holdings)
    submit_proposal(
        builder, collective=collective, actions=(action,), metadata=metadata, expedited=expedited
    )


@submit.command("expel")
@click.option("--member", required=True, metavar="ADDRESS", help="The member to expel.")
@click.option(
    "--forfeit",
    is_flag=True,
    help="Remove with no payout (only where the collective allows forfeiture); "
    "otherwise the member is jailed and may still take their exit share.",
)
@proposal_options
@tx_options
def expel(
    *, member: str, forfeit: bool, collective: bytes, metadata: str, expedited: bool, **common: Any
) -> None:
    """Expel a member (they do not vote on it)."""
    builder = builder_for(common)
    action = Expel(builder.address(member), forfeit)
    submit_proposal(
        builder, collective=collective, actions=(action,), metadata=metadata, expedited=expedited
    )


def _token_options(f: Any) -> Any:
    f = click.option("--amount", type=POSITIVE_AMOUNT, required=True, help="Token units.")(f)
    return click.option(
        "--class",
        "token_class",
        type=TOKEN_CLASS,
        default=0,
        show_default=True,
        help="Token class (0: shares, 1: loot in the default layout).",
    )(f)


@submit.command("mint")
@click.option("--to", "recipient", required=True, metavar="ADDRESS", help="Who receives them.")
@_token_options
@proposal_options
@tx_options
def mint(
    *,
    recipient: str,
    token_class: int,
    amount: int,
    collective: bytes,
    metadata: str,
    expedited: bool,
    **common: Any,
) -> None:
    """Mint collective tokens to an address."""
    builder = builder_for(common)
    action = Mint(token_class, builder.address(recipient), amount)
    submit_proposal(
        builder, collective=collective, actions=(action,), metadata=metadata, expedited=expedited
    )


@submit.command("burn")
@click.option("--holder", required=True, metavar="ADDRESS", help="Whose tokens are burned.")
@_token_options
@proposal_options
@tx_options
def burn(
    *,
    holder: str,
    token_class: int,
    amount: int,
    collective: bytes,
    metadata: str,
    expedited: bool,
    **common: Any,
) -> None:
    """Burn collective tokens held by an address."""
    builder = builder_for(common)
    action = Burn(token_class, builder.address(holder), amount)
    submit_proposal(
        builder, collective=collective, actions=(action,), metadata=metadata, expedited=expedited
    )


def asset_label(asset: Asset) -> str:
    if asset.is_native:
        return "native coin"
    return f"token class {asset.token_class} of collective {asset.collective.hex()}"


@submit.command("spend")
@click.option("--to", "recipient", required=True, metavar="ADDRESS", help="Who is paid.")
@click.option("--amount", type=POSITIVE_AMOUNT, required=True, help="Amount in base units.")
@click.option(
    "--asset",
    type=ASSET,
    default="native",
    show_default=True,
    help="'native' or COLLECTIVE_ID/CLASS.",
)
@click.option("--memo", default="", help="What the payment is for (up to 256 bytes).")
@proposal_options
@tx_options
def spend(
    *,
    recipient: str,
    amount: int,
    asset: Asset | str,
    memo: str,
    collective: bytes,
    metadata: str,
    expedited: bool,
    **common: Any,
) -> None:
    """Pay from the treasury to an address (a large share of the treasury faces the stricter
    large-spend policy)."""
    builder = builder_for(common)
    paid = builder.asset(asset)
    action = TreasurySpend(paid, builder.address(recipient), amount, memo)
    lines = [f"pays {amount} of the {asset_label(paid)} to {recipient}"]
    submit_proposal(
        builder,
        collective=collective,
        actions=(action,),
        metadata=metadata,
        expedited=expedited,
        lines=lines,
    )


@submit.command("distribute")
@click.option(
    "--holders-of",
    type=ASSET,
    required=True,
    metavar="COLLECTIVE_ID/CLASS",
    help="The token class whose holders are paid pro rata.",
)
@click.option("--amount", type=POSITIVE_AMOUNT, required=True, help="Amount in base units.")
@click.option("--asset", type=ASSET, default="native", show_default=True, help="What is paid.")
@click.option("--memo", default="", help="What the payment is for.")
@proposal_options
@tx_options
def distribute(
    *,
    holders_of: Asset,
    amount: int,
    asset: Asset | str,
    memo: str,
    collective: bytes,
    metadata: str,
    expedited: bool,
    **common: Any,
) -> None:
    """Pay from the treasury to the holders of a token class, pro rata (a dividend); each holder
    collects their part with `coterie treasury claim`."""
    builder = builder_for(common)
    action = HolderDistribution(holders_of, builder.asset(asset), amount, memo)
    submit_proposal(
        builder, collective=collective, actions=(action,), metadata=metadata, expedited=expedited
    )


@submit.command("accept-asset")
@click.option("--asset", type=ASSET, required=True, metavar="COLLECTIVE/CLASS")
@click.option("--remove", is_flag=True, help="Take it off the whitelist instead.")
@proposal_options
@tx_options
def accept_asset(
    *,
    asset: Asset | str,
    remove: bool,
    collective: bytes,
    metadata: str,
    expedited: bool,
    **common: Any,
) -> None:
    """Accept a token into the treasury's deposit whitelist (or remove it)."""
    builder = builder_for(common)
    action = AcceptAsset(builder.asset(asset), not remove)
    submit_proposal(
        builder, collective=collective, actions=(action,), metadata=metadata, expedited=expedited
    )


register_rules(submit)
register_splits(submit)
register_more(submit)
register_economics(submit)
