"""What the light client reads from a node, decoded at the boundary (every failure becomes a
`VerificationError`), and what it hands back: state values proven at a verified header."""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass
from typing import Any

from cli.lightclient.errors import VerificationError
from ledger.block import Commit, Header
from ledger.codec import MalformedError, decode

MAX_HEADER_BYTES = 4096


def wall_clock() -> int:
    return int(time.time() * 1000)


def date_text(ms: int) -> str:
    return dt.datetime.fromtimestamp(ms / 1000, tz=dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


@dataclass(frozen=True)
class VerifiedState:
    """State values proven against the state root of a verified header."""

    height: int
    header: Header
    values: dict[bytes, bytes | None]

    def get(self, key: bytes) -> bytes | None:
        return self.values[key]


def hex_field(data: Any, what: str) -> bytes:
    if not isinstance(data, str):
        raise VerificationError(f"the node's {what} is missing")
    try:
        return bytes.fromhex(data)
    except ValueError:
        raise VerificationError(f"the node's {what} is not hex") from None


def decode_header(data: Any) -> Header:
    try:
        return Header.from_fields(decode(hex_field(data, "header"), MAX_HEADER_BYTES))
    except MalformedError as exc:
        raise VerificationError(f"the node's header does not decode: {exc}") from exc


def decode_commit(data: Any) -> Commit:
    try:
        return Commit.decode(hex_field(data, "commit"))
    except MalformedError as exc:
        raise VerificationError(f"the node's commit does not decode: {exc}") from exc
