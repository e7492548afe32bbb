"""Constants and small helpers shared by the CLI tests (fixtures live in conftest.py)."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from click.testing import Result

from ledger.genesis import Genesis
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


@dataclass(frozen=True)
class Devnet:
    url: str
    genesis: Genesis
    root: Path

    def get(self, path: str) -> Any:
        with urllib.request.urlopen(self.url + path, timeout=10) as response:
            return json.loads(response.read())


@dataclass(frozen=True)
class LiveWallet:
    """Runs `coterie ARGS` against the devnet's node, with the keys' password set."""

    invoke: Invoke
    devnet: Devnet
    home: Path

    def run(self, *args: str, input: str | None = None) -> Result:
        env = {"COTERIE_NODE": self.devnet.url}
        return self.invoke(list(args), input=input, password=PASSWORD, env=env)

    def ok(self, *args: str) -> Any:
        """Run a command with `--output json -y`; it must succeed; returns its JSON."""
        result = self.run(*args, "--output", "json", "-y")
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)

    def balance(self, address: str) -> int:
        return int(self.devnet.get(f"/v1/accounts/{address}")["balance"])
