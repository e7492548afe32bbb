"""Signature verification off the event loop, each tx at most once per node.

Ed25519 verification is the node's throughput ceiling (design.md), so it runs in a small thread
pool: PyNaCl calls libsodium through cffi, which releases the GIL, so two workers use both cores
while the event loop keeps serving. A batch is split into one chunk per worker, so the cost of a
hand-off is paid per chunk, not per tx.

Hashes of txs that verified are remembered in a bounded FIFO set (a tx hash covers the body and
the signature, so a remembered hash means exactly that envelope verified). The mempool consults it
before verifying, and the block executor can use `signature_ok` as its `signature_ok` callback so
that a validator re-executing a proposal skips every signature its mempool already checked.
Failures are not remembered: a bad signature costs its sender nothing to resend, so caching it
would only let an attacker fill the cache.

The set is only touched from the event loop's thread (`verify_batch` updates it after the workers
return); `signature_ok` may also be called from the loop's thread only.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

from ledger.tx import SignedTx

log = logging.getLogger(__name__)

DEFAULT_WORKERS = 2
MIN_CHUNK = 16  # below this many txs per worker, one chunk: a hand-off costs more than it saves


def _verify_chunk(txs: Sequence[SignedTx], genesis_hash: bytes) -> list[bool]:
    return [tx.verify_signature(genesis_hash) for tx in txs]


class SignatureVerifier:
    """Verifies tx signatures in a thread pool and remembers which hashes verified."""

    def __init__(
        self,
        genesis_hash: bytes,
        cache_size: int = 200_000,
        workers: int = DEFAULT_WORKERS,
    ) -> None:
        if cache_size < 1 or workers < 1:
            raise ValueError("cache_size and workers must be positive")
        self.genesis_hash = genesis_hash
        self._cache_size = cache_size
        self._workers = workers
        self._pool: ThreadPoolExecutor | None = None
        self._verified: set[bytes] = set()
        self._order: deque[bytes] = deque()
        self.verified_total = 0  # signatures actually checked (cache misses)
        self.cache_hits = 0

    def __len__(self) -> int:
        return len(self._verified)

    def is_verified(self, tx_hash: bytes) -> bool:
        return tx_hash in self._verified

    def remember(self, tx_hash: bytes) -> None:
        """Record that the tx with this hash has a valid signature."""
        if tx_hash in self._verified:
            return
        self._verified.add(tx_hash)
        self._order.append(tx_hash)
        if len(self._order) > self._cache_size:
            self._verified.discard(self._order.popleft())

    def signature_ok(self, tx: SignedTx) -> bool:
        """Synchronous check for the block executor: cached, or verified now and remembered."""
        tx_hash = tx.hash
        if tx_hash in self._verified:
            self.cache_hits += 1
            return True
        self.verified_total += 1
        if not tx.verify_signature(self.genesis_hash):
            return False
        self.remember(tx_hash)
        return True

    async def verify_batch(self, txs: Sequence[SignedTx]) -> list[bool]:
        """Whether each tx's signature is valid, verifying only those not seen before."""
        results = [False] * len(txs)
        todo_index: list[int] = []
        todo: list[SignedTx] = []
        verified = self._verified
        for i, tx in enumerate(txs):
            if tx.hash in verified:
                results[i] = True
            else:
                todo_index.append(i)
                todo.append(tx)
        self.cache_hits += len(txs) - len(todo)
        if not todo:
            return results
        self.verified_total += len(todo)
        chunk_count = max(1, min(self._workers, len(todo) // MIN_CHUNK))
        size = -(-len(todo) // chunk_count)
        loop = asyncio.get_running_loop()
        pool = self._executor()
        futures = [
            loop.run_in_executor(pool, _verify_chunk, todo[start : start + size], self.genesis_hash)
            for start in range(0, len(todo), size)
        ]
        position = 0
        for chunk_result in await asyncio.gather(*futures):
            for ok in chunk_result:
                i = todo_index[position]
                position += 1
                if ok:
                    results[i] = True
                    self.remember(txs[i].hash)
        return results

    def _executor(self) -> ThreadPoolExecutor:
        if self._pool is None:
            self._pool = ThreadPoolExecutor(self._workers, thread_name_prefix="verify")
        return self._pool

    def close(self) -> None:
        """Stop the worker threads; pending verifications finish first."""
        if self._pool is not None:
            self._pool.shutdown(wait=True)
            self._pool = None
