"""`coterie split ...`: revenue splits owned by an account (a collective's own splits change by
proposal: `coterie proposal submit split-create|split-update|split-accept`)."""

from __future__ import annotations

from typing import Any

import click

from cli.commands.govflow import builder_for, finish
from cli.commands.govparse import SPLIT_ID, checked, for_option, format_party, parse_party
from cli.commands.proposal_splits import (
    owner_change,
    owner_change_options,
    parse_consents,
    split_change,
)
from cli.commands.splitterms import (
    build_terms,
    build_tranches,
    describe_terms,
    terms_options,
    tranche_option,
)
from cli.errors import CoterieGroup
from cli.options import emit, keyring_options, open_keystore, output_option
from cli.passwords import existing_password
from cli.txflow import AMOUNT, POSITIVE_AMOUNT, tx_options
from ledger.governance.actions_splits import CollectiveSplitUpdate
from ledger.splits.consent import sign_consent
from ledger.splits.parties import MAX_INVOICE_REF_LEN, MAX_MEMO_LEN
from ledger.splits.payloads import (
    SplitAcceptOwnership,
    SplitCreate,
    SplitDistribute,
    SplitPay,
    SplitUpdate,
)
from ledger.splits.store import split_id_for

SPLIT_OPTION = click.option(
    "--split", "split_id", type=SPLIT_ID, required=True, metavar="ID", help="The split's id."
)


@click.group(cls=CoterieGroup)
def split() -> None:
    """Revenue splits: pay a deal once, every recipient gets their share."""


@split.command("create")
@terms_options(required=True)
@tranche_option
@click.option(
    "--owner",
    metavar="PARTY",
    help="Who may change it (default: you; an address or collective:ID).",
)
@click.option("--immutable", is_flag=True, help="No owner: the terms never change.")
@tx_options
def create(
    *,
    recipients: tuple[str, ...],
    fee_ppm: int | None,
    mode: str | None,
    locked_until: int | None,
    tranches: tuple[str, ...],
    owner: str | None,
    immutable: bool,
    **common: Any,
) -> None:
    """Create a split: recipients with whole numbers of shares, e.g.
    --recipient tcot1…=3 --recipient tcot1…=1 pays them 75% and 25%."""
    if immutable and owner is not None:
        raise click.UsageError("--immutable and --owner exclude each other")
    builder = builder_for(common)
    terms = build_terms(
        recipients, builder.prefix, fee_ppm=fee_ppm, mode=mode, locked_until=locked_until
    )
    tiers = build_tranches(tranches, builder.prefix)
    if immutable:
        owner_party = None
    elif owner is None:
        owner_party = parse_party(builder.sender.address.to_text(builder.prefix), builder.prefix)
    else:
        with for_option("--owner"):
            owner_party = parse_party(owner, builder.prefix)
    split_id = split_id_for(builder.sender.address, builder.nonce)
    shown_owner = (
        "none (immutable)" if owner_party is None else format_party(owner_party, builder.prefix)
    )
    lines = [
        *describe_terms(terms, builder.prefix, tiers),
        f"owner: {shown_owner}",
        f"split id: {split_id.hex()}",
    ]
    finish(builder, SplitCreate(owner_party, terms, tiers), lines)


