"""Options and helpers shared by the wallet commands: home, keystore, prefix, genesis, output.

Each decorator adds a group of click options to a command; the matching `resolve_*` / `open_*`
function turns their values into what the command needs. Commands of later tx kinds reuse them.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from cli.errors import CliError, InvalidInputError
from cli.wallet.keystore import KeyInfo, Keystore
from cli.wallet.sealing import ScryptParams, check_scrypt_n
from cli.wallet.txfile import is_valid_prefix
from ledger.genesis import Genesis

F = TypeVar("F", bound=Callable[..., Any])

DEFAULT_HOME = "~/.coterie"
DEFAULT_PREFIX = "tcot"
HOME_ENV = "COTERIE_HOME"
# Lowers the scrypt cost of keys created from now on. For test suites only: a low n makes a stolen
# key file cheap to brute-force. Reading a key always uses the n stored in its file.
SCRYPT_N_ENV = "COTERIE_KEYSTORE_SCRYPT_N"
_HASH_LEN = 32


def home_option(f: F) -> F:
    return click.option(
        "--home",
        type=click.Path(file_okay=False, path_type=Path),
        envvar=HOME_ENV,
        default=DEFAULT_HOME,
        show_default=True,
        help=f"Wallet home; keys live in HOME/keys. Env: {HOME_ENV}.",
    )(f)


def keyring_options(f: F) -> F:
    """--home, --insecure-dev and --password-file: everything needed to use stored keys."""
    f = click.option(
        "--password-file",
        type=click.Path(dir_okay=False, path_type=Path),
        help="Read the password from the first line of FILE (or set COTERIE_PASSWORD).",
    )(f)
    f = click.option(
        "--insecure-dev",
        is_flag=True,
        help="Allow plaintext (unencrypted) keys: for local development only.",
    )(f)
    return home_option(f)


def address_options(f: F) -> F:
    """--prefix and --genesis: which chain's address prefix to show and accept."""
    f = click.option(
        "--genesis",
        "genesis_path",
        type=click.Path(dir_okay=False, path_type=Path),
        help="Take the address prefix (and chain id) from this genesis.json.",
    )(f)
    return click.option(
        "--prefix",
        help=f"Address prefix (default {DEFAULT_PREFIX}, or the genesis's).",
    )(f)


def output_option(f: F) -> F:
    return click.option(
        "--output",
        type=click.Choice(["text", "json"]),
        default="text",
        show_default=True,
        help="Output format; json is for scripts.",
    )(f)


def open_keystore(home: Path) -> Keystore:
    raw = os.environ.get(SCRYPT_N_ENV)
    if raw is None:
        return Keystore(home.expanduser())
    try:
        n = check_scrypt_n(int(raw))
    except ValueError as exc:
        raise click.UsageError(f"{SCRYPT_N_ENV}: {exc}") from exc
    return Keystore(home.expanduser(), ScryptParams(n=n))


def load_genesis(path: Path | None) -> Genesis | None:
    return None if path is None else Genesis.load(path)


def resolve_prefix(prefix: str | None, genesis: Genesis | None, fallback: str | None = None) -> str:
    """The prefix to use: --prefix, else the genesis's, else `fallback`, else the default."""
    if prefix is not None:
        if not is_valid_prefix(prefix):
            raise click.UsageError(
                f"invalid --prefix {prefix!r}: use 1 to 16 lowercase letters or digits"
            )
        if genesis is not None and genesis.params.address_prefix != prefix:
            raise click.UsageError(
                f"--prefix {prefix!r} differs from the genesis prefix "
                f"{genesis.params.address_prefix!r}"
            )
        return prefix
    if genesis is not None:
        return genesis.params.address_prefix
    return fallback or DEFAULT_PREFIX


def parse_hash(text: str, what: str) -> bytes:
    try:
        data = bytes.fromhex(text.strip().removeprefix("0x"))
    except ValueError as exc:
        raise InvalidInputError(f"{what} is not hex") from exc
    if len(data) != _HASH_LEN:
        raise InvalidInputError(f"{what} must be {_HASH_LEN} bytes ({2 * _HASH_LEN} hex digits)")
    return data


def key_json(info: KeyInfo, prefix: str) -> dict[str, Any]:
    return {
        "name": info.name,
        "address": info.address.to_text(prefix),
        "public_key": info.public_key.hex(),
        "encrypted": info.encrypted,
        "path": str(info.path),
    }


def emit(output: str, data: Any, text: str) -> None:
    """Print `data` as JSON or `text` for a person, on stdout."""
    click.echo(json.dumps(data, indent=2, ensure_ascii=False) if output == "json" else text)


def warn(message: str) -> None:
    """Warnings and notes go to stderr, so stdout stays clean for scripts."""
    click.echo(message, err=True)


def write_output(out: Path | None, text: str, what: str) -> None:
    """Write `text` to `out` (atomically), or to stdout when `out` is None or '-'."""
    if out is None or str(out) == "-":
        click.echo(text, nl=False)
        return
    tmp = out.with_name(f".{out.name}.{os.getpid()}.tmp")
    try:
        tmp.write_text(text)
        tmp.replace(out)
    except OSError as exc:
        raise CliError(f"cannot write {out}: {exc.strerror or exc}") from exc
    finally:
        tmp.unlink(missing_ok=True)
    warn(f"wrote {what} to {out}")
