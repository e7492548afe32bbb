"""The mempool: admission, fair reaping for the proposer, and re-checking after each block.

Admission, in order (each step answers with a code from `ledger.errors.ErrorCode`; a rejected tx
changes nothing in the pool):

1. size above `max_tx_bytes` or the chain's limit: TOO_LARGE;
2. decode (`SignedTx.decode`): MALFORMED;
3. chain id: WRONG_CHAIN; already pending (same hash, in the pool or earlier in the batch):
   DUPLICATE; a nonce below the sender's committed one: BAD_NONCE (all checked before the
   signature, so a duplicate or the replay of a committed tx costs no verification: the
   verifier forgets a tx's hash once its block commits);
4. signature, in the verifier's thread pool, skipped for hashes verified before: BAD_SIGNATURE;
5. nonce: below the committed nonce BAD_NONCE; a nonce another pending tx of the sender holds
   NONCE_IN_POOL (no replacement); ahead by `max_future_per_sender` or more NONCE_TOO_HIGH;
6. the sender's pending count is at `max_txs_per_sender`: SENDER_CAP (except for a tx at the
   sender's next nonce while it has queued txs: that one takes the place of its last queued tx,
   so a sender at its cap can always fill its own gap);
7. room (see eviction below): MEMPOOL_FULL;
8. a tx at the sender's next nonce runs through the ledger's `execute_tx` on the sender's overlay
   (committed state plus the sender's own pending txs): any `TxError` code, e.g.
   INSUFFICIENT_FUNDS when pending spends leave too little, FEE_TOO_LOW, ZERO_AMOUNT. A tx ahead
   of the next nonce gets the stateless checks and a cheap payment check (the sender's account
   must exist and cover the fees and transfer amounts of all its queued txs: INSUFFICIENT_FUNDS),
   is capped by `max_future_txs` in all (MEMPOOL_FULL) and waits in the sender's future queue,
   not gossiped, for at most `future_ttl_s`; when the gap fills, it is checked like a new tx,
   dropped (counted as evicted) if it fails, and handed out for gossip (`take_promoted`).

Why each sender has its own overlay: a sender's txs are checked against committed state and its
own pending txs only, never against another sender's pending txs. So no pending tx depends on
another sender's pending tx, the proposer may interleave senders freely (the round-robin reap), and
evicting one sender's tx never invalidates another's. For transfers this is exact: another
sender's txs can only credit an account, never debit it. The cost is that a tx spending coin that
is itself still pending is refused (INSUFFICIENT_FUNDS) until the credit commits.

Eviction, when a tx at its sender's next nonce needs room (count or bytes): first the oldest
future txs of other senders (they cannot be included anyway), then the highest-nonce ready tx of
the sender with the most ready txs, but only while that sender holds more ready txs than the
incoming sender will after admission (so one sender flooding the pool gives way to a newcomer, the
victim never ends up with fewer than the newcomer, and two equal senders never evict each other).
If that cannot make room, MEMPOOL_FULL and nothing is evicted. A future tx never evicts anything.

After each committed block, `update` drops included and stale txs; given the block's changes, a
sender's remaining ready txs are kept without running when the block cannot have changed their
results or only credited what they read (node/mempool/effects.py), others run again on the new
state, the first failure evicted with its sender's later txs (docs/mempool.md).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator, Mapping, Sequence

from ledger.codec import MalformedError
from ledger.errors import ErrorCode, TxError
from ledger.genesis import ChainParams
from ledger.keys import ADDRESS_LEN, Address
from ledger.state import keys
from ledger.state.context import BlockContext
from ledger.state.events import Receipt
from ledger.state.executor import check_envelope, execute_tx
from ledger.state.reader import StateReader
from ledger.state.view import StateView
from ledger.tx import SignedTx
from node.mempool.effects import Effect, execute_tracked
from node.mempool.limits import MempoolLimits
from node.mempool.pending import PendingTxs, already_verified
from node.mempool.queued import cannot_pay_queued
from node.mempool.reap import round_robin
from node.mempool.results import Admission, MempoolStats, UpdateReport, admitted
from node.mempool.room import plan_room
from node.mempool.sender import SenderQueue
from node.mempool.verifier import SignatureVerifier

log = logging.getLogger(__name__)

CHECK_PROPOSER = Address(bytes(ADDRESS_LEN))  # fee recipient in admission checks (overlay only)


def _now_ms() -> int:
    return int(time.time() * 1000)


class Mempool:
    """Pending txs of one node. Every method runs on the event loop's thread."""

    def __init__(
        self,
        params: ChainParams,
        genesis_hash: bytes,
        state: StateReader,
        limits: MempoolLimits | None = None,
        *,
        verifier: SignatureVerifier | None = None,
        time_ms: int | None = None,
    ) -> None:
        self.params = params
        self.genesis_hash = genesis_hash
        self.limits = limits or MempoolLimits()
        # `is None`, not `or`: an empty verifier has len 0, so `or` would replace a shared one
        self.verifier = (
            verifier
            if verifier is not None
            else SignatureVerifier(genesis_hash, self.limits.verified_cache_size)
        )
        self.max_tx_bytes = min(self.limits.max_tx_bytes, params.consensus.max_tx_bytes)
        self._max_ahead = max(1, self.limits.max_future_per_sender)  # a future nonce's reach
        self._time_ms = _now_ms() if time_ms is None else time_ms
        self._pending = PendingTxs(self.limits, state, self._context(state))
        self._admitted = 0
        self._included = 0
        self._rejected: dict[ErrorCode, int] = {}

    # -- reading -----------------------------------------------------------------------------

    def __len__(self) -> int:
        return self._pending.pending_count

    def __contains__(self, tx_hash: object) -> bool:
        return tx_hash in self._pending

    @property
    def ready_count(self) -> int:
        """Pending txs that can execute now (`stats().ready`, without building the stats)."""
        return self._pending.ready_count

    def get(self, tx_hash: bytes) -> SignedTx | None:
        return self._pending.get(tx_hash)

    def recorded_effect(self, tx_hash: bytes) -> Effect | None:
        """What a ready tx read and wrote when it last executed on its sender's overlay (what it
        would do now: the invariant behind keeping senders after a block); None otherwise."""
        return self._pending.effect(tx_hash)

    def holds(self, tx: SignedTx) -> bool:
        """True when this very tx object is pending: it passed the envelope checks (chain id,
        size, fee, signature, the kind's stateless rules) under this pool's chain parameters, so
        a block executor need not run them again (`execute_block(prechecked=...)`)."""
        return self._pending.by_hash.get(tx.hash) is tx

    def txs(self) -> Iterator[SignedTx]:
        """Every pending tx: per sender (in arrival order of senders), ready then future."""
        for queue in self._pending.queues():
            yield from queue.ready
            yield from (queue.future[n] for n in sorted(queue.future))

    def ready_txs(self) -> Iterator[SignedTx]:
        """Every pending tx that can execute now (what is gossiped), per sender."""
        for queue in self._pending.queues():
            yield from queue.ready

    def next_nonce(self, sender: bytes) -> int | None:
        """The nonce for a new tx of `sender` (a public key), or None when it has none pending."""
        queue = self._pending.find(sender)
        return None if queue is None else queue.next_nonce

    def stats(self) -> MempoolStats:
        pending = self._pending
        return MempoolStats(
            txs=pending.pending_count,
            bytes=pending.pending_bytes,
            ready=pending.ready_count,
            future=len(pending.future_order),
            senders=pending.sender_count,
            admitted_total=self._admitted,
            evicted_total=pending.evicted_total,
            included_total=self._included,
            verified_total=self.verifier.verified_total,
            verify_cache_hits=self.verifier.cache_hits,
            rejected_total=dict(self._rejected),
        )

    # -- admission ---------------------------------------------------------------------------

    async def admit(self, data: bytes) -> Admission:
        return (await self.admit_batch([data]))[0]

    async def admit_batch(self, raw_txs: Sequence[bytes]) -> list[Admission]:
        """Admit encoded txs; one `Admission` per input, in input order."""
        results: list[Admission | None] = [None] * len(raw_txs)
        decoded: list[SignedTx | None] = [None] * len(raw_txs)
        limit = self.max_tx_bytes
        for i, data in enumerate(raw_txs):
            if len(data) > limit:
                results[i] = self._reject(ErrorCode.TOO_LARGE, None, f"over {limit} bytes")
                continue
            try:
                decoded[i] = SignedTx.decode(data, limit)
            except MalformedError as exc:
                results[i] = self._reject(ErrorCode.MALFORMED, None, str(exc))
        return await self._admit_decoded(decoded, results)

    async def admit_txs(self, txs: Sequence[SignedTx]) -> list[Admission]:
        """Admit txs that were decoded elsewhere (e.g. from JSON); same rules as `admit_batch`."""
        results: list[Admission | None] = [None] * len(txs)
        decoded: list[SignedTx | None] = list(txs)
        for i, tx in enumerate(txs):
            if len(tx.encode()) > self.max_tx_bytes:
                results[i] = self._reject(ErrorCode.TOO_LARGE, tx.hash, "tx too large")
                decoded[i] = None
        return await self._admit_decoded(decoded, results)

    async def _admit_decoded(
        self, decoded: list[SignedTx | None], results: list[Admission | None]
    ) -> list[Admission]:
        to_verify: list[SignedTx] = []
        positions: list[int] = []
        in_batch: set[bytes] = set()
        nonces: dict[bytes, int] = {}  # committed nonces of senders without a queue, read once
        chain_id = self.params.chain_id
        pending = self._pending
        for i, tx in enumerate(decoded):
            if tx is None:
                continue
            tx_hash = tx.hash
            if tx.body.chain_id != chain_id:
                results[i] = self._reject(ErrorCode.WRONG_CHAIN, tx_hash, "tx is for another chain")
            elif tx_hash in pending.by_hash or tx_hash in in_batch:
                results[i] = self._reject(ErrorCode.DUPLICATE, tx_hash, "already pending")
            elif (committed := self._pending.sender_nonce(tx, nonces)) > tx.body.nonce:
                results[i] = self._reject(
                    ErrorCode.BAD_NONCE, tx_hash, f"nonce {tx.body.nonce} used; next is {committed}"
                )
            else:
                in_batch.add(tx_hash)
                to_verify.append(tx)
                positions.append(i)
        if to_verify:
            verdicts = await self.verifier.verify_batch(to_verify)
            # No await from here on: the stateful part is atomic with respect to other callers.
            for i, tx, ok in zip(positions, to_verify, verdicts, strict=True):
                if ok:
                    results[i] = self.admit_verified(tx)
                else:
                    results[i] = self._reject(
                        ErrorCode.BAD_SIGNATURE, tx.hash, "signature does not verify"
                    )
        return [r for r in results if r is not None]

    def admit_verified(self, tx: SignedTx) -> Admission:
        """Steps 5-8 for a tx whose size, chain id and signature the caller has checked."""
        tx_hash = tx.hash
        pending = self._pending
        if tx_hash in pending.by_hash:
            return self._reject(ErrorCode.DUPLICATE, tx_hash, "already pending")
        queue = pending.queue_for(tx.body.sender)
        nonce = tx.body.nonce
        expected = queue.next_nonce
        if nonce < queue.committed_nonce:
            return self._reject(
                ErrorCode.BAD_NONCE, tx_hash, f"nonce {nonce} used; next is {expected}"
            )
        if nonce < expected or nonce in queue.future:
            return self._reject(ErrorCode.NONCE_IN_POOL, tx_hash, f"nonce {nonce} is pending")
        if nonce - expected >= self._max_ahead:
            return self._reject(
                ErrorCode.NONCE_TOO_HIGH, tx_hash, f"nonce {nonce} is ahead; next is {expected}"
            )
        own_victim = None
        if queue.pending >= self.limits.max_txs_per_sender:
            if nonce > expected or not queue.future:
                return self._reject(
                    ErrorCode.SENDER_CAP, tx_hash, f"sender has {queue.pending} pending txs"
                )
            # The tx that fills the gap takes the place of the sender's last queued tx.
            own_victim = queue.future[max(queue.future)]
        if nonce > expected:
            return self._admit_future(queue, tx)
        size = len(tx.encode())
        limits, used = self.limits, pending.pending_bytes + size
        free = len(pending.by_hash) < limits.max_txs and used <= limits.max_bytes  # no planning
        victims = [] if free and own_victim is None else plan_room(pending, size, queue, own_victim)
        if victims is None:
            return self._reject(ErrorCode.MEMPOOL_FULL, tx_hash, "mempool is full")
        try:
            effect = execute_tracked(pending.view_of(queue), pending.ctx, tx, queue.account_key)
        except TxError as error:
            return self._reject(error.code, tx_hash, error.message)
        for victim in victims if own_victim is None else [own_victim, *victims]:
            pending.evict(victim)
        pending.add_ready(queue, tx, effect, size)
        self._admitted += 1
        return admitted(tx_hash)

    def check(self, tx: SignedTx, *, signed: bool = True) -> tuple[ErrorCode, str, Receipt | None]:
        """A dry run: would `tx` pass admission now? Changes nothing in the pool.

        The tx runs through `execute_tx` on a throwaway child of its sender's overlay (committed
        state plus the sender's pending txs), so its nonce must be the sender's next one. With
        `signed=False` (an unsigned body, for a wallet's `--dry-run`) the signature is not checked.
        """
        if len(tx.encode()) > self.max_tx_bytes:
            return ErrorCode.TOO_LARGE, "tx too large", None
        if tx.body.chain_id != self.params.chain_id:
            return ErrorCode.WRONG_CHAIN, "tx is for another chain", None
        if signed and not tx.verify_signature(self.genesis_hash):
            return ErrorCode.BAD_SIGNATURE, "signature does not verify", None
        if tx.hash in self._pending:
            return ErrorCode.DUPLICATE, "already pending", None
        pending = self._pending
        queue = pending.queue_for(tx.body.sender)
        if tx.body.nonce < queue.next_nonce and tx.body.nonce >= queue.committed_nonce:
            return ErrorCode.NONCE_IN_POOL, f"nonce {tx.body.nonce} is pending", None
        view = StateView(pending.view_of(queue))
        try:
            receipt = execute_tx(view, pending.ctx, tx, already_verified)
        except TxError as error:
            return error.code, error.message, None
        return ErrorCode.OK, "", receipt

    def _admit_future(self, queue: SenderQueue, tx: SignedTx) -> Admission:
        pending = self._pending
        try:
            check_envelope(tx, pending.ctx, already_verified)
        except TxError as error:
            return self._reject(error.code, tx.hash, error.message)
        short = cannot_pay_queued(pending.view_of(queue), queue, tx)
        if short:
            return self._reject(ErrorCode.INSUFFICIENT_FUNDS, tx.hash, short)
        if len(pending.future_order) >= self.limits.max_future_txs:
            return self._reject(ErrorCode.MEMPOOL_FULL, tx.hash, "no room for queued txs")
        if (
            pending.pending_count >= self.limits.max_txs
            or pending.pending_bytes + len(tx.encode()) > self.limits.max_bytes
        ):
            return self._reject(ErrorCode.MEMPOOL_FULL, tx.hash, "mempool is full")
        pending.add_future(queue, tx, self._time_ms)
        self._admitted += 1
        return Admission(ErrorCode.OK, tx.hash, queued=True)

    def take_promoted(self) -> list[SignedTx]:
        """Queued txs that became ready since the last call (to gossip them now)."""
        promoted, self._pending.promoted = self._pending.promoted, []
        return promoted

    def _reject(self, code: ErrorCode, tx_hash: bytes | None, reason: str) -> Admission:
        self._rejected[code] = self._rejected.get(code, 0) + 1
        return Admission(code, tx_hash, reason)

    # -- proposer ----------------------------------------------------------------------------

    def reap(self, max_txs: int, max_bytes: int) -> list[SignedTx]:
        """Ready txs for a block: round-robin across senders, nonce order within each sender.

        Senders take turns in the order they arrived. A sender whose next tx does not fit the
        remaining bytes contributes nothing more (its later txs would follow a gap); the others
        go on. The pool is unchanged: `update` removes what the block included.
        """
        queues = [q.ready for q in self._pending.queues() if q.ready]
        return round_robin(queues, max_txs, max_bytes)

    # -- after a block -----------------------------------------------------------------------

    def update(
        self,
        committed_txs: Sequence[SignedTx],
        new_state: StateReader,
        time_ms: int | None = None,
        *,
        changes: Mapping[bytes, bytes | None] | None = None,
    ) -> UpdateReport:
        """Drop what the block included, then re-check the remaining txs against `new_state`.

        `changes` is everything the block wrote (key -> value, None for deleted): with it, only
        the senders whose txs the block could have affected run again (module docstring); the
        node passes it. Txs are then checked at `time_ms` (pass the committed block's time), or
        at the wall clock's time when it is None: handlers with deadlines (proposals, dues)
        read it.
        """
        pending = self._pending
        hashes = {tx.hash for tx in committed_txs}
        self.verifier.forget(hashes)  # never checked again: admission refuses a used nonce first
        included = len(hashes & pending.by_hash.keys())
        self._included += included
        self._time_ms = _now_ms() if time_ms is None else time_ms
        pending.rebase(new_state)
        pending.ctx = self._context(new_state)
        before = pending.pending_count
        evicted_before = pending.evicted_total
        rechecked = pending.recheck_all(changes, hashes)
        pending.expire_future(self._time_ms - self.limits.future_ttl_s * 1000)
        evicted = pending.evicted_total - evicted_before
        report = UpdateReport(
            included=included,
            dropped_stale=before - pending.pending_count - evicted - included,
            evicted=evicted,
            remaining=pending.pending_count,
            rechecked=rechecked,
        )
        log.debug("mempool update: %s", report)
        return report

    def _context(self, state: StateReader) -> BlockContext:
        """The context txs are checked in: the height after the committed one."""
        data = state.get(keys.chain_meta(b"height"))
        height = int.from_bytes(data, "big") if data else 0
        return BlockContext(
            self.params, self.genesis_hash, height + 1, self._time_ms, CHECK_PROPOSER
        )
