"""The pending-tx store behind the mempool: per-sender queues, indexes and byte accounting.

It keeps every index consistent (hash -> tx, senders, future arrival order, ready-count buckets,
byte and ready totals) and owns the operations that touch several of them at once: appending a
checked tx, promoting future txs, evicting, and re-running a sender's ready txs on a fresh overlay.
Admission policy lives in `pool.py`; this module never decides whether a tx is welcome.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Iterator, Mapping

from ledger.errors import TxError
from ledger.keys import Address
from ledger.state import keys
from ledger.state.context import BlockContext
from ledger.state.executor import execute_tx
from ledger.state.reader import StateReader
from ledger.state.records import Account
from ledger.state.view import StateView
from ledger.tx import SignedTx
from node.mempool.limits import MempoolLimits
from node.mempool.room import ReadyBuckets
from node.mempool.sender import SenderQueue

log = logging.getLogger(__name__)


def already_verified(_tx: SignedTx) -> bool:
    """The executor's `signature_ok` for txs the pool holds: each was verified on admission."""
    return True


class PendingTxs:
    """Every pending tx, indexed; implements `room.PoolView`."""

    def __init__(self, limits: MempoolLimits, state: StateReader, ctx: BlockContext) -> None:
        self.limits = limits
        self.state = state
        self.ctx = ctx
        self._senders: dict[bytes, SenderQueue] = {}
        self._txs: dict[bytes, SignedTx] = {}
        self._future_order: OrderedDict[bytes, None] = OrderedDict()
        self._buckets = ReadyBuckets()
        self._bytes = 0
        self.ready_count = 0
        self.evicted_total = 0

    # -- reading (and room.PoolView) ---------------------------------------------------------

    @property
    def pending_count(self) -> int:
        return len(self._txs)

    @property
    def pending_bytes(self) -> int:
        return self._bytes

    @property
    def future_order(self) -> Mapping[bytes, None]:
        return self._future_order

    @property
    def buckets(self) -> ReadyBuckets:
        return self._buckets

    @property
    def sender_count(self) -> int:
        return len(self._senders)

    def tx(self, tx_hash: bytes) -> SignedTx:
        return self._txs[tx_hash]

    def get(self, tx_hash: bytes) -> SignedTx | None:
        return self._txs.get(tx_hash)

    def __contains__(self, tx_hash: object) -> bool:
        return tx_hash in self._txs

    def sender(self, key: bytes) -> SenderQueue:
        return self._senders[key]

    def find(self, key: bytes) -> SenderQueue | None:
        return self._senders.get(key)

    def queue_for(self, key: bytes) -> SenderQueue:
        """The sender's queue, or a new unregistered one holding its committed nonce."""
        queue = self._senders.get(key)
        if queue is None:
            queue = SenderQueue(key, 0)
            queue.committed_nonce = self.committed_nonce(queue.address)
        return queue

    def queues(self) -> Iterator[SenderQueue]:
        """Sender queues in the order their senders arrived."""
        return iter(self._senders.values())

    def committed_nonce(self, address: Address) -> int:
        data = self.state.get(keys.account(address.raw))
        return 0 if data is None else Account.decode(data).nonce

    # -- changing ----------------------------------------------------------------------------

    def add_ready(self, queue: SenderQueue, tx: SignedTx) -> None:
        """Append a tx already executed on `queue.view`, then promote what it unblocks."""
        self._senders.setdefault(queue.key, queue)
        queue.ready.append(tx)
        self._txs[tx.hash] = tx
        self._bytes += len(tx.encode())
        self.ready_count += 1
        self.promote(queue)

    def add_future(self, queue: SenderQueue, tx: SignedTx) -> None:
        self._senders.setdefault(queue.key, queue)
        queue.future[tx.body.nonce] = tx
        self._txs[tx.hash] = tx
        self._future_order[tx.hash] = None
        self._bytes += len(tx.encode())

    def view_of(self, queue: SenderQueue) -> StateView:
        """The sender's overlay, rebuilt if needed; a ready tx that no longer passes is evicted
        with every later one (they would follow a gap)."""
        if queue.view is not None:
            return queue.view
        view = StateView(self.state)
        for index, tx in enumerate(queue.ready):
            try:
                execute_tx(view, self.ctx, tx, already_verified)
            except TxError as error:
                log.debug("evicting %d txs of a sender: %s", len(queue.ready) - index, error)
                for dropped in queue.ready[index:]:
                    self._forget(dropped)
                self.evicted_total += len(queue.ready) - index
                self.ready_count -= len(queue.ready) - index
                del queue.ready[index:]
                self._buckets.set(queue.key, len(queue.ready))
                break
        queue.view = view
        return view

    def promote(self, queue: SenderQueue) -> None:
        """Move future txs that the ready run has reached into it, checking each."""
        while queue.future:
            tx = queue.future.pop(queue.next_nonce, None)
            if tx is None:
                break
            del self._future_order[tx.hash]
            try:
                execute_tx(self.view_of(queue), self.ctx, tx, already_verified)
            except TxError as error:
                log.debug("dropping a queued tx that failed when its turn came: %s", error)
                self._forget(tx)
                self.evicted_total += 1
                continue
            queue.ready.append(tx)
            self.ready_count += 1
        self._buckets.set(queue.key, len(queue.ready))

    def evict(self, tx: SignedTx) -> None:
        """Remove a victim chosen by `plan_room`: a future tx, or the tail of a ready run."""
        queue = self._senders[tx.body.sender]
        self.evicted_total += 1
        if queue.future.get(tx.body.nonce) is tx:
            self._forget_future(queue, tx)
        else:
            if queue.ready[-1] is not tx:
                raise RuntimeError("eviction must take the tail of a ready run")
            queue.ready.pop()
            self._forget(tx)
            self.ready_count -= 1
            queue.view = None
            self._buckets.set(queue.key, len(queue.ready))
        self._drop_if_empty(queue)

    def recheck(self, queue: SenderQueue) -> None:
        """After a block: drop txs below the new committed nonce, re-run the rest."""
        committed = self.committed_nonce(queue.address)
        old_ready = len(queue.ready)
        drop = min(max(0, committed - queue.committed_nonce), old_ready)
        for tx in queue.ready[:drop]:
            self._forget(tx)
        del queue.ready[:drop]
        for nonce in [n for n in queue.future if n < committed]:
            self._forget_future(queue, queue.future[nonce])
        queue.committed_nonce = committed
        if queue.ready and queue.ready[0].body.nonce != committed:
            # the committed nonce went where our txs cannot follow (a state we did not expect)
            for tx in queue.ready:
                self._forget(tx)
            self.evicted_total += len(queue.ready)
            queue.ready.clear()
        self.ready_count -= old_ready - len(queue.ready)
        queue.view = None
        self.view_of(queue)
        self.promote(queue)
        self._drop_if_empty(queue)

    def recheck_all(self) -> None:
        for queue in list(self._senders.values()):
            self.recheck(queue)

    # -- internals ---------------------------------------------------------------------------

    def _forget(self, tx: SignedTx) -> None:
        del self._txs[tx.hash]
        self._bytes -= len(tx.encode())

    def _forget_future(self, queue: SenderQueue, tx: SignedTx) -> None:
        del queue.future[tx.body.nonce]
        del self._future_order[tx.hash]
        self._forget(tx)

    def _drop_if_empty(self, queue: SenderQueue) -> None:
        if queue.empty:
            self._senders.pop(queue.key, None)
            self._buckets.set(queue.key, 0)
