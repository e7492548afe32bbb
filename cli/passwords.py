"""Where a key's password comes from: --password-file, else COTERIE_PASSWORD, else a prompt.

A file or the environment variable serve scripts; a person is prompted (twice for a new key).
The password is read only when it is needed, so a plaintext development key never asks for one.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import click

from cli.errors import CliError, InvalidInputError

PASSWORD_ENV = "COTERIE_PASSWORD"
MIN_PASSWORD_LEN = 8
MAX_PASSWORD_FILE_BYTES = 4096


def _from_file(path: Path) -> str:
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_PASSWORD_FILE_BYTES + 1)
    except OSError as exc:
        raise CliError(f"cannot read password file {path}: {exc.strerror or exc}") from exc
    if len(raw) > MAX_PASSWORD_FILE_BYTES:
        raise CliError(f"password file {path} is larger than {MAX_PASSWORD_FILE_BYTES} bytes")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise CliError(f"password file {path} is not UTF-8") from exc
    lines = text.splitlines()
    return lines[0] if lines else ""


def _given(password_file: Path | None) -> str | None:
    if password_file is not None:
        return _from_file(password_file)
    return os.environ.get(PASSWORD_ENV)


def existing_password(name: str, password_file: Path | None) -> Callable[[], str]:
    """A callable that yields the password of stored key `name`, prompting only if needed."""

    def read() -> str:
        given = _given(password_file)
        if given is not None:
            return given
        return str(click.prompt(f"Password for key {name!r}", hide_input=True, err=True))

    return read


def new_password(name: str, password_file: Path | None) -> str:
    """The password for a new key, confirmed when typed, at least MIN_PASSWORD_LEN characters."""
    password = _given(password_file)
    if password is None:
        password = str(
            click.prompt(
                f"Password for new key {name!r}",
                hide_input=True,
                confirmation_prompt="Repeat the password",
                err=True,
                value_proc=_long_enough,  # refused at once, before it is typed a second time
            )
        )
    if len(password) < MIN_PASSWORD_LEN:
        raise InvalidInputError(_TOO_SHORT)
    return password


_TOO_SHORT = f"the password must have at least {MIN_PASSWORD_LEN} characters"


def _long_enough(text: str) -> str:
    if len(text) < MIN_PASSWORD_LEN:
        raise click.UsageError(f"{_TOO_SHORT}; type a longer one")
    return text
