"""Tx gossip: which peers hold which tx, and batching of txs per peer.

A tx is known by the SHA-256 of its canonical bytes (its ledger hash). For each recently seen tx
the node remembers the peers known to hold it: those that sent it to us and those we sent it to.
A received tx is handed to the mempool only the first time it is seen, and a tx is never sent to a
peer known to hold it. The memory is bounded: the oldest entries are forgotten first, after which
a tx may be delivered or sent once more (the mempool has its own dedup, so that costs a lookup).

Txs are not relayed automatically: the mempool calls `gossip` for the txs it admitted, so a tx
that fails admission stops at the first node.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence

from ledger.hashing import digest
from node.p2p.messages import MessageType, encode_frame, encode_txs
from node.p2p.stats import P2PStats

# msgpack bin header for a tx in a batch (bin8/16/32: up to 5 bytes), and the array header.
_PER_TX_OVERHEAD = 5
_BATCH_OVERHEAD = 5

SendFrame = Callable[[bytes, MessageType, bytes], bool]


class SeenTxs:
    """Bounded map from tx hash to the peers known to hold the tx (LRU by first sight)."""

    def __init__(self, capacity: int) -> None:
        self._capacity = capacity
        self._holders: OrderedDict[bytes, set[bytes]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._holders)

    def __contains__(self, tx_hash: bytes) -> bool:
        return tx_hash in self._holders

    def observe(self, tx_hash: bytes, holder: bytes | None) -> bool:
        """Record that `holder` (None: this node) has the tx; True if the tx is new to us."""
        holders = self._holders.get(tx_hash)
        if holders is not None:
            if holder is not None:
                holders.add(holder)
            return False
        self._holders[tx_hash] = set() if holder is None else {holder}
        while len(self._holders) > self._capacity:
            self._holders.popitem(last=False)
        return True

    def holders(self, tx_hash: bytes) -> set[bytes]:
        return self._holders.get(tx_hash, set())

    def holders_for_update(self, tx_hash: bytes) -> set[bytes]:
        """The live holder set of a tx, which the caller may add to; the tx is seen from now."""
        holders = self._holders.get(tx_hash)
        if holders is None:
            holders = self._holders[tx_hash] = set()
            if len(self._holders) > self._capacity:
                self._holders.popitem(last=False)
        return holders

    def forget(self, tx_hash: bytes) -> None:
        self._holders.pop(tx_hash, None)


class TxGossip:
    """Per-peer pending tx batches, flushed every `flush_interval` or when a batch is full."""

    def __init__(
        self,
        *,
        seen: SeenTxs,
        send_frame: SendFrame,
        max_txs: int,
        max_bytes: int,
        flush_interval: float,
        stats: P2PStats,
    ) -> None:
        self.seen = seen
        self._send_frame = send_frame
        self._max_txs = max_txs
        self._max_bytes = max_bytes
        self._interval = flush_interval
        self._pending: dict[bytes, list[bytes]] = {}
        self._pending_bytes: dict[bytes, int] = {}
        self._wakeup = asyncio.Event()
        self._stats = stats

    def receive(self, peer: bytes, txs: Sequence[bytes]) -> list[bytes]:
        """The txs of a batch from `peer` that this node has not seen before."""
        observe = self.seen.observe
        return [tx for tx in txs if observe(digest(tx), peer)]

    def gossip(
        self,
        txs: Sequence[bytes],
        peers: Iterable[bytes],
        hashes: Sequence[bytes] | None = None,
    ) -> None:
        """Queue each tx for each of `peers` that is not known to hold it. `hashes`, when given,
        are the txs' ledger hashes (the mempool has them), which saves hashing again. Without
        peers nothing is recorded: an empty holder set per tx only took memory (a lone
        validator kept `seen_txs` of them, 61 MiB at 200,000)."""
        peer_list = list(peers)
        if not peer_list:
            return
        out: dict[bytes, list[bytes]] = {peer: [] for peer in peer_list}
        holders_for_update = self.seen.holders_for_update
        for i, tx in enumerate(txs):
            holders = holders_for_update(digest(tx) if hashes is None else hashes[i])
            for peer in peer_list:
                if peer not in holders:
                    holders.add(peer)
                    out[peer].append(tx)
        for peer, new in out.items():
            if new:
                self._extend(peer, new)
        if self._pending:
            self._wakeup.set()

    def _extend(self, peer: bytes, txs: list[bytes]) -> None:
        batch = self._pending.setdefault(peer, [])
        used = self._pending_bytes.get(peer, _BATCH_OVERHEAD)
        max_txs, max_bytes = self._max_txs, self._max_bytes
        for tx in txs:
            size = len(tx) + _PER_TX_OVERHEAD
            if batch and (len(batch) >= max_txs or used + size > max_bytes):
                self._pending_bytes[peer] = used
                self._flush_peer(peer)
                batch = self._pending.setdefault(peer, [])
                used = _BATCH_OVERHEAD
            batch.append(tx)
            used += size
        self._pending_bytes[peer] = used

    def drop_peer(self, peer: bytes) -> None:
        self._pending.pop(peer, None)
        self._pending_bytes.pop(peer, None)

    def flush(self) -> None:
        for peer in list(self._pending):
            self._flush_peer(peer)

    def _flush_peer(self, peer: bytes) -> None:
        batch = self._pending.pop(peer, None)
        self._pending_bytes.pop(peer, None)
        if batch and self._send_frame(
            peer, MessageType.TXS, encode_frame(MessageType.TXS, encode_txs(batch))
        ):
            self._stats.txs_out += len(batch)

    async def run(self) -> None:
        """Flush pending batches shortly after txs arrive, so txs travel in batches."""
        while True:
            await self._wakeup.wait()
            self._wakeup.clear()
            await asyncio.sleep(self._interval)
            self.flush()
