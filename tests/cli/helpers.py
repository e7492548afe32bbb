"""Constants and small helpers shared by the CLI tests (fixtures live in conftest.py)."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from click.testing import Result

from ledger.keys import PrivateKey

PASSWORD = "correct horse battery"
ALICE_SEED = bytes(range(32))
BOB_SEED = bytes(range(1, 33))
CHAIN_ID = "coterie-test"

Invoke = Callable[..., Result]


@dataclass(frozen=True)
class StoredKey:
    name: str
    key: PrivateKey
    path: Path

    def address(self, prefix: str = "tcot") -> str:
        return self.key.address.to_text(prefix)


def read_json(result: Result) -> Any:
    """The JSON a command printed on stdout (warnings go to stderr)."""
    return json.loads(result.stdout)


def fails(result: Result, exit_code: int, *fragments: str) -> None:
    """Assert a clean failure: this exit code, these words in the message, no traceback."""
    assert result.exit_code == exit_code, (result.exit_code, result.output)
    assert "Traceback" not in result.output
    for fragment in fragments:
        assert fragment in result.output, (fragment, result.output)
