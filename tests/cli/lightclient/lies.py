"""Helpers of the lying-node tests (not a test module): an honest pass-through, the one-line
refusal check, and a header re-signed by every genesis validator."""

from __future__ import annotations

import dataclasses
from typing import Any

from ledger import codec
from ledger.block import Block, Header
from tests.cli.lightclient.devchain import VALIDATORS, make_genesis, sign_commit

YEAR_2100_MS = 4_102_444_800_000


def honest(_path: str, data: Any) -> Any:
    return data


def one_line(result: Any, code: int, *words: str) -> None:
    assert result.exit_code == code, result.output
    line = result.output.strip()
    assert "\n" not in line and "Traceback" not in line, result.output
    for word in words:
        assert word in line, line


def resigned(data: dict[str, Any], **changes: Any) -> tuple[Header, str]:
    """The answer's header with `changes`, signed by every genesis validator."""
    header = Header.from_fields(codec.decode(bytes.fromhex(data["header_msgpack"])))
    forged = dataclasses.replace(header, **changes)
    commit = sign_commit(make_genesis(), Block(forged, (), (), None), VALIDATORS)
    data["header_msgpack"] = forged.encode().hex()
    data["commit_msgpack"] = commit.encode().hex()
    data["height"] = forged.height
    return forged, commit.encode().hex()
