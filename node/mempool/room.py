"""Choosing which pending txs to evict when a new ready tx needs room (policy in pool.py).

`ReadyBuckets` groups senders by their count of ready txs, so the sender with the most ready txs
is found in O(distinct counts), at most `max_txs_per_sender`, instead of a scan of every sender.
`plan_room` only plans: it returns the victims (or None when room cannot be made) and changes
nothing, so the pool evicts only once the incoming tx has passed its stateful check.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

from ledger.tx import SignedTx
from node.mempool.limits import MempoolLimits
from node.mempool.sender import SenderQueue


class ReadyBuckets:
    """Senders keyed by how many ready txs they hold (senders with none are not kept)."""

    __slots__ = ("_by_count", "_count_of")

    def __init__(self) -> None:
        self._by_count: dict[int, dict[bytes, None]] = {}
        self._count_of: dict[bytes, int] = {}

    def set(self, sender: bytes, count: int) -> None:
        old = self._count_of.get(sender, 0)
        if old == count:
            return
        if old:
            bucket = self._by_count[old]
            del bucket[sender]
            if not bucket:
                del self._by_count[old]
        if count:
            self._by_count.setdefault(count, {})[sender] = None
            self._count_of[sender] = count
        else:
            del self._count_of[sender]

    def largest(self) -> int:
        return max(self._by_count, default=0)

    def senders_with(self, count: int) -> list[bytes]:
        return list(self._by_count.get(count, ()))


class PoolView(Protocol):
    """What `plan_room` reads from the pool."""

    limits: MempoolLimits

    @property
    def pending_count(self) -> int: ...

    @property
    def pending_bytes(self) -> int: ...

    @property
    def future_order(self) -> Mapping[bytes, int]: ...

    @property
    def buckets(self) -> ReadyBuckets: ...

    def tx(self, tx_hash: bytes) -> SignedTx: ...

    def sender(self, key: bytes) -> SenderQueue: ...


def plan_room(
    pool: PoolView, size: int, incoming: SenderQueue, freed: SignedTx | None = None
) -> list[SignedTx] | None:
    """Victims whose eviction makes room for a `size`-byte ready tx of `incoming`, or None.

    `freed` is a tx the caller evicts anyway (its room counts as made)."""
    need_count = pool.pending_count + 1 - pool.limits.max_txs
    need_bytes = pool.pending_bytes + size - pool.limits.max_bytes
    if freed is not None:
        need_count -= 1
        need_bytes -= len(freed.encode())
    if need_count <= 0 and need_bytes <= 0:
        return []
    victims: list[SignedTx] = []
    for tx_hash in pool.future_order:  # oldest first
        tx = pool.tx(tx_hash)
        if tx.body.sender == incoming.key:
            continue
        victims.append(tx)
        need_count -= 1
        need_bytes -= len(tx.encode())
        if need_count <= 0 and need_bytes <= 0:
            return victims
    # Tails of the senders with the most ready txs, one level at a time: every sender at `level`
    # gives its tx at position level - 1 and drops to the level below.
    incoming_after = len(incoming.ready) + 1
    level = pool.buckets.largest()
    at_level = pool.buckets.senders_with(level)
    while level > incoming_after:
        for key in at_level:
            tx = pool.sender(key).ready[level - 1]
            victims.append(tx)
            need_count -= 1
            need_bytes -= len(tx.encode())
            if need_count <= 0 and need_bytes <= 0:
                return victims
        level -= 1
        at_level = at_level + pool.buckets.senders_with(level)
    return None
