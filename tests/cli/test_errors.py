"""The one mapping from our exceptions to click errors and exit codes."""

from __future__ import annotations

import click
import pytest

from cli.errors import CliError, ExitCode, map_errors, to_cli_error
from cli.wallet.keystore import CorruptKeyFileError, KeyNotFoundError, WrongPasswordError
from cli.wallet.txfile import TxFileError
from ledger.bech32m import AddressError
from ledger.codec import MalformedError
from ledger.genesis import GenesisError


@pytest.mark.parametrize(
    ("exc", "code", "text"),
    [
        (WrongPasswordError("wrong password for key 'a'"), ExitCode.WRONG_PASSWORD, "wrong"),
        (KeyNotFoundError("no key named 'a'"), ExitCode.KEYSTORE, "no key"),
        (CorruptKeyFileError("key file x is corrupted"), ExitCode.KEYSTORE, "corrupted"),
        (TxFileError("not a tx file"), ExitCode.INVALID_INPUT, "not a tx file"),
        (MalformedError("tx: bad"), ExitCode.INVALID_INPUT, "malformed transaction: tx: bad"),
        (AddressError("checksum"), ExitCode.INVALID_INPUT, "invalid address: checksum"),
        (GenesisError("no genesis"), ExitCode.INVALID_INPUT, "genesis: no genesis"),
        (PermissionError(13, "Permission denied", "/x"), ExitCode.ERROR, "cannot access /x"),
    ],
)
def test_each_error_has_its_exit_code(exc: Exception, code: ExitCode, text: str) -> None:
    mapped = to_cli_error(exc)
    assert isinstance(mapped, CliError)
    assert mapped.exit_code == code
    assert text in mapped.format_message()
    with pytest.raises(CliError) as raised, map_errors():
        raise exc
    assert raised.value.__cause__ is exc


def test_bugs_are_not_disguised() -> None:
    with pytest.raises(KeyError), map_errors():
        raise KeyError("a bug")
    usage = click.UsageError("bad option")
    with pytest.raises(click.UsageError) as raised, map_errors():
        raise usage
    assert raised.value is usage
