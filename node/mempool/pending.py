"""The pending-tx store behind the mempool: per-sender queues, indexes and byte accounting.

It keeps every index consistent (hash -> tx, senders, future arrival order, ready-count buckets,
byte and ready totals, each ready tx's recorded effect, held by its sender's queue beside it) and
owns the operations that touch several of them at once: appending a checked tx, promoting future
txs, evicting, and, after a block, keeping a sender's remaining txs when the block could not have
changed them (`refresh`) or re-running them on a fresh overlay (`recheck`). Admission policy lives
in `pool.py`; this module never decides whether a tx is welcome.

Invariant: every ready tx has its `Effect`, recorded when it last executed on its sender's
overlay, and that effect is what it would do now; so a sender's overlay is rebuilt by replaying
its ready txs' writes, without executing anything.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Iterator, Mapping

from ledger.errors import TxError
from ledger.keys import Address
from ledger.state import keys
from ledger.state.context import BlockContext
from ledger.state.reader import StateReader
from ledger.state.records import decode_account
from ledger.state.view import StateView
from ledger.tx import SignedTx
from node.mempool.effects import (
    Effect,
    already_verified,
    apply_writes,
    execute_tracked,
    rebased_run,
    written_keys,
)
from node.mempool.limits import MempoolLimits
from node.mempool.room import ReadyBuckets
from node.mempool.sender import SenderQueue

log = logging.getLogger(__name__)


__all__ = ["PendingTxs", "already_verified"]


class PendingTxs:
    """Every pending tx, indexed; implements `room.PoolView`."""

    def __init__(self, limits: MempoolLimits, state: StateReader, ctx: BlockContext) -> None:
        self.limits = limits
        self.state = state
        self.ctx = ctx
        self._senders: dict[bytes, SenderQueue] = {}
        self.by_hash: dict[bytes, SignedTx] = {}  # every pending tx (read it, never change it)
        self._future_order: OrderedDict[bytes, int] = OrderedDict()  # hash -> admitted at (ms)
        self._buckets = ReadyBuckets()
        self._bytes = 0
        self.ready_count = 0
        self.evicted_total = 0
        self.expired_total = 0
        self.promoted: list[SignedTx] = []  # future txs that became ready, for gossip

    # -- reading (and room.PoolView) ---------------------------------------------------------

    @property
    def pending_count(self) -> int:
        return len(self.by_hash)

    @property
    def pending_bytes(self) -> int:
        return self._bytes

    @property
    def future_order(self) -> Mapping[bytes, int]:
        return self._future_order

    @property
    def buckets(self) -> ReadyBuckets:
        return self._buckets

    @property
    def sender_count(self) -> int:
        return len(self._senders)

    def tx(self, tx_hash: bytes) -> SignedTx:
        return self.by_hash[tx_hash]

    def get(self, tx_hash: bytes) -> SignedTx | None:
        return self.by_hash.get(tx_hash)

    def __contains__(self, tx_hash: object) -> bool:
        return tx_hash in self.by_hash

    def effect(self, tx_hash: bytes) -> Effect | None:
        """The recorded effect of a ready tx (None for a future or unknown one)."""
        tx = self.by_hash.get(tx_hash)
        if tx is None:
            return None
        queue = self._senders[tx.body.sender]
        index = tx.body.nonce - queue.committed_nonce
        if 0 <= index < len(queue.ready) and queue.ready[index] is tx:
            return queue.effects[index]
        return None

    def sender(self, key: bytes) -> SenderQueue:
        return self._senders[key]

    def find(self, key: bytes) -> SenderQueue | None:
        return self._senders.get(key)

    def queue_for(self, key: bytes) -> SenderQueue:
        """The sender's queue, or a new unregistered one holding its committed nonce."""
        queue = self._senders.get(key)
        if queue is None:
            queue = SenderQueue(key, 0)
            queue.committed_nonce = self.nonce_at(queue.account_key)
        return queue

    def queues(self) -> Iterator[SenderQueue]:
        """Sender queues in the order their senders arrived."""
        return iter(self._senders.values())

    def committed_nonce(self, address: Address) -> int:
        return self.nonce_at(keys.account(address.raw))

    def nonce_at(self, account_key: bytes) -> int:
        """The committed nonce of the account at `account_key`."""
        data = self.state.get(account_key)
        return 0 if data is None else decode_account(data)[1]

    def sender_nonce(self, tx: SignedTx, nonces: dict[bytes, int]) -> int:
        """The committed nonce of `tx`'s sender: its queue's, else read (once per batch in
        `nonces`: nothing commits before the batch's verification)."""
        sender = tx.body.sender
        queue = self._senders.get(sender)
        if queue is not None:
            return queue.committed_nonce
        nonce = nonces.get(sender)
        if nonce is None:
            nonce = nonces[sender] = self.committed_nonce(tx.body.sender_address)
        return nonce

    # -- changing ----------------------------------------------------------------------------

    def add_ready(self, queue: SenderQueue, tx: SignedTx, effect: Effect, size: int) -> None:
        """Append a tx of `size` bytes that `execute_tracked` ran on `view_of(queue)` (its
        `effect`), then promote what it unblocks."""
        self._senders.setdefault(queue.key, queue)
        queue.ready.append(tx)
        queue.effects.append(effect)
        self.by_hash[tx.hash] = tx
        self._bytes += size
        self.ready_count += 1
        if queue.future:
            self.promote(queue)
        else:
            self._buckets.set(queue.key, len(queue.ready))

    def add_future(self, queue: SenderQueue, tx: SignedTx, time_ms: int) -> None:
        self._senders.setdefault(queue.key, queue)
        queue.future[tx.body.nonce] = tx
        self.by_hash[tx.hash] = tx
        self._future_order[tx.hash] = time_ms
        self._bytes += len(tx.encode())

    def expire_future(self, cutoff_ms: int) -> int:
        """Drop future txs admitted before `cutoff_ms` (oldest first); returns how many."""
        expired = 0
        while self._future_order:
            tx_hash, admitted = next(iter(self._future_order.items()))
            if admitted >= cutoff_ms:
                break
            tx = self.by_hash[tx_hash]
            queue = self._senders[tx.body.sender]
            self._forget_future(queue, tx)
            self._drop_if_empty(queue)
            expired += 1
        self.expired_total += expired
        return expired

    def view_of(self, queue: SenderQueue) -> StateView:
        """The sender's overlay: committed state plus its ready txs' writes (rebuilt from their
        recorded effects when dropped)."""
        view = queue.view
        if view is None:
            view = StateView(self.state)
            for effect in queue.effects:
                apply_writes(view, effect)
            queue.view = view
        return view

    def _reexecute(self, queue: SenderQueue) -> None:
        """Run the sender's ready txs again on a fresh overlay; a ready tx that no longer passes
        is evicted with every later one (they would follow a gap)."""
        view = StateView(self.state)
        effects = queue.effects
        for index, tx in enumerate(queue.ready):
            try:
                effects[index] = execute_tracked(view, self.ctx, tx, queue.account_key)
            except TxError as error:
                log.debug("evicting %d txs of a sender: %s", len(queue.ready) - index, error)
                for dropped in queue.ready[index:]:
                    self._forget(dropped)
                self.evicted_total += len(queue.ready) - index
                self.ready_count -= len(queue.ready) - index
                del queue.ready[index:]
                del effects[index:]
                self._buckets.set(queue.key, len(queue.ready))
                break
        queue.view = view

    def promote(self, queue: SenderQueue) -> None:
        """Move future txs that the ready run has reached into it, checking each."""
        while queue.future:
            tx = queue.future.pop(queue.next_nonce, None)
            if tx is None:
                break
            del self._future_order[tx.hash]
            try:
                effect = execute_tracked(self.view_of(queue), self.ctx, tx, queue.account_key)
            except TxError as error:
                log.debug("dropping a queued tx that failed when its turn came: %s", error)
                self._forget(tx)
                self.evicted_total += 1
                continue
            queue.ready.append(tx)
            queue.effects.append(effect)
            self.ready_count += 1
            self.promoted.append(tx)
            if len(self.promoted) > self.limits.max_txs:  # nobody takes them: keep it bounded
                del self.promoted[: len(self.promoted) // 2]
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
            queue.effects.pop()
            self._forget(tx)
            self.ready_count -= 1
            queue.view = None
            self._buckets.set(queue.key, len(queue.ready))
        self._drop_if_empty(queue)

    def recheck(self, queue: SenderQueue) -> None:
        """After a block: drop txs below the new committed nonce, re-run the rest."""
        committed = self.nonce_at(queue.account_key)
        old_ready = len(queue.ready)
        drop = min(max(0, committed - queue.committed_nonce), old_ready)
        for tx in queue.ready[:drop]:
            self._forget(tx)
        del queue.ready[:drop]
        del queue.effects[:drop]
        for nonce in [n for n in queue.future if n < committed]:
            self._forget_future(queue, queue.future[nonce])
        queue.committed_nonce = committed
        if queue.ready and queue.ready[0].body.nonce != committed:
            # the committed nonce went where our txs cannot follow (a state we did not expect)
            for tx in queue.ready:
                self._forget(tx)
            self.evicted_total += len(queue.ready)
            queue.ready.clear()
            queue.effects.clear()
        self.ready_count -= old_ready - len(queue.ready)
        self._reexecute(queue)
        self.promote(queue)
        self._drop_if_empty(queue)

    def refresh(
        self, queue: SenderQueue, changes: Mapping[bytes, bytes | None], included: set[bytes]
    ) -> bool:
        """After a block that wrote `changes` and included the txs `included`: drop the
        sender's txs the block included and keep the rest without executing them, when the
        block cannot have changed their results, or only credited accounts they read
        (`effects.rebased_run`: their effects are shifted by the credits). False, with nothing
        changed, when the sender needs `recheck`: its nonce moved other than by our own txs, or
        a remaining tx read something the block changed, or is not replayable."""
        key = queue.account_key
        committed = queue.committed_nonce
        if key in changes:
            data = changes[key]
            committed = 0 if data is None else decode_account(data)[1]
        drop = committed - queue.committed_nonce
        ready = queue.ready
        if not 0 <= drop <= len(ready):
            return False
        effects = queue.effects
        for tx in ready[:drop]:
            if tx.hash not in included:
                return False
        if drop < len(ready):  # a remaining run (a proposer usually reaps every ready tx)
            dropped_writes: set[bytes] = set()
            for effect in effects[:drop]:
                dropped_writes.update(written_keys(effect))
            rest = effects[drop:]
            rebased = rebased_run(key, rest, changes, dropped_writes, self.state)
            if rebased is None:
                return False
            for index, (effect, old) in enumerate(zip(rebased, rest, strict=True), drop):
                if effect is not old:
                    effects[index] = effect
                    queue.view = None
        if drop:
            self._forget_all(ready[:drop])
            del ready[:drop]
            del effects[:drop]
            queue.committed_nonce = committed
            self.ready_count -= drop
            queue.view = None
            self._buckets.set(queue.key, len(ready))
            self._drop_if_empty(queue)
        return True

    def recheck_all(
        self,
        changes: Mapping[bytes, bytes | None] | None = None,
        included: set[bytes] | None = None,
    ) -> int:
        """After a block: `refresh` every sender when the block's `changes` are known, and
        `recheck` the senders it cannot keep (every sender without `changes`). Returns how many
        senders were re-checked."""
        rechecked = 0
        for queue in list(self._senders.values()):
            if changes is None or not self.refresh(queue, changes, included or set()):
                self.recheck(queue)
                rechecked += 1
        return rechecked

    def rebase(self, state: StateReader) -> None:
        """Check against `state` from now on; overlays built on another reader are rebuilt."""
        if state is not self.state:
            self.state = state
            for queue in self._senders.values():
                queue.view = None

    # -- internals ---------------------------------------------------------------------------

    def _forget(self, tx: SignedTx) -> None:
        del self.by_hash[tx.hash]
        self._bytes -= len(tx.encode())

    def _forget_all(self, txs: list[SignedTx]) -> None:
        """`_forget` each of `txs` (a block's included run of a sender)."""
        by_hash = self.by_hash
        size = 0
        for tx in txs:
            del by_hash[tx.hash]
            size += len(tx.encode())
        self._bytes -= size

    def _forget_future(self, queue: SenderQueue, tx: SignedTx) -> None:
        del queue.future[tx.body.nonce]
        del self._future_order[tx.hash]
        self._forget(tx)

    def _drop_if_empty(self, queue: SenderQueue) -> None:
        if queue.empty:
            self._senders.pop(queue.key, None)
            self._buckets.set(queue.key, 0)
