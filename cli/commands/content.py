"""`coterie content anchor`: put the hash of content you made on chain, with where it lives."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import click

from cli.commands.govflow import builder_for, finish
from cli.commands.govparse import COLLECTIVE_ID, HASH32
from cli.errors import CoterieGroup
from cli.txflow import AMOUNT, tx_options
from ledger.content.payloads import ContentAnchor
from ledger.content.records import MAX_CONTENT_KIND_LEN, MAX_URI_LEN
from ledger.economics.endorse import ContentEndorse

_CHUNK = 1 << 20


@click.group(cls=CoterieGroup)
def content() -> None:
    """Content anchored on chain (and moderated by its collective)."""


def file_hash(path: Path) -> bytes:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.digest()


@content.command("anchor")
@click.option("--hash", "content_hash", type=HASH32, metavar="HEX", help="SHA-256 of the content.")
@click.option(
    "--file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Or: hash this file (SHA-256).",
)
@click.option("--uri", required=True, help=f"Where it lives, e.g. ipfs://… (≤{MAX_URI_LEN} B).")
@click.option(
    "--kind", required=True, help=f"What it is: video, post… (≤{MAX_CONTENT_KIND_LEN} B)."
)
@click.option("--collective", type=COLLECTIVE_ID, metavar="ID", help="Anchor it in a collective.")
@tx_options
def anchor(
    *,
    content_hash: bytes | None,
    file: Path | None,
    uri: str,
    kind: str,
    collective: bytes | None,
    **common: Any,
) -> None:
    """Anchor content you authored; in a collective (members only) its moderators and members
    can moderate it."""
    if (content_hash is None) == (file is None):
        raise click.UsageError("give exactly one of --hash or --file")
    if file is not None:
        content_hash = file_hash(file)
    assert content_hash is not None
    if len(uri.encode()) > MAX_URI_LEN:
        raise click.BadParameter(f"at most {MAX_URI_LEN} bytes", param_hint="--uri")
    if not kind or len(kind.encode()) > MAX_CONTENT_KIND_LEN:
        raise click.BadParameter(f"1 to {MAX_CONTENT_KIND_LEN} bytes", param_hint="--kind")
    builder = builder_for(common)
    lines = [f"content hash: {content_hash.hex()}"]
    finish(builder, ContentAnchor(content_hash, uri, kind, collective), lines)


@content.command("endorse")
@click.argument("round_id", type=AMOUNT)
@click.option("--hash", "content_hash", type=HASH32, metavar="HEX", help="The content's hash.")
@click.option(
    "--file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Or: the content itself (hashed with SHA-256).",
)
@tx_options
def endorse(*, round_id: int, content_hash: bytes | None, file: Path | None, **common: Any) -> None:
    """Endorse content in curation round ROUND_ID (members from before the round; not your own
    content; your weight is spread over everything you endorse in the round)."""
    if (content_hash is None) == (file is None):
        raise click.UsageError("give exactly one of --hash or --file")
    if file is not None:
        content_hash = file_hash(file)
    assert content_hash is not None
    finish(builder_for(common), ContentEndorse(round_id, content_hash))
