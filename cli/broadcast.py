"""Sending a signed tx to a node and waiting until it is committed.

`POST /v1/txs` with the tx's canonical bytes (as hex in JSON) gets the mempool's answer for it;
a refusal carries the error code (docs/mempool.md), explained in words (cli.reasons). Then
`GET /v1/txs/{hash}` is polled until the tx is committed (with its block height and result) or
`timeout` passes. A tx still pending at the timeout is not lost: it stays in the mempool and may
commit later. `POST /v1/txs/check` is the dry run (`check`): the same stateful check, nothing sent.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from cli.nodeclient import NodeApiError, NodeClient
from cli.reasons import explain
from cli.summary import DEFAULT_COIN, CollectiveNames
from ledger.tx import SignedTx, TxBody

POLL_SECONDS = 0.2


class TxRefusedError(Exception):
    """The node refused the tx (the message holds its error code, explained, and reason)."""

    def __init__(self, code: str, reason: str, what: str = "the node refused the tx") -> None:
        words = explain(code)
        super().__init__(
            f"{what}: {code}" + (f": {words}" if words else "") + (f" ({reason})" if reason else "")
        )
        self.code = code
        self.reason = reason


class TxNotCommittedError(Exception):
    """The tx was accepted but not committed within the wait."""


@dataclass(frozen=True, slots=True)
class ChainInfo:
    """What signing needs from the node: the chain it serves."""

    chain_id: str
    genesis_hash: bytes
    address_prefix: str
    native_coin: str = DEFAULT_COIN
    height: int = 0

    @classmethod
    def fetch(cls, client: NodeClient) -> ChainInfo:
        status = client.get("/v1/status")
        return cls(
            str(status["chain_id"]),
            bytes.fromhex(status["genesis_hash"]),
            str(status["address_prefix"]),
            str(status.get("native_coin") or DEFAULT_COIN),
            int(status.get("latest_height") or 0),
        )


def collective_names(client: NodeClient) -> Callable[[bytes], CollectiveNames | None]:
    """A lookup of a collective's name and token class names, asked of the node."""

    def lookup(cid: bytes) -> CollectiveNames | None:
        try:
            view = client.get(f"/v1/collectives/{cid.hex()}")
        except NodeApiError:
            return None
        classes = tuple(str(c.get("name", "?")) for c in view.get("classes", []))
        return CollectiveNames(str(view.get("name", cid.hex())), classes)

    return lookup


def next_nonce(client: NodeClient, address: str) -> int:
    """The sender's next nonce, counting its txs still pending in the node's mempool."""
    try:
        account = client.get(f"/v1/accounts/{address}")
    except NodeApiError as exc:
        if exc.status == 404:
            return 0
        raise
    return int(account.get("next_nonce", account.get("nonce", 0)))


def submit(client: NodeClient, tx: SignedTx) -> dict[str, Any]:
    """Send `tx`; returns the node's admission answer, or raises `TxRefusedError`."""
    answer = client.post("/v1/txs", {"txs": [tx.encode().hex()]})
    result: dict[str, Any] = answer["results"][0]
    if not result.get("ok"):
        raise TxRefusedError(str(result.get("code")), str(result.get("reason") or ""))
    return result


def check(client: NodeClient, tx: SignedTx | TxBody) -> dict[str, Any]:
    """The dry run: would the node admit `tx` now? Raises `TxRefusedError` when not."""
    answer: dict[str, Any] = client.post("/v1/txs/check", {"tx": tx.encode().hex()})
    if not answer.get("ok"):
        what = "the dry run failed"
        raise TxRefusedError(str(answer.get("code")), str(answer.get("reason") or ""), what)
    return answer


def wait_committed(
    client: NodeClient,
    tx_hash: bytes,
    timeout: float,
    progress: Callable[[float], None] | None = None,
) -> dict[str, Any]:
    """Poll until the tx is committed; returns the node's view of it. `progress(elapsed)` is
    called on every poll (the wallet draws its indicator with it)."""
    start = time.monotonic()
    deadline = start + timeout
    while True:
        if progress is not None:
            progress(time.monotonic() - start)
        try:
            view: dict[str, Any] = client.get(f"/v1/txs/{tx_hash.hex()}")
            if view.get("status") == "committed":
                return view
        except NodeApiError as exc:
            if exc.status != 404:
                raise
        if time.monotonic() >= deadline:
            raise TxNotCommittedError(
                f"tx {tx_hash.hex()} was accepted but not committed within {timeout:g} s; "
                f"check later with: GET {client.url}/v1/txs/{tx_hash.hex()}"
            )
        time.sleep(POLL_SECONDS)