@split.command("update")
@SPLIT_OPTION
@click.option("--version", type=AMOUNT, help="The split's current version (default: asked).")
@terms_options(required=False)
@owner_change_options
@click.option(
    "--consent",
    "consents",
    multiple=True,
    metavar="KEY:SIG",
    help="A payee's consent to a cut (from `coterie split consent`). Repeatable.",
)
@tx_options
def update(
    *,
    split_id: bytes,
    version: int | None,
    recipients: tuple[str, ...],
    fee_ppm: int | None,
    mode: str | None,
    locked_until: int | None,
    propose_owner: str | None,
    cancel_transfer: bool,
    renounce: bool,
    consents: tuple[str, ...],
    **common: Any,
) -> None:
    """Change a split you own: new terms (options not given keep their current value) and/or
    an ownership step. A payee whose share falls must consent."""
    builder = builder_for(common)
    version, terms, lines = split_change(
        builder,
        split_id=split_id,
        version=version,
        recipients=recipients,
        fee_ppm=fee_ppm,
        mode=mode,
        locked_until=locked_until,
    )
    action, new_owner = owner_change(builder, propose_owner, cancel_transfer, renounce)
    signed = parse_consents(consents)
    payload = SplitUpdate(split_id, version, terms, action, new_owner, signed)
    with checked("invalid split update"):  # the same stateless rules as a collective's update
        CollectiveSplitUpdate(split_id, version, terms, action, new_owner, signed).check()
    finish(builder, payload, lines)


@split.command("consent")
@SPLIT_OPTION
@click.option("--from", "signer", required=True, metavar="NAME", help="The consenting payee.")
@click.option("--version", type=AMOUNT, required=True, help="The split's current version.")
@click.option("--chain-id", required=True, help="The chain the update is for.")
@terms_options(required=True)
@keyring_options
@click.option("--prefix", default="tcot", show_default=True, help="Address prefix.")
@output_option
def consent(
    *,
    split_id: bytes,
    signer: str,
    version: int,
    chain_id: str,
    recipients: tuple[str, ...],
    fee_ppm: int | None,
    mode: str | None,
    locked_until: int | None,
    home: Any,
    insecure_dev: bool,
    password_file: Any,
    prefix: str,
    output: str,
) -> None:
    """Sign your consent to new terms of a split (give the owner the KEY:SIG it prints)."""
    terms = build_terms(recipients, prefix, fee_ppm=fee_ppm, mode=mode, locked_until=locked_until)
    store = open_keystore(home)
    info = store.info(signer)
    for line in describe_terms(terms, prefix):
        click.echo(line, err=True)
    password = existing_password(info.name, password_file)
    key = store.unlock(info.name, password, allow_plaintext=insecure_dev)
    signed = sign_consent(key, chain_id, split_id, version, terms)
    text = f"{signed.public_key.hex()}:{signed.signature.hex()}"
    emit(output, {"consent": text, "signer": info.address.to_text(prefix)}, text)


@split.command("pay")
@SPLIT_OPTION
@click.option("--amount", type=POSITIVE_AMOUNT, required=True, help="Native coin, base units.")
@click.option("--invoice", default="", help=f"Invoice reference (up to {MAX_INVOICE_REF_LEN} B).")
@click.option("--memo", default="", help=f"A note (up to {MAX_MEMO_LEN} bytes).")
@tx_options
def pay(*, split_id: bytes, amount: int, invoice: str, memo: str, **common: Any) -> None:
    """Pay into a split (a push split pays its recipients in the same tx)."""
    ref = invoice.encode()
    if len(ref) > MAX_INVOICE_REF_LEN:
        raise click.BadParameter(f"at most {MAX_INVOICE_REF_LEN} bytes", param_hint="--invoice")
    if len(memo.encode()) > MAX_MEMO_LEN:
        raise click.BadParameter(f"at most {MAX_MEMO_LEN} bytes", param_hint="--memo")
    finish(builder_for(common), SplitPay(split_id, amount, ref, memo))


@split.command("distribute")
@SPLIT_OPTION
@click.option("--amount", type=AMOUNT, default=0, help="How much of the balance (0: all).")
@tx_options
def distribute(*, split_id: bytes, amount: int, **common: Any) -> None:
    """Distribute an accruing split's balance to its recipients (you earn its keeper fee)."""
    finish(builder_for(common), SplitDistribute(split_id, amount))


@split.command("accept-ownership")
@SPLIT_OPTION
@tx_options
def accept_ownership(*, split_id: bytes, **common: Any) -> None:
    """Become the owner of a split whose owner proposed you."""
    finish(builder_for(common), SplitAcceptOwnership(split_id))
