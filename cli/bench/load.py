"""The bench's load: funded senders and pre-signed transfers, batched for the REST endpoint.

Senders are deterministic keys (`coterie/bench-sender/N`), funded in the temporary testnet's
genesis. Transfers are signed before the clock starts, in nonce-major order (every sender's
nonce 0, then every nonce 1, ...), as many wallets submitting at once would produce. Sender `i`
always goes to node `i % nodes`, so each sender's txs reach one node, in nonce order.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ledger import codec
from ledger.genesis import Genesis
from ledger.hashing import digest
from ledger.keys import Address, PrivateKey
from ledger.tx import Transfer, TxBody

SENDER_SECRET = b"coterie/bench-sender/%d"


def sender_keys(count: int) -> list[PrivateKey]:
    return [PrivateKey.from_secret(SENDER_SECRET % i) for i in range(count)]


@dataclass(frozen=True, slots=True)
class Batch:
    """One POST to node number `node`: the encoded batch and its txs' hashes (hex, in order)."""

    node: int
    hashes: tuple[str, ...]
    body: bytes


def presign(
    genesis: Genesis,
    keys: list[PrivateKey],
    total: int,
    recipient: Callable[[], Address] | None = None,
) -> list[tuple[int, bytes]]:
    """`total` encoded transfers as (sender index, tx bytes), in nonce-major order; each to
    `recipient()` when given (random accounts of a large state), else to the next sender."""
    ghash = genesis.hash()
    out: list[tuple[int, bytes]] = []
    nonce = 0
    while len(out) < total:
        for i, key in enumerate(keys[: total - len(out)]):
            to = keys[(i + 1) % len(keys)].address if recipient is None else recipient()
            body = TxBody(genesis.chain_id, key.public_key, nonce, 0, Transfer(to, 1))
            out.append((i, body.sign(key, ghash).encode()))
        nonce += 1
    return out


def batches(signed: list[tuple[int, bytes]], nodes: int, size: int) -> list[Batch]:
    """Batches of at most `size` txs per node, interleaved over the nodes (node 0's first
    batch, node 1's first, ..., node 0's second, ...) so a steady submission spreads evenly."""
    per_node: list[list[bytes]] = [[] for _ in range(nodes)]
    for sender, raw in signed:
        per_node[sender % nodes].append(raw)
    cut = [[txs[i : i + size] for i in range(0, len(txs), size)] for txs in per_node]
    out: list[Batch] = []
    for k in range(max(len(c) for c in cut)):
        for node, chunks in enumerate(cut):
            if k < len(chunks):
                chunk = chunks[k]
                hashes = tuple(digest(raw).hex() for raw in chunk)
                out.append(Batch(node, hashes, codec.encode_bytes_list(chunk)))
    return out
