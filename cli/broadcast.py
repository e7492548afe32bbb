"""Sending a signed tx to a node and waiting until it is committed.

`POST /v1/txs` with the tx's canonical bytes (as hex in JSON) gets the mempool's answer for it;
a refusal carries the error code (docs/mempool.md). Then `GET /v1/txs/{hash}` is polled until
the tx is committed (with its block height and result) or `timeout` passes. A tx still pending at
the timeout is not lost: it stays in the mempool and may commit later.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from cli.nodeclient import NodeApiError, NodeClient
from ledger.tx import SignedTx

POLL_SECONDS = 0.2


class TxRefusedError(Exception):
    """The node refused the tx (the message holds its error code and reason)."""


class TxNotCommittedError(Exception):
    """The tx was accepted but not committed within the wait."""


@dataclass(frozen=True, slots=True)
class ChainInfo:
    """What signing needs from the node: the chain it serves."""

    chain_id: str
    genesis_hash: bytes
    address_prefix: str

    @classmethod
    def fetch(cls, client: NodeClient) -> ChainInfo:
        status = client.get("/v1/status")
        return cls(
            str(status["chain_id"]),
            bytes.fromhex(status["genesis_hash"]),
            str(status["address_prefix"]),
        )


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
        raise TxRefusedError(
            f"the node refused the tx: {result.get('code')} ({result.get('reason') or 'no reason'})"
        )
    return result


def wait_committed(client: NodeClient, tx_hash: bytes, timeout: float) -> dict[str, Any]:
    """Poll until the tx is committed; returns the node's view of it."""
    deadline = time.monotonic() + timeout
    while True:
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
