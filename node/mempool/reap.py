"""The proposer's pick of ready txs: round-robin across senders, nonce order within each."""

from __future__ import annotations

from collections.abc import Sequence

from ledger.tx import SignedTx


def round_robin(
    queues: Sequence[Sequence[SignedTx]], max_txs: int, max_bytes: int
) -> list[SignedTx]:
    """Up to `max_txs` txs of at most `max_bytes` in all, taking one tx of each sender's ready
    list (non-empty, nonce order) per turn. A sender whose next tx does not fit the remaining
    bytes contributes nothing more: its later txs would follow a gap."""
    out: list[SignedTx] = []
    total = 0
    depth = 0
    while queues and len(out) < max_txs:
        still: list[Sequence[SignedTx]] = []
        for ready in queues:
            tx = ready[depth]
            size = len(tx.encode())
            if total + size > max_bytes:
                continue
            out.append(tx)
            total += size
            if len(out) >= max_txs:
                break
            if depth + 1 < len(ready):
                still.append(ready)
        queues = still
        depth += 1
    return out
