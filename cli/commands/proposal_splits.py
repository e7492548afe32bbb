"""A collective's own splits, changed only by its proposals (`coterie proposal submit
split-create|split-update|split-accept`), and the update pieces `coterie split update` shares:
ownership steps, payee consents and new terms that start from the current ones."""

from __future__ import annotations

from typing import Any

import click

from cli.commands.govflow import builder_for, node_record, proposal_options, submit_proposal
from cli.commands.govparse import SPLIT_ID, checked, for_option, hex_bytes, parse_party
from cli.commands.splitterms import (
    build_terms,
    build_tranches,
    describe_terms,
    terms_from_json,
    terms_options,
    tranche_option,
)
from cli.txflow import AMOUNT, TxBuilder, tx_options
from ledger.governance.actions_splits import (
    CollectiveSplitAccept,
    CollectiveSplitCreate,
    CollectiveSplitUpdate,
)
from ledger.keys import PUBLIC_KEY_LEN, SIGNATURE_LEN
from ledger.splits.admin import OwnerAction
from ledger.splits.consent import Consent
from ledger.splits.parties import Party


@click.command("split-create")
@terms_options(required=True)
@tranche_option
@proposal_options
@tx_options
def split_create(
    *,
    recipients: tuple[str, ...],
    fee_ppm: int | None,
    mode: str | None,
    locked_until: int | None,
    tranches: tuple[str, ...],
    collective: bytes,
    metadata: str,
    expedited: bool,
    **common: Any,
) -> None:
    """Create a split owned by the collective (changed only by its proposals)."""
    builder = builder_for(common)
    terms = build_terms(
        recipients, builder.prefix, fee_ppm=fee_ppm, mode=mode, locked_until=locked_until
    )
    tiers = build_tranches(tranches, builder.prefix)
    lines = [*describe_terms(terms, builder.prefix, tiers), "the split's id is set on execution"]
    submit_proposal(
        builder,
        collective=collective,
        actions=(CollectiveSplitCreate(terms, tiers),),
        metadata=metadata,
        expedited=expedited,
        lines=lines,
    )


def owner_change_options(f: Any) -> Any:
    f = click.option("--renounce", is_flag=True, help="Drop the owner: immutable forever.")(f)
    f = click.option("--cancel-transfer", is_flag=True, help="Withdraw a proposed new owner.")(f)
    return click.option(
        "--propose-owner",
        metavar="PARTY",
        help="Name a new owner (an address or collective:ID), who must accept.",
    )(f)


def owner_change(
    builder: TxBuilder, propose_owner: str | None, cancel_transfer: bool, renounce: bool
) -> tuple[OwnerAction, Party | None]:
    if sum((propose_owner is not None, cancel_transfer, renounce)) > 1:
        raise click.UsageError("give one of --propose-owner, --cancel-transfer, --renounce")
    if propose_owner is not None:
        with for_option("--propose-owner"):
            return OwnerAction.PROPOSE, parse_party(propose_owner, builder.prefix)
    if cancel_transfer:
        return OwnerAction.CANCEL, None
    if renounce:
        return OwnerAction.RENOUNCE, None
    return OwnerAction.KEEP, None


def parse_consents(specs: tuple[str, ...]) -> tuple[Consent, ...]:
    """Consents made with `coterie split consent`: PUBLIC_KEY:SIGNATURE in hex."""
    out = []
    with for_option("--consent"):
        for spec in specs:
            key_text, sep, sig_text = spec.partition(":")
            if not sep:
                raise click.BadParameter(f"{spec[:20]}…: expected PUBLIC_KEY:SIGNATURE")
            out.append(
                Consent(
                    hex_bytes(key_text, PUBLIC_KEY_LEN, "a public key"),
                    hex_bytes(sig_text, SIGNATURE_LEN, "a signature"),
                )
            )
    return tuple(out)


def current_split(builder: TxBuilder, split_id: bytes) -> dict[str, Any] | None:
    data = node_record(builder, f"/v1/splits/{split_id.hex()}", f"split {split_id.hex()}")
    return data if isinstance(data, dict) else None


def split_change(
    builder: TxBuilder,
    *,
    split_id: bytes,
    version: int | None,
    recipients: tuple[str, ...],
    fee_ppm: int | None,
    mode: str | None,
    locked_until: int | None,
) -> tuple[int, Any, list[str]]:
    """(version, new terms or None, summary lines) for an update of a split."""
    current = current_split(builder, split_id)
    if version is None:
        if current is None:
            raise click.UsageError("with --generate-only, give --version (the split's current)")
        version = int(current["version"])
    changing = bool(recipients) or any(v is not None for v in (fee_ppm, mode, locked_until))
    if not changing:
        return version, None, []
    base = terms_from_json(current, builder.prefix) if current is not None else None
    if base is None and not recipients:
        raise click.UsageError("with --generate-only, give the full --recipient list")
    terms = build_terms(
        recipients, builder.prefix, fee_ppm=fee_ppm, mode=mode, locked_until=locked_until, base=base
    )
    return version, terms, describe_terms(terms, builder.prefix)


@click.command("split-update")
@click.option("--split", "split_id", type=SPLIT_ID, required=True, metavar="ID")
@click.option("--version", type=AMOUNT, help="The split's current version (default: asked).")
@terms_options(required=False)
@owner_change_options
@click.option("--consent", "consents", multiple=True, metavar="KEY:SIG", help="A payee's consent.")
@proposal_options
@tx_options
def split_update(
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
    collective: bytes,
    metadata: str,
    expedited: bool,
    **common: Any,
) -> None:
    """Change a split the collective owns. Members who vote yes consent to their own cut;
    other payees whose share falls must sign (`coterie split consent`)."""
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
    action_kind, new_owner = owner_change(builder, propose_owner, cancel_transfer, renounce)
    action = CollectiveSplitUpdate(
        split_id, version, terms, action_kind, new_owner, parse_consents(consents)
    )
    with checked("invalid split update"):
        action.check()
    submit_proposal(
        builder,
        collective=collective,
        actions=(action,),
        metadata=metadata,
        expedited=expedited,
        lines=lines,
    )


@click.command("split-accept")
@click.option("--split", "split_id", type=SPLIT_ID, required=True, metavar="ID")
@proposal_options
@tx_options
def split_accept(
    *, split_id: bytes, collective: bytes, metadata: str, expedited: bool, **common: Any
) -> None:
    """Take over a split whose owner proposed the collective as its new owner."""
    builder = builder_for(common)
    submit_proposal(
        builder,
        collective=collective,
        actions=(CollectiveSplitAccept(split_id),),
        metadata=metadata,
        expedited=expedited,
    )


def register_splits(group: click.Group) -> None:
    for command in (split_create, split_update, split_accept):
        group.add_command(command)
