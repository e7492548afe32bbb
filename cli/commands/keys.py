"""`coterie keys ...`: create (with a BIP-39 mnemonic backup), recover, list, show, import,
export and delete wallet keys."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from cli.errors import CoterieGroup, InvalidInputError
from cli.options import (
    address_options,
    emit,
    home_option,
    key_json,
    keyring_options,
    load_genesis,
    open_keystore,
    output_option,
    resolve_prefix,
    warn,
)
from cli.passwords import existing_password, new_password
from cli.sending import confirm
from cli.wallet.keystore import (
    BrokenKey,
    CorruptKeyFileError,
    KeyExistsError,
    KeyInfo,
    Keystore,
    check_name,
)
from cli.wallet.mnemonic import PATH_TEXT, WORDS, MnemonicError, key_from_mnemonic, new_mnemonic
from ledger.keys import SEED_LEN, PrivateKey

F = TypeVar("F", bound=Callable[..., Any])


@click.group(cls=CoterieGroup)
def keys() -> None:
    """Manage wallet keys (stored encrypted, one file per key in HOME/keys)."""


def wallet_options(f: F) -> F:
    """--home, --insecure-dev, --password-file, --prefix, --genesis and --output."""
    return keyring_options(address_options(output_option(f)))


def _open(home: Path, prefix: str | None, genesis_path: Path | None) -> tuple[Keystore, str]:
    """The keystore and the address prefix to show: what nearly every keys command needs."""
    return open_keystore(home), resolve_prefix(prefix, load_genesis(genesis_path))


def _describe(info: KeyInfo, prefix: str) -> str:
    storage = "encrypted" if info.encrypted else "PLAINTEXT (development only)"
    return (
        f"name        {info.name}\n"
        f"address     {info.address.to_text(prefix)}\n"
        f"public key  {info.public_key.hex()}\n"
        f"storage     {storage}\n"
        f"file        {info.path}"
    )


def _store(
    store: Keystore, name: str, key: PrivateKey, insecure_dev: bool, password_file: Path | None
) -> KeyInfo:
    """Store a new key: encrypted under a new password, or in plaintext if --insecure-dev."""
    if insecure_dev:
        info = store.add_plaintext(name, key)
        warn(
            f"WARNING: key {name!r} is stored UNENCRYPTED in {info.path} (--insecure-dev).\n"
            "WARNING: anyone who can read that file controls the key. Use it for development only."
        )
        return info
    return store.add(name, key, new_password(name, password_file))


def _store_restored(
    store: Keystore, name: str, key: PrivateKey, insecure_dev: bool, password_file: Path | None
) -> KeyInfo:
    """`_store` for a key that may exist already (recovered or imported): say under which name."""
    twin = store.find_by_public_key(key.public_key)
    if twin is not None:
        warn(f"note: the same key is already stored as {twin.name!r}")
    return _store(store, name, key, insecure_dev, password_file)


def _refuse_existing(store: Keystore, name: str) -> None:
    """Fail before any prompt when the name is taken (the write checks again, atomically)."""
    if store.exists(check_name(name)):
        raise KeyExistsError(f"a key named {name!r} already exists ({store.path(name)})")


@keys.command("new")
@click.argument("name")
@wallet_options
def new_key(
    *,
    name: str,
    home: Path,
    insecure_dev: bool,
    password_file: Path | None,
    prefix: str | None,
    genesis_path: Path | None,
    output: str,
) -> None:
    """Create a new key NAME from a fresh 24-word mnemonic, shown once: write it down."""
    store, prefix = _open(home, prefix, genesis_path)
    _refuse_existing(store, name)
    words = new_mnemonic()
    info = _store(store, name, key_from_mnemonic(words), insecure_dev, password_file)
    data = {**key_json(info, prefix), "mnemonic": words, "derivation": PATH_TEXT}
    if output == "text":
        warn(
            f"\nWrite down these {WORDS} words, in order, and keep them offline. They are the only "
            "backup:\nanyone who has them controls the key, and without them a lost or broken "
            "machine loses it.\n"
        )
        numbered = [f"{i + 1:2}. {w:<9}" for i, w in enumerate(words.split())]
        for row in range(0, WORDS, 6):
            warn("  " + "  ".join(numbered[row : row + 6]))
        warn(
            f"\nWARNING: until you have written them down, key {name!r} exists only on this "
            f"machine.\nRecover it anywhere with `coterie keys recover {name}`.\n"
        )
    emit(output, data, f"created key {name!r}\n{_describe(info, prefix)}")


def _read_mnemonic(name: str, mnemonic_file: Path | None) -> str:
    if mnemonic_file is not None:
        return mnemonic_file.read_text()
    return str(click.prompt(f"The {WORDS} words of key {name!r}", hide_input=True, err=True))


@keys.command("recover")
@click.argument("name")
@click.option(
    "--mnemonic-file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Read the words from FILE instead of a prompt.",
)
@wallet_options
def recover_key(
    *,
    name: str,
    mnemonic_file: Path | None,
    home: Path,
    insecure_dev: bool,
    password_file: Path | None,
    prefix: str | None,
    genesis_path: Path | None,
    output: str,
) -> None:
    """Recreate key NAME from its mnemonic (the words `keys new` showed), under a new password."""
    store, prefix = _open(home, prefix, genesis_path)
    _refuse_existing(store, name)
    try:
        key = key_from_mnemonic(_read_mnemonic(name, mnemonic_file))
    except MnemonicError as exc:
        raise InvalidInputError(f"invalid mnemonic: {exc}") from exc
    info = _store_restored(store, name, key, insecure_dev, password_file)
    emit(output, key_json(info, prefix), f"recovered key {name!r}\n{_describe(info, prefix)}")


@keys.command("list")
@home_option
@address_options
@output_option
def list_keys(
    *,
    home: Path,
    prefix: str | None,
    genesis_path: Path | None,
    output: str,
) -> None:
    """List the stored keys with their addresses."""
    store, prefix = _open(home, prefix, genesis_path)
    entries = store.entries()
    rows: list[dict[str, object]] = []
    lines: list[str] = []
    for entry in entries:
        if isinstance(entry, BrokenKey):
            rows.append({"name": entry.name, "error": entry.reason, "path": str(entry.path)})
            lines.append(f"{entry.name:<20} UNREADABLE: {entry.reason}")
            continue
        rows.append(key_json(entry, prefix))
        storage = "encrypted" if entry.encrypted else "PLAINTEXT"
        lines.append(f"{entry.name:<20} {entry.address.to_text(prefix)}  {storage}")
    if not entries:
        text = f"no keys in {store.keys_dir} (create one with `coterie keys new NAME`)"
    else:
        text = "\n".join([f"{'NAME':<20} {'ADDRESS':<44} STORAGE", *lines])
    emit(output, rows, text)


@keys.command("show")
@click.argument("name")
@click.option("--address", "address_only", is_flag=True, help="Print only the address.")
@home_option
@address_options
@output_option
def show_key(
    *,
    name: str,
    address_only: bool,
    home: Path,
    prefix: str | None,
    genesis_path: Path | None,
    output: str,
) -> None:
    """Show the address and public key of NAME (no password needed)."""
    store, prefix = _open(home, prefix, genesis_path)
    info = store.info(name)
    if address_only:
        click.echo(info.address.to_text(prefix))
        return
    emit(output, key_json(info, prefix), _describe(info, prefix))


def _read_seed(name: str, seed_file: Path | None) -> bytes:
    if seed_file is not None:
        text = seed_file.read_text()
    else:
        text = str(click.prompt(f"Hex seed for key {name!r}", hide_input=True, err=True))
    cleaned = "".join(text.split()).removeprefix("0x")
    try:
        seed = bytes.fromhex(cleaned)
    except ValueError as exc:
        raise InvalidInputError("the seed is not hex") from exc
    if len(seed) != SEED_LEN:
        raise InvalidInputError(
            f"a seed is {SEED_LEN} bytes ({2 * SEED_LEN} hex digits), got {len(seed)}"
        )
    return seed


@keys.command("import")
@click.argument("name")
@click.option(
    "--seed-file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Read the hex seed from FILE instead of a prompt.",
)
@wallet_options
def import_key(
    *,
    name: str,
    seed_file: Path | None,
    home: Path,
    insecure_dev: bool,
    password_file: Path | None,
    prefix: str | None,
    genesis_path: Path | None,
    output: str,
) -> None:
    """Import NAME from a 32-byte hex seed (as printed by `keys export`)."""
    store, prefix = _open(home, prefix, genesis_path)
    _refuse_existing(store, name)
    key = PrivateKey(_read_seed(name, seed_file))
    info = _store_restored(store, name, key, insecure_dev, password_file)
    emit(output, key_json(info, prefix), f"imported key {name!r}\n{_describe(info, prefix)}")


@keys.command("export")
@click.argument("name")
@wallet_options
def export_key(
    *,
    name: str,
    home: Path,
    insecure_dev: bool,
    password_file: Path | None,
    prefix: str | None,
    genesis_path: Path | None,
    output: str,
) -> None:
    """Print the hex seed of NAME (needs its password). Anyone with the seed owns the key."""
    store, prefix = _open(home, prefix, genesis_path)
    key = store.unlock(name, existing_password(name, password_file), allow_plaintext=insecure_dev)
    warn(
        "WARNING: this is the secret seed of the key. Anyone who sees it controls the account.\n"
        "WARNING: store it offline; never paste it into a website, chat or issue."
    )
    data = {"name": name, "address": key.address.to_text(prefix), "seed": key.seed().hex()}
    emit(output, data, key.seed().hex())


@keys.command("delete")
@click.argument("name")
@click.option("-y", "--yes", is_flag=True, help="Do not ask for confirmation.")
@home_option
@address_options
@output_option
def delete_key(
    *,
    name: str,
    yes: bool,
    home: Path,
    prefix: str | None,
    genesis_path: Path | None,
    output: str,
) -> None:
    """Delete NAME from the keystore. Without a backup the key is lost."""
    store, prefix = _open(home, prefix, genesis_path)
    try:
        what = store.info(name).address.to_text(prefix)
    except CorruptKeyFileError:  # a broken file must stay deletable
        if not store.exists(name):
            raise
        what = "unreadable key file"
    confirm(yes, f"Delete key {name!r} ({what})? Without a backup it cannot be recovered")
    store.delete(name)
    emit(output, {"name": name, "deleted": True}, f"deleted key {name!r}")
