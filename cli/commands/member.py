"""`coterie member ...`: joining, staying, leaving, and moving one's tokens and votes.

apply (MEMBERSHIP_APPLY), withdraw (MEMBERSHIP_WITHDRAW), renew (MEMBERSHIP_RENEW), ragequit
(RAGEQUIT), ragekick (RAGEKICK), transfer (TOKEN_TRANSFER), delegate (DELEGATE): the rules are in
docs/governance.md. Collectives are named by id or name, accounts by address or key name.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import quote

import click

from cli.commands.govparse import COLLECTIVE_ID
from cli.errors import CoterieGroup
from cli.querycontext import context, emit, query_options
from cli.refs import parse_ppm, split_pair
from cli.txflow import AMOUNT, POSITIVE_AMOUNT, TxBuilder, tx_options
from ledger.collectives.delegation import ALL_KINDS, Delegate
from ledger.collectives.exit import RageKick, Ragequit
from ledger.collectives.ids import NATIVE
from ledger.collectives.membership import MembershipApply, MembershipRenew, MembershipWithdraw
from ledger.collectives.token_transfer import TokenTransfer
from ledger.governance.kinds import ProposalKind
from ledger.governance.proposal import MAX_METADATA_LEN

COLLECTIVE = click.option(
    "--collective", required=True, metavar="ID|NAME", help="The collective (id or exact name)."
)


@click.group(cls=CoterieGroup)
def member() -> None:
    """Join, renew, leave a collective; move your tokens and delegate your vote."""


@member.command("apply")
@COLLECTIVE
@click.option(
    "--request",
    "requests",
    multiple=True,
    metavar="CLASS=AMOUNT",
    help="Holdings asked for (repeat; none in an open collective).",
)
@click.option("--tribute", type=AMOUNT, default=0, show_default=True, help="Paid to the treasury.")
@click.option(
    "--tribute-asset",
    default="native",
    show_default=True,
    metavar="native|COLLECTIVE/CLASS",
    help="What the tribute is paid in.",
)
@click.option("--statement", default="", help=f"Why you apply (up to {MAX_METADATA_LEN:,} bytes).")
@tx_options
def apply(
    *,
    collective: str,
    requests: tuple[str, ...],
    tribute: int,
    tribute_asset: str,
    statement: str,
    **common: Any,
) -> None:
    """Apply to join: opens an admission proposal that a member sponsors and members vote on
    (an open collective admits at once for its fixed tribute)."""
    builder = TxBuilder.from_options(**common)
    refs = builder.refs()
    info = refs.collective(collective)
    holdings = refs.class_amounts(info, requests)
    asset = refs.asset(tribute_asset) if tribute else NATIVE
    builder.finish(MembershipApply(info.id, holdings, asset, tribute, statement))


@member.command("withdraw")
@click.argument("proposal_id", type=POSITIVE_AMOUNT)
@tx_options
def withdraw(*, proposal_id: int, **common: Any) -> None:
    """Withdraw your application PROPOSAL_ID before a member sponsors it (refunded in full)."""
    builder = TxBuilder.from_options(**common)
    builder.finish(MembershipWithdraw(proposal_id))


@member.command("renew")
@COLLECTIVE
@click.option("--member", "who", metavar="ACCOUNT", help="Whose membership (default: yours).")
@tx_options
def renew(*, collective: str, who: str | None, **common: Any) -> None:
    """Pay the dues that extend a membership by one term (you pay, for you or another member)."""
    builder = TxBuilder.from_options(**common)
    refs = builder.refs()
    address = builder.sender.address if who is None else refs.account(who)
    builder.finish(MembershipRenew(refs.collective(collective).id, address))


@member.command("ragequit")
@COLLECTIVE
@click.option(
    "--burn",
    "burns",
    multiple=True,
    metavar="CLASS=AMOUNT",
    help="Shares or loot to burn for their share of the treasury (repeat).",
)
@tx_options
def ragequit(*, collective: str, burns: tuple[str, ...], **common: Any) -> None:
    """Burn shares or loot for a fair share of every treasury asset; burning all leaves."""
    builder = TxBuilder.from_options(**common)
    refs = builder.refs()
    info = refs.collective(collective)
    builder.finish(Ragequit(info.id, refs.class_amounts(info, burns)))


@member.command("ragekick")
@COLLECTIVE
@click.option("--member", "who", required=True, metavar="ACCOUNT", help="The jailed member.")
@tx_options
def ragekick(*, collective: str, who: str, **common: Any) -> None:
    """Pay a jailed member their fair share and end their membership (anyone may)."""
    builder = TxBuilder.from_options(**common)
    refs = builder.refs()
    builder.finish(RageKick(refs.collective(collective).id, refs.account(who)))


@member.command("transfer")
@COLLECTIVE
@click.option("--class", "token_class", required=True, metavar="CLASS", help="Name or index.")
@click.option("--to", "recipient", required=True, metavar="ACCOUNT", help="Address or key name.")
@click.option("--amount", type=POSITIVE_AMOUNT, required=True)
@tx_options
def transfer(
    *, collective: str, token_class: str, recipient: str, amount: int, **common: Any
) -> None:
    """Move your tokens of a transferable class to another holder."""
    builder = TxBuilder.from_options(**common)
    refs = builder.refs()
    info = refs.collective(collective)
    builder.finish(
        TokenTransfer(info.id, info.class_index(token_class), refs.account(recipient), amount)
    )


@member.command("delegate")
@COLLECTIVE
@click.option(
    "--to",
    "parts",
    multiple=True,
    metavar="ACCOUNT=PART",
    help="A delegate and the part of your vote (50% or ppm); repeat; none undelegates.",
)
@click.option(
    "--scope",
    default="all",
    show_default=True,
    metavar="all|KIND",
    help="Every proposal kind, or one (admit, spend, governance, ...).",
)
@tx_options
def delegate(*, collective: str, parts: tuple[str, ...], scope: str, **common: Any) -> None:
    """Lend parts of your vote to other members; a vote you cast yourself overrides it."""
    builder = TxBuilder.from_options(**common)
    refs = builder.refs()
    if scope.lower() == "all":
        kind = ALL_KINDS
    else:
        try:
            kind = int(ProposalKind[scope.upper()])
        except KeyError:
            raise click.BadParameter(f"--scope {scope!r}: all or a proposal kind") from None
    splits = []
    for item in parts:
        who, part = split_pair(item, "ACCOUNT=PART")
        splits.append((refs.account(who), parse_ppm(part)))
    splits.sort(key=lambda s: s[0].raw)
    builder.finish(Delegate(refs.collective(collective).id, kind, tuple(splits)))


@member.command("standing")
@click.argument("address", metavar="ADDRESS")
@click.option("--collective", "collective_id", type=COLLECTIVE_ID, required=True, metavar="ID")
@query_options
def standing(
    *,
    address: str,
    collective_id: bytes,
    node_url: str,
    output: str,
    home: Path,
    genesis_path: Path | None,
) -> None:
    """ADDRESS's standing in the collective now: points earned by listed acts, decayed."""
    q = context(node_url, output, home, genesis_path)
    answer = q.get(f"/v1/collectives/{collective_id.hex()}/standing/{quote(address)}")
    policy = answer.get("policy")
    text = f"{answer['member']}: {answer['points']} points ({answer['micro_points']} micro)"
    if policy is None:
        text += "\nthe collective has no reputation policy"
    elif policy.get("vote_weight_ppm"):
        text += f"\na vote opening now counts {answer.get('vote_bonus', 0)} extra voting shares"
    emit(q, answer, text)
