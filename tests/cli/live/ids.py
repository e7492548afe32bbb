"""Finding the ids a command printed, in text or JSON, and the `query` that must take each back
(issue 15). Not a test module: tests/cli/live/test_ids_round_trip.py uses it."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

ADDRESS = re.compile(r"\btcot1[02-9ac-hj-np-z]{38,90}\b")
PAIR = re.compile(r"\b([a-z_]+)(?:=|:\s+)\"?([^\s\",()…]+)")
SENT = re.compile(r"sent tx ([0-9a-f]{64})")
COMMITTED = re.compile(r"committed at height (\d+) \(block ([0-9a-f]{64})\)")
EXTRA = re.compile(r"^(collective|split) id\s+(\S+)$", re.MULTILINE)
LISTED = re.compile(r"^(#\d+)\s", re.MULTILINE)  # `query proposals`: one proposal a line

# what a key names -> the kind of id (the `query` subcommand that takes it)
KINDS = {
    "collective": "collective",
    "collective_id": "collective",
    "proposal": "proposal",
    "proposal_id": "proposal",
    "split": "split",
    "split_id": "split",
    "stream": "stream",
    "content": "content",
    "content_hash": "content",
    "tx": "tx",
    "tx_hash": "tx",
    "block_hash": "block",
    "asset": "asset",
}
EMPTY = frozenset({"", "-", "none", "None", "null", "native"})


def in_text(text: str) -> Iterator[tuple[str, str]]:
    for match in ADDRESS.finditer(text):
        yield "account", match.group(0)
    for match in SENT.finditer(text):
        yield "tx", match.group(1)
    for match in COMMITTED.finditer(text):
        yield "block", match.group(1)
        yield "block", match.group(2)
    for match in EXTRA.finditer(text):
        yield match.group(1), match.group(2)
    for match in LISTED.finditer(text):
        yield "proposal", match.group(1)
    for key, value in PAIR.findall(text):
        if key in KINDS and value not in EMPTY:
            yield KINDS[key], value


def in_json(data: Any, key: str = "") -> Iterator[tuple[str, str]]:
    if isinstance(data, dict):
        for k, v in data.items():
            yield from in_json(v, k)
        return
    if isinstance(data, list):
        for item in data:
            yield from in_json(item, key)
        return
    if isinstance(data, str) and ADDRESS.fullmatch(data):
        yield "account", data
    elif key in KINDS and isinstance(data, str | int) and not isinstance(data, bool):
        yield from _named(key, str(data))


def _named(key: str, value: str) -> Iterator[tuple[str, str]]:
    if value not in EMPTY:
        yield KINDS[key], value


def query_args(kind: str, value: str, collective: str) -> list[str]:
    """The command that must accept an id of this kind."""
    if kind == "asset":  # every --asset option reads it the same way; a dry run sends nothing
        return [
            "treasury", "deposit", "--from", "dev2", "--collective", collective,
            "--amount", "1", "--asset", value, "--dry-run",
        ]  # fmt: skip
    return ["query", kind, value]
