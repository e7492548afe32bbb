"""`coterie treasury ...`: pay into a collective's treasury, spend from an allowance, claim.

deposit (TREASURY_DEPOSIT: anyone pays, with a memo and an optional invoice reference that the
invoice index keeps), spend (ALLOWANCE_SPEND: a member or role holder spends within an
allowance a passed proposal granted) and claim (HOLDER_CLAIM: a token holder takes what the
payments to its class earned them). docs/governance.md and docs/treasury.md have the rules.
"""

from __future__ import annotations

from typing import Any

import click

from cli.errors import CoterieGroup
from cli.txflow import POSITIVE_AMOUNT, TxBuilder, tx_options
from ledger.collectives.treasury_deposit import TreasuryDeposit
from ledger.governance.kinds import Role
from ledger.treasury.allowance_spend import AllowanceSpend
from ledger.treasury.allowances import Grantee
from ledger.treasury.holder_claim import HolderClaim

MAX_INVOICE_REF = 64
COLLECTIVE = click.option(
    "--collective", required=True, metavar="ID|NAME", help="The collective (id or exact name)."
)
ASSET = click.option(
    "--asset",
    default="native",
    show_default=True,
    metavar="native|COLLECTIVE/CLASS",
    help="The native coin or another collective's token.",
)


@click.group(cls=CoterieGroup)
def treasury() -> None:
    """Pay into a collective's treasury; spend from an allowance; claim holder payouts."""


@treasury.command("deposit")
@COLLECTIVE
@click.option("--amount", type=POSITIVE_AMOUNT, required=True)
@ASSET
@click.option("--memo", default="", help="A note kept with the deposit (up to 256 bytes).")
@click.option("--invoice", default="", help="An invoice reference (up to 64 bytes), indexed.")
@tx_options
def deposit(
    *, collective: str, amount: int, asset: str, memo: str, invoice: str, **common: Any
) -> None:
    """Pay AMOUNT into the collective's treasury (anyone may: dues, a brand deal, a gift)."""
    builder = TxBuilder.from_options(**common)
    refs = builder.refs()
    reference = invoice.encode()
    if len(reference) > MAX_INVOICE_REF:
        raise click.BadParameter(f"--invoice holds up to {MAX_INVOICE_REF} bytes")
    payload = TreasuryDeposit(
        refs.collective(collective).id, refs.asset(asset), amount, memo, reference
    )
    builder.finish(payload)


@treasury.command("spend")
@COLLECTIVE
@click.option("--to", "recipient", required=True, metavar="ACCOUNT", help="Address or key name.")
@click.option("--amount", type=POSITIVE_AMOUNT, required=True)
@ASSET
@click.option("--memo", default="", help="What it pays for (up to 256 bytes).")
@click.option(
    "--role",
    type=click.Choice([r.name.lower() for r in Role]),
    help="Spend the allowance of a role you hold (default: your own allowance as a member).",
)
@tx_options
def spend(
    *,
    collective: str,
    recipient: str,
    amount: int,
    asset: str,
    memo: str,
    role: str | None,
    **common: Any,
) -> None:
    """Spend from an allowance the collective granted you (or your role), without a vote."""
    builder = TxBuilder.from_options(**common)
    refs = builder.refs()
    grantee = (
        Grantee.member(builder.sender.address) if role is None else Grantee.role(Role[role.upper()])
    )
    payload = AllowanceSpend(
        refs.collective(collective).id,
        grantee,
        refs.asset(asset),
        refs.account(recipient),
        amount,
        memo,
    )
    builder.finish(payload)


@treasury.command("claim")
@click.option(
    "--holders-of",
    required=True,
    metavar="COLLECTIVE/CLASS",
    help="The token class you hold (collective id or exact name, then the class index).",
)
@tx_options
def claim(*, holders_of: str, **common: Any) -> None:
    """Take what payments to the holders of a class (dividends, split royalties) earned you."""
    builder = TxBuilder.from_options(**common)
    token_class = builder.refs().asset(holders_of)
    if token_class.is_native:
        raise click.BadParameter("--holders-of names a token class: COLLECTIVE/CLASS")
    builder.finish(HolderClaim(token_class))
