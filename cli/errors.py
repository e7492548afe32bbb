"""The one place where our exceptions become click errors with a clear message and exit code.

Every command group of the `coterie` command is a `CoterieGroup`, whose `invoke` runs the chosen
command inside `map_errors()`. Library code raises its own exceptions (it knows nothing of click);
a user mistake reaches the terminal as one line, never as a traceback.

Exit codes (stable, documented in docs/cli.md):
    0  success
    1  any other error (for example a file that cannot be written, or `coterie init` on an
       existing home without --force)
    2  usage error (click's own: unknown option, bad value)
    3  invalid input: malformed tx or tx file, bad address, bad genesis, bad hex, bad node
       config.toml, unreadable node or validator key file, corrupted sign state
    4  keystore: unknown or existing key, corrupted key file, plaintext key refused
    5  wrong password
    6  the node cannot be reached, or answered with an error
    7  the simulator found a violated property (`coterie sim`)
    8  the node refused the tx, or it was not committed within the wait
    9  `query --verify`: the answer does not verify (cli/querycontext.py)
   10  the node has no such thing: an unknown collective, proposal, split, content, tx or block
       (a 404 answer), so a script tells "not there" from "node down" (6)
   11  `query --verify`, `light trust`: the trusted state is older than the trust period
   12  `query --verify`: a fork was detected (the evidence file is named)
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from enum import IntEnum
from typing import Any, ClassVar

import click

from cli.broadcast import TxNotCommittedError, TxRefusedError
from cli.nodeclient import NodeApiError, NodeClientError
from cli.wallet.keystore import KeystoreError, WrongPasswordError
from cli.wallet.txfile import TxFileError
from consensus.errors import SignStateCorruptError
from ledger.bech32m import AddressError
from ledger.codec import MalformedError
from ledger.genesis import GenesisError
from node.config import ConfigError
from node.home import HomeError
from node.keyfile import KeyFileError
from node.startup import NodeStartError


class ExitCode(IntEnum):
    OK = 0
    ERROR = 1
    USAGE = 2
    INVALID_INPUT = 3
    KEYSTORE = 4
    WRONG_PASSWORD = 5
    UNAVAILABLE = 6
    VIOLATION = 7
    TX_FAILED = 8
    VERIFY_FAILED = 9
    NOT_FOUND = 10
    TRUST_EXPIRED = 11
    FORK = 12


class CliError(click.ClickException):
    """A user-facing error; each subclass has its own exit code (a class variable in click)."""

    exit_code: ClassVar[int] = ExitCode.ERROR


class InvalidInputError(CliError):
    exit_code: ClassVar[int] = ExitCode.INVALID_INPUT


class KeystoreCliError(CliError):
    exit_code: ClassVar[int] = ExitCode.KEYSTORE


class WrongPasswordCliError(CliError):
    exit_code: ClassVar[int] = ExitCode.WRONG_PASSWORD


class UnavailableError(CliError):
    exit_code: ClassVar[int] = ExitCode.UNAVAILABLE


class NotFoundError(CliError):
    exit_code: ClassVar[int] = ExitCode.NOT_FOUND


class TxFailedError(CliError):
    exit_code: ClassVar[int] = ExitCode.TX_FAILED


def to_cli_error(exc: BaseException) -> CliError | None:
    """The click error for one of our exceptions, or None when it is not a user-facing one."""
    if isinstance(exc, WrongPasswordError):
        return WrongPasswordCliError(str(exc))
    if isinstance(exc, KeystoreError):
        return KeystoreCliError(str(exc))
    if isinstance(exc, TxFileError):
        return InvalidInputError(str(exc))
    if isinstance(exc, MalformedError):
        return InvalidInputError(f"malformed transaction: {exc}")
    if isinstance(exc, AddressError):
        return InvalidInputError(f"invalid address: {exc}")
    if isinstance(exc, GenesisError):
        return InvalidInputError(f"genesis: {exc}")
    if isinstance(exc, ConfigError | KeyFileError | SignStateCorruptError):
        return InvalidInputError(str(exc))
    if isinstance(exc, NodeApiError) and exc.status == 404:
        return NotFoundError(str(exc))
    if isinstance(exc, NodeClientError):
        return UnavailableError(str(exc))
    if isinstance(exc, TxRefusedError | TxNotCommittedError):
        return TxFailedError(str(exc))
    if isinstance(exc, HomeError | NodeStartError):
        return CliError(str(exc))
    if isinstance(exc, OSError):
        where = f" {exc.filename}" if exc.filename else ""
        return CliError(f"cannot access{where}: {exc.strerror or exc}")
    return None


@contextmanager
def map_errors() -> Iterator[None]:
    """Re-raise our exceptions as `CliError`; click's own exceptions pass through untouched."""
    try:
        yield
    except click.ClickException:
        raise
    except Exception as exc:
        mapped = to_cli_error(exc)
        if mapped is None:
            raise
        raise mapped from exc


class CoterieGroup(click.Group):
    """A click group whose commands report our exceptions as clean errors."""

    def invoke(self, ctx: click.Context) -> Any:
        with map_errors():
            return super().invoke(ctx)
