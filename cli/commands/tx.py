"""`coterie tx ...`: build, sign offline, inspect and broadcast transactions."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from cli.broadcast import ChainInfo, collective_names
from cli.errors import CoterieGroup, InvalidInputError, KeystoreCliError
from cli.nodeclient import NodeClient
from cli.options import (
    address_options,
    emit,
    keyring_options,
    load_genesis,
    open_keystore,
    output_option,
    parse_hash,
    resolve_prefix,
    warn,
    write_output,
)
from cli.passwords import existing_password
from cli.sending import Sender, broadcast_file, confirm
from cli.summary import Names
from cli.txflow import POSITIVE_AMOUNT, TxBuilder, describe, node_options, tx_options
from cli.wallet import txfile
from cli.wallet.keystore import KeyInfo, KeyNotFoundError, Keystore
from cli.wallet.txfile import TxDocument, TxFileError
from ledger.genesis import Genesis
from ledger.tx import Transfer, TxBody


@click.group(cls=CoterieGroup)
def tx() -> None:
    """Build, sign and inspect transactions."""


def genesis_hash_option(f: Any) -> Any:
    return click.option(
        "--genesis-hash",
        "genesis_hash_hex",
        metavar="HEX",
        help="The chain's genesis hash, when no genesis.json is at hand.",
    )(f)


def resolve_genesis_hash(genesis: Genesis | None, genesis_hash_hex: str | None) -> bytes | None:
    """The genesis hash from --genesis or --genesis-hash (which must agree if both are given)."""
    given = None if genesis_hash_hex is None else parse_hash(genesis_hash_hex, "--genesis-hash")
    if genesis is None:
        return given
    if given is not None and given != genesis.hash():
        raise click.UsageError("--genesis-hash differs from the hash of --genesis")
    return genesis.hash()


def read_source(source: str, allow_hex: bool = False) -> str:
    """The text of a tx file, of stdin for '-', or (with `allow_hex`) the argument itself."""
    if source == "-":
        return sys.stdin.read(txfile.MAX_FILE_CHARS + 1)
    path = Path(source)
    try:
        is_file = path.is_file()
    except OSError:  # a long hex string is no valid file name
        is_file = False
    if is_file:
        with path.open("rb") as handle:
            raw = handle.read(txfile.MAX_FILE_CHARS + 1)
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise TxFileError(f"{source} is not a text tx file") from exc
    if allow_hex and len(source) >= 2 and all(c in "0123456789abcdefABCDEFx" for c in source):
        return source
    raise InvalidInputError(f"no tx file at {source}")


@tx.command("transfer")
@click.option("--to", "recipient", required=True, metavar="ADDRESS", help="Recipient address.")
@click.option("--amount", type=POSITIVE_AMOUNT, required=True, help="Amount in base units.")
@click.option("--memo", default="", help="A note (up to 256 bytes of UTF-8).")
@tx_options
def transfer(recipient: str, amount: int, memo: str, **common: Any) -> None:
    """Move native coin to ADDRESS. With --generate-only, write the unsigned tx file."""
    builder = TxBuilder.from_options(**common)
    builder.finish(Transfer(builder.address(recipient), amount, memo))


def _signing_key(store: Keystore, signer: str | None, body: TxBody, prefix: str) -> KeyInfo:
    sender = body.sender_address.to_text(prefix)
    if signer is None:
        found = store.find_by_public_key(body.sender)
        if found is None:
            raise KeyNotFoundError(
                f"no stored key is the sender of this tx ({sender}); give --from"
            )
        return found
    info = store.info(signer)
    if info.public_key != body.sender:
        raise KeystoreCliError(
            f"key {signer!r} ({info.address.to_text(prefix)}) is not the sender of this tx "
            f"({sender})"
        )
    return info


@tx.command("sign")
@click.argument("file", metavar="FILE")
@click.option("--from", "signer", metavar="NAME", help="Key to sign with (default: the sender's).")
@genesis_hash_option
@address_options
@keyring_options
@click.option(
    "--out",
    type=click.Path(dir_okay=False, allow_dash=True, path_type=Path),
    help="Write the signed tx file here (default: stdout).",
)
@click.option("-y", "--yes", is_flag=True, help="Sign without asking for confirmation.")
def sign(
    *,
    file: str,
    signer: str | None,
    genesis_hash_hex: str | None,
    prefix: str | None,
    genesis_path: Path | None,
    home: Path,
    insecure_dev: bool,
    password_file: Path | None,
    out: Path | None,
    yes: bool,
) -> None:
    """Sign the unsigned tx in FILE offline ('-' reads stdin), for the chain of a genesis."""
    if file == "-" and not yes:
        raise click.UsageError("with the tx on stdin there is no way to confirm: add -y")
    doc = txfile.parse(read_source(file))
    if doc.signed is not None:
        raise InvalidInputError(f"{file} is already signed")
    genesis = load_genesis(genesis_path)
    genesis_hash = resolve_genesis_hash(genesis, genesis_hash_hex)
    if genesis_hash is None:
        raise click.UsageError(
            "signing needs the chain's identity: give --genesis FILE or --genesis-hash HEX"
        )
    body = doc.body
    if genesis is not None and genesis.chain_id != body.chain_id:
        raise InvalidInputError(
            f"the tx is for chain {body.chain_id!r} but the genesis is for {genesis.chain_id!r}"
        )
    prefix = resolve_prefix(prefix, genesis, doc.prefix)
    store = open_keystore(home)
    info = _signing_key(store, signer, body, prefix)
    warn("Signing with key " + repr(info.name) + " for genesis " + genesis_hash.hex() + ":")
    for line in describe(body, prefix):
        warn("  " + line)
    confirm(yes, "Sign this transaction?")
    if not info.encrypted:
        warn(f"WARNING: signing with the UNENCRYPTED development key {info.name!r}")
    password = existing_password(info.name, password_file)
    key = store.unlock(info.name, password, allow_plaintext=insecure_dev)
    signed = body.sign(key, genesis_hash)
    write_output(
        out, txfile.dumps(txfile.signed_document(signed, prefix, genesis_hash)), "signed tx"
    )


def _show_data(doc: TxDocument, prefix: str, checked: bytes | None) -> dict[str, Any]:
    signed = doc.signed
    return {
        "signed": signed is not None,
        "address_prefix": prefix,
        "tx": txfile.body_view(doc.body, prefix),
        "body_hex": doc.body.encode().hex(),
        "hash": signed.hash.hex() if signed else None,
        "signature": signed.signature.hex() if signed else None,
        "signed_hex": signed.encode().hex() if signed else None,
        "signed_for_genesis": doc.genesis_hash.hex() if doc.genesis_hash else None,
        "checked_genesis": checked.hex() if checked else None,
        "signature_valid": (
            signed.verify_signature(checked) if signed and checked is not None else None
        ),
    }


@tx.command("show")
@click.argument("source", metavar="FILE|HEX")
@genesis_hash_option
@address_options
@output_option
def show(
    *,
    source: str,
    genesis_hash_hex: str | None,
    prefix: str | None,
    genesis_path: Path | None,
    output: str,
) -> None:
    """Decode a tx file, or raw hex of a tx, for a person; check its signature given a genesis."""
    doc = txfile.parse(read_source(source, allow_hex=True))
    genesis = load_genesis(genesis_path)
    checked = resolve_genesis_hash(genesis, genesis_hash_hex)
    prefix = resolve_prefix(prefix, genesis, doc.prefix)
    data = _show_data(doc, prefix, checked)
    lines = describe(doc.body, prefix)
    if doc.signed is None:
        lines += ["status      unsigned", "tx hash     (none until signed)"]
    else:
        lines += ["status      signed", f"tx hash     {data['hash']}"]
        if checked is None:
            lines.append("signature   not checked: give --genesis FILE or --genesis-hash HEX")
        elif data["signature_valid"]:
            lines.append(f"signature   valid for genesis {checked.hex()}")
        else:
            lines.append(f"signature   INVALID for genesis {checked.hex()}")
    if genesis is not None and genesis.chain_id != doc.body.chain_id:
        lines.append(f"note        the genesis is for chain {genesis.chain_id!r}, not this tx's")
    emit(output, data, "\n".join(lines))


@tx.command("broadcast")
@click.argument("file", metavar="FILE")
@node_options
def broadcast(
    *,
    file: str,
    node_url: str,
    wait: bool,
    timeout: float,
    dry_run: bool,
    yes: bool,
    quiet: bool,
    output: str,
) -> None:
    """Send a tx signed offline (`tx sign`) in FILE ('-' reads stdin) and wait for the commit."""
    doc = txfile.parse(read_source(file, allow_hex=True))
    if doc.signed is None:
        raise InvalidInputError(f"{file} is not signed: sign it first with `coterie tx sign`")
    client = NodeClient(node_url)
    chain = ChainInfo.fetch(client)
    names = Names(chain.native_coin, collective_names(client))
    store = open_keystore(Path("."))  # unused: a signed tx needs no key
    sending = Sender(
        client, chain, store, wait, timeout, output, False, None, yes=yes, dry_run=dry_run,
        quiet=quiet, names=names,
    )  # fmt: skip
    broadcast_file(sending, doc.signed, chain.address_prefix, doc.genesis_hash)
