"""Micro-benchmark of the mempool: batched admission of pre-signed transfers, reap, update.

    .venv/bin/python benchmarks/mempool_bench.py [--senders 1000] [--per-sender 20] [--batch 500]

Pre-signs `senders * per_sender` transfers (signing is not measured), then measures:
- the machine's Ed25519 verify rate with the same 2-thread pool (the ceiling admission can reach);
- `admit_batch` over encoded txs in batches (decode, hash, verify in the pool, stateful check);
- the same admission with signatures already verified (everything but the verify);
- `reap` of one full block, `update` after committing it, and a re-check of the whole pool.
Figures go to docs/performance.md (section "Mempool") with the command that produced them.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from collections.abc import Callable

from ledger.genesis import ChainParams, Genesis, GenesisValidator
from ledger.keys import PrivateKey
from ledger.state.context import BlockContext
from ledger.state.executor import Mode, execute_block
from ledger.state.genesis_state import genesis_state
from ledger.state.reader import MemoryState
from ledger.tx import SignedTx, Transfer, TxBody
from node.mempool import Mempool, MempoolLimits, SignatureVerifier

VALIDATOR = PrivateKey.from_secret(b"bench-validator")


def build_chain(senders: int) -> tuple[Genesis, list[PrivateKey]]:
    keys = [PrivateKey.from_secret(b"bench-sender-%d" % i) for i in range(senders)]
    genesis = Genesis(
        params=ChainParams(chain_id="coterie-bench", address_prefix="tcot"),
        genesis_time_ms=0,
        balances=tuple((k.address, 10**12) for k in keys),
        validators=(GenesisValidator("v0", VALIDATOR.public_key, 1),),
    )
    return genesis, keys


def presign(genesis: Genesis, keys: list[PrivateKey], per_sender: int) -> list[SignedTx]:
    """Nonce-major order, as many wallets submitting at once would produce."""
    ghash = genesis.hash()
    out = []
    for nonce in range(per_sender):
        for i, key in enumerate(keys):
            recipient = keys[(i + 1) % len(keys)].address
            body = TxBody(genesis.chain_id, key.public_key, nonce, 0, Transfer(recipient, 1))
            out.append(body.sign(key, ghash))
    return out


def best_of(runs: int, fn: Callable[[], float]) -> float:
    return min(fn() for _ in range(runs))


async def measure_verify_ceiling(genesis: Genesis, txs: list[SignedTx]) -> float:
    verifier = SignatureVerifier(genesis.hash(), cache_size=1)  # a cache too small to help
    fresh = [SignedTx(tx.body, tx.signature) for tx in txs]
    start = time.perf_counter()
    await verifier.verify_batch(fresh)
    elapsed = time.perf_counter() - start
    verifier.close()
    return len(txs) / elapsed


async def measure_admission(
    genesis: Genesis,
    state: MemoryState,
    raw: list[bytes],
    *,
    batch: int,
    concurrency: int,
    warm: Mempool | None,
) -> tuple[float, Mempool]:
    """Admit all of `raw` in batches, `concurrency` batches in flight (as from several clients
    or peers); with `warm`, reuse its verifier, so every signature is already known good."""
    limits = MempoolLimits(max_txs=len(raw) + 1, max_bytes=1 << 30)
    verifier = warm.verifier if warm else None
    pool = Mempool(genesis.params, genesis.hash(), state, limits, verifier=verifier)
    batches = [raw[i : i + batch] for i in range(0, len(raw), batch)]
    queue = iter(batches)

    async def client() -> None:
        for chunk in queue:
            results = await pool.admit_batch(chunk)
            bad = [r for r in results if not r.ok]
            if bad:
                raise RuntimeError(f"unexpected rejection: {bad[0]}")

    start = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(concurrency)))
    elapsed = time.perf_counter() - start
    if len(pool) != len(raw):
        raise RuntimeError(f"{len(pool)} of {len(raw)} txs admitted")
    return len(raw) / elapsed, pool


def commit_block(genesis: Genesis, state: MemoryState, pool: Mempool, txs: list[SignedTx]) -> None:
    ctx = BlockContext(genesis.params, genesis.hash(), 1, 1000, VALIDATOR.address)
    result = execute_block(state, ctx, txs, Mode.VALIDATE, pool.verifier.signature_ok)
    state.apply(result.changes)


async def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--senders", type=int, default=1000)
    parser.add_argument("--per-sender", type=int, default=20)
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--concurrency", type=int, default=1, help="batches in flight")
    parser.add_argument("--block-txs", type=int, default=10_000)
    args = parser.parse_args()

    genesis, keys = build_chain(args.senders)
    print(f"pre-signing {args.senders * args.per_sender} transfers ...", flush=True)
    txs = presign(genesis, keys, args.per_sender)
    raw = [tx.encode() for tx in txs]
    size = statistics.mean(len(r) for r in raw)

    ceiling = await measure_verify_ceiling(genesis, txs[:8000])
    state = genesis_state(genesis)
    shape = {"batch": args.batch, "concurrency": args.concurrency}
    cold_rate, pool = await measure_admission(genesis, state, raw, warm=None, **shape)
    warm_rate, _ = await measure_admission(genesis, genesis_state(genesis), raw, warm=pool, **shape)
    reap_s = best_of(5, lambda: _timed(lambda: pool.reap(args.block_txs, 1 << 30)))

    # Commit one reaped block to the pool's state, then time the update (drop + re-check).
    block = pool.reap(args.block_txs, 1 << 30)
    commit_block(genesis, state, pool, block)
    start = time.perf_counter()
    report = pool.update(block, state)
    update_s = time.perf_counter() - start
    pool.verifier.close()

    print(f"txs: {len(raw)} transfers, {size:.0f} bytes each, {args.senders} senders")
    print(f"batch size: {args.batch}, batches in flight: {args.concurrency}")
    print(f"Ed25519 verify ceiling (2 threads): {ceiling:,.0f} /s")
    print(f"admission, signatures verified in the pool: {cold_rate:,.0f} tx/s")
    print(f"  = {cold_rate / ceiling:.2f} of the verify ceiling")
    print(f"admission, signatures already verified: {warm_rate:,.0f} tx/s")
    print(f"reap of {len(block)} txs from {len(raw)}: {reap_s * 1000:.1f} ms")
    print(
        f"update after a {report.included}-tx block, re-checking {report.remaining}: "
        f"{update_s * 1000:.0f} ms ({update_s / max(1, report.remaining) * 1e6:.1f} us per tx)"
    )


def _timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


if __name__ == "__main__":
    asyncio.run(main())
