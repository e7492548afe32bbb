"""Signature verification off the event loop, each tx at most once per node.

Ed25519 verification is the node's throughput ceiling (design.md), so it runs beside the event
loop, a batch split into one chunk per worker so that a hand-off is paid per chunk, not per tx.
The workers are processes by default (`mempool.verify_processes`): PyNaCl releases the GIL inside
libsodium, but each verification also runs Python around the call (the signed bytes, the key
object, the result), and two threads doing that contend with the event loop for the GIL, which
cost a one-validator node about a fifth of its throughput (docs/performance.md). A process gets
(public key, signed bytes, signature) triples and answers a list of booleans; `spawn` starts it
with a fresh interpreter that imports only what verification needs. With
`verify_processes = 0` the workers are threads of the node's process, as in tests that build
many pools. If a worker process dies, the batch is verified in a thread and the pool restarts.

A batch of at most `INLINE_MAX` unseen signatures (a lone tx from a wallet, a small gossip batch
at low load) is verified on the loop itself: a hand-off to a worker process and back costs
several wake-ups of other processes and threads, which on a loaded machine took up to a second
(issue 17: the POST of one tx at 20 tx/s answered in 18 ms at p50 but 980 ms at p99), while the
check itself takes about 60 µs. Under load batches are larger and go to the workers.

Hashes of txs that verified are remembered (a tx hash covers the body and the signature, so a
remembered hash means exactly that envelope verified). The mempool consults them before
verifying, and the block executor can use `signature_ok` as its `signature_ok` callback so that a
validator re-executing a proposal skips every signature its mempool already checked. A hash
matters from the tx's admission (or a proposal's, or a synced block's, verification ahead) until
the block that commits the tx: the mempool's update `forget`s a committed block's hashes, and a
replay of a committed tx is refused by its nonce before any signature is checked
(node/mempool/pool.py). What is never committed (a tx evicted or refused after its check) ages
out: the hashes are held in two generations of at most `cache_size / 2` each, the older dropped
whole when the younger fills, so at most `cache_size` are held (a set and a FIFO queue of every
hash, as before, held 200,000 committed hashes and 22 MiB on a busy node, none of them of use).
Failures are not remembered: a bad signature costs its sender nothing to resend, so caching it
would only let an attacker fill the cache.

The set is only touched from the event loop's thread (`verify_batch` updates it after the workers
return); `signature_ok` may also be called from the loop's thread only.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
from collections.abc import Iterable, Sequence
from concurrent.futures import BrokenExecutor, Executor, ProcessPoolExecutor, ThreadPoolExecutor

from ledger.tx import SignedTx
from node.sigworker import hide_script_main, verify_signed, worker_init

log = logging.getLogger(__name__)

DEFAULT_WORKERS = 2
MIN_CHUNK = 16  # below this many txs per worker, one chunk: a hand-off costs more than it saves
# at most this many unseen signatures are verified on the loop itself, without a hand-off (a
# lone tx at low load; module docstring)
INLINE_MAX = 4


def _verify_chunk(txs: Sequence[SignedTx], genesis_hash: bytes) -> list[bool]:
    return [tx.verify_signature(genesis_hash) for tx in txs]


class SignatureVerifier:
    """Verifies tx signatures in worker processes (or threads) and remembers which verified."""

    def __init__(
        self,
        genesis_hash: bytes,
        cache_size: int = 200_000,
        workers: int = DEFAULT_WORKERS,
        *,
        processes: bool = False,
    ) -> None:
        if cache_size < 1 or workers < 1:
            raise ValueError("cache_size and workers must be positive")
        self.genesis_hash = genesis_hash
        self._workers = workers
        self._processes = processes
        self._pool: Executor | None = None
        self._generation = max(1, cache_size // 2)  # hashes per generation
        self._verified: set[bytes] = set()  # the younger generation
        self._older: set[bytes] = set()
        self.verified_total = 0  # signatures actually checked (cache misses)
        self.cache_hits = 0

    def __len__(self) -> int:
        return len(self._verified) + len(self._older)

    def is_verified(self, tx_hash: bytes) -> bool:
        return tx_hash in self._verified or tx_hash in self._older

    def remember(self, tx_hash: bytes) -> None:
        """Record that the tx with this hash has a valid signature."""
        verified = self._verified
        if tx_hash in verified or tx_hash in self._older:
            return
        if len(verified) >= self._generation:
            self._older = verified
            verified = self._verified = set()
        verified.add(tx_hash)

    def forget(self, tx_hashes: Iterable[bytes]) -> None:
        """Drop the hashes of committed txs: a committed tx is never checked again (its nonce
        is used: admission refuses a replay before verifying, a block holding it is invalid)."""
        hashes = tx_hashes if isinstance(tx_hashes, set | frozenset) else set(tx_hashes)
        self._verified.difference_update(hashes)  # a block's worth at once, not hash by hash
        self._older.difference_update(hashes)

    def signature_ok(self, tx: SignedTx) -> bool:
        """Synchronous check for the block executor: cached, or verified now and remembered."""
        tx_hash = tx.hash
        if tx_hash in self._verified or tx_hash in self._older:
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
        verified, older = self._verified, self._older
        for i, tx in enumerate(txs):
            tx_hash = tx.hash
            if tx_hash in verified or tx_hash in older:
                results[i] = True
            else:
                todo_index.append(i)
                todo.append(tx)
        self.cache_hits += len(txs) - len(todo)
        if not todo:
            return results
        self.verified_total += len(todo)
        if len(todo) <= INLINE_MAX:
            for i, tx in zip(todo_index, todo, strict=True):
                if tx.verify_signature(self.genesis_hash):
                    results[i] = True
                    self.remember(tx.hash)
            return results
        chunk_count = max(1, min(self._workers, len(todo) // MIN_CHUNK))
        size = -(-len(todo) // chunk_count)
        chunks = [todo[start : start + size] for start in range(0, len(todo), size)]
        position = 0
        for chunk_result in await self._verify_chunks(chunks):
            for ok in chunk_result:
                i = todo_index[position]
                position += 1
                if ok:
                    results[i] = True
                    self.remember(txs[i].hash)
        return results

    async def _verify_chunks(self, chunks: list[list[SignedTx]]) -> list[list[bool]]:
        loop = asyncio.get_running_loop()
        pool = self._executor()
        if not self._processes:
            futures = [
                loop.run_in_executor(pool, _verify_chunk, chunk, self.genesis_hash)
                for chunk in chunks
            ]
            return list(await asyncio.gather(*futures))
        genesis_hash = self.genesis_hash
        jobs = [
            [(tx.body.sender, tx.sign_bytes(genesis_hash), tx.signature) for tx in chunk]
            for chunk in chunks
        ]
        try:
            return list(
                await asyncio.gather(*(loop.run_in_executor(pool, verify_signed, j) for j in jobs))
            )
        except BrokenExecutor as exc:  # a worker died (killed, out of memory): start afresh
            log.warning("a signature worker process died (%s); restarting the pool", exc)
            pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None
            return [await asyncio.to_thread(verify_signed, job) for job in jobs]

    def start(self) -> None:
        """Start the workers now rather than at the first batch (a process takes a moment)."""
        pool = self._executor()
        if self._processes:
            for _ in range(self._workers):
                pool.submit(verify_signed, [])

    def _executor(self) -> Executor:
        if self._pool is None:
            if self._processes:
                hide_script_main()
                context = multiprocessing.get_context("spawn")
                self._pool = ProcessPoolExecutor(
                    self._workers,
                    mp_context=context,
                    initializer=worker_init,
                    initargs=(os.getpid(),),
                )
            else:
                self._pool = ThreadPoolExecutor(self._workers, thread_name_prefix="verify")
        return self._pool

    def close(self) -> None:
        """Stop the worker threads; pending verifications finish first."""
        if self._pool is not None:
            self._pool.shutdown(wait=True)
            self._pool = None
