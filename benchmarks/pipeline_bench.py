"""CPU cost per transfer of one node's whole pipeline, phase by phase, without the network.

    .venv/bin/python benchmarks/pipeline_bench.py [--senders 2000] [--block-txs 5000] [--blocks 4]
        [--accounts 1000000]

Two nodes of a one-validator chain, each with a real LevelDB store in a temp folder: a proposer
and a follower (a validator that did not propose). Per block, both admit the block's worth of
pre-signed transfers plus `--backlog` more (so `update` has a remainder to re-check) through
`Mempool.admit_batch`, signatures verified in the verifier threads; the proposer builds the block
(`Chain.propose`: reap, execute, Merkle update); the follower decodes the block's bytes and
validates it (`Chain.block_error`); both commit (`Chain.commit`) and update their mempools.

Costs are CPU seconds per tx in the block: the loop thread's own CPU time (`time.thread_time`,
what limits a node's event loop) for every phase, and the process's CPU time for admission (it
includes the verifier threads). CPU time, unlike wall time, is robust to other processes sharing
the cores; the commit's wall time is printed beside it (its synced write waits for the disk).
With `--accounts N` both stores start from the prefilled state of `coterie bench --accounts N`
(cli/bench/prefill.py: N funded accounts at height 0) and each transfer goes to a random one of
them, as in that bench. The garbage collector is set as the node sets it after start-up
(node/collector.py). Figures go to docs/performance.md.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import tempfile
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable
from functools import partial
from pathlib import Path
from typing import TypeVar

from cli.bench import prefill
from ledger.block import Block, Commit, CommitSig, Vote, VoteType
from ledger.genesis import ChainParams, ConsensusParams, Genesis, GenesisValidator
from ledger.hashing import digest
from ledger.keys import Address, PrivateKey
from ledger.store import Store
from ledger.tx import SignedTx, Transfer, TxBody
from node.chain import Chain
from node.collector import settle_after_startup
from node.mempool import Mempool, MempoolLimits

VALIDATOR = PrivateKey.from_secret(b"pipeline-validator")
T = TypeVar("T")


def build_genesis(senders: list[PrivateKey], block_txs: int) -> Genesis:
    return Genesis(
        params=ChainParams(
            chain_id="coterie-pipeline",
            address_prefix="tcot",
            consensus=ConsensusParams(max_block_txs=block_txs),
        ),
        genesis_time_ms=0,
        balances=tuple((k.address, 10**12) for k in senders),
        validators=(GenesisValidator("v0", VALIDATOR.public_key, 1),),
    )


def presign(
    genesis: Genesis,
    keys: list[PrivateKey],
    count: int,
    payees: list[Address],
    pick: Callable[[], Address] | None = None,
) -> list[SignedTx]:
    """`count` transfers, senders in turn (nonce-major), each to the next sender, or with
    `payees` to one of them (payments to shops, which do not send), or with `pick` to the
    account it picks (another one than the sender)."""
    ghash = genesis.hash()
    out = []
    for n in range(count):
        i, nonce = n % len(keys), n // len(keys)
        recipient = payees[n % len(payees)] if payees else keys[(i + 1) % len(keys)].address
        if pick is not None:
            recipient = pick()
            while recipient == keys[i].address:
                recipient = pick()
        body = TxBody(genesis.chain_id, keys[i].public_key, nonce, 0, Transfer(recipient, 1))
        out.append(body.sign(keys[i], ghash))
    return out


def sign_commit(genesis: Genesis, block: Block) -> Commit:
    h = block.header
    vote = Vote.sign_bytes_for(genesis.hash(), VoteType.PRECOMMIT, h.height, 0, block.hash())
    return Commit(h.height, 0, block.hash(), (CommitSig(VALIDATOR.address, VALIDATOR.sign(vote)),))


class Clock:
    """CPU time of this thread and of the process, and wall time, per phase."""

    def __init__(self) -> None:
        self.thread: dict[str, list[float]] = defaultdict(list)
        self.process: dict[str, list[float]] = defaultdict(list)
        self.wall: dict[str, list[float]] = defaultdict(list)

    def run(self, phase: str, fn: Callable[[], T]) -> T:
        t0, p0, w0 = time.thread_time(), time.process_time(), time.perf_counter()
        out = fn()
        self.thread[phase].append(time.thread_time() - t0)
        self.process[phase].append(time.process_time() - p0)
        self.wall[phase].append(time.perf_counter() - w0)
        return out

    async def run_async(self, phase: str, awaitable: Awaitable[T]) -> T:
        t0, p0 = time.thread_time(), time.process_time()
        out = await awaitable
        self.thread[phase].append(time.thread_time() - t0)
        self.process[phase].append(time.process_time() - p0)
        return out


async def admit(pool: Mempool, raw: list[bytes], batch: int) -> None:
    for start in range(0, len(raw), batch):
        results = await pool.admit_batch(raw[start : start + batch])
        bad = [r for r in results if not r.ok]
        if bad:
            raise RuntimeError(f"unexpected rejection: {bad[0]}")


async def one_block(
    clock: Clock,
    genesis: Genesis,
    chains: list[Chain],
    pools: list[Mempool],
    chunk: list[bytes],
    *,
    batch: int,
    full_recheck: bool,
) -> None:
    """Admit `chunk` on both nodes, propose, validate on the follower, commit and update both."""
    proposer, follower = chains
    for name, pool in (("prop", pools[0]), ("follow", pools[1])):
        await clock.run_async(f"{name} admit", admit(pool, chunk, batch))
    block = clock.run("prop propose", lambda: proposer.propose(proposer.height + 1, 0))
    data = clock.run("prop encode block", block.encode)
    # as the router does: the txs the follower's mempool already decoded are reused by hash
    received = clock.run("follow decode block", lambda: Block.decode(data, known=pools[1].get))
    error = clock.run("follow validate", lambda: follower.block_error(received))
    if error:
        raise RuntimeError(error)
    commit = sign_commit(genesis, block)
    for name, chain, pool, b in (
        ("prop", proposer, pools[0], block),
        ("follow", follower, pools[1], received),
    ):
        executed = clock.run(f"{name} commit", partial(chain.commit, b, commit))
        changes = None if full_recheck else executed.changes
        report = clock.run(
            f"{name} update",
            partial(pool.update, b.txs, chain.state, b.header.time_ms, changes=changes),
        )
    print(f"height {block.header.height}: {len(block.txs)} txs, {report.remaining} left pending")


async def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--senders", type=int, default=2000)
    parser.add_argument("--block-txs", type=int, default=5000)
    parser.add_argument("--backlog", type=int, default=1000, help="txs left pending per block")
    parser.add_argument("--blocks", type=int, default=4)
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--payees", type=int, default=0, help="recipients that never send")
    parser.add_argument(
        "--accounts", type=int, default=0, help="prefilled funded accounts; random recipients"
    )
    parser.add_argument("--dir", type=Path, default=None)
    parser.add_argument(
        "--full-recheck", action="store_true", help="mempool update re-runs every sender"
    )
    parser.add_argument("--profile", type=Path, default=None, help="write a cProfile here")
    args = parser.parse_args()

    keys = [PrivateKey.from_secret(b"pipeline-sender-%d" % i) for i in range(args.senders)]
    genesis = build_genesis(keys, args.block_txs)
    payees = [Address(digest(b"payee %d" % i)[:20]) for i in range(args.payees)]
    total = args.block_txs * args.blocks + args.backlog
    print(f"pre-signing {total} transfers from {args.senders} senders ...", flush=True)
    senders = [k.address for k in keys]
    pick = prefill.random_recipients(senders, args.accounts) if args.accounts else None
    raw = [tx.encode() for tx in presign(genesis, keys, total, payees, pick)]
    clock = Clock()
    profiler = None
    if args.profile:
        import cProfile

        profiler = cProfile.Profile()
    with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
        dirs = [Path(tmp) / name for name in ("prop", "follow")]
        if args.accounts:
            print(f"writing a prefilled state of {args.accounts:,} accounts ...", flush=True)
            items = prefill.prefilled_items(genesis, senders, args.accounts)
            prefill.write_prefilled(dirs, genesis, items)
            del items
        stores = [Store.open(path, genesis.hash()) for path in dirs]
        pools, chains = [], []
        for i, store in enumerate(stores):
            chain = Chain(store, genesis)  # the store gets its genesis state here
            limits = MempoolLimits(max_txs=total + 1, max_bytes=1 << 30)
            pool = Mempool(genesis.params, genesis.hash(), store.state, limits)
            chain = Chain(
                store,
                genesis,
                proposer_address=VALIDATOR.address if i == 0 else None,
                txs=pool.reap,
                clock=lambda: int(time.time() * 1000),
                signature_ok=pool.verifier.signature_ok,
                prechecked=pool.holds,
            )
            pools.append(pool)
            chains.append(chain)
        fed = 0
        settle_after_startup()
        if profiler:
            profiler.enable()
        for _ in range(args.blocks):
            upto = min(total, fed + args.block_txs + (args.backlog if fed == 0 else 0))
            await one_block(
                clock,
                genesis,
                chains,
                pools,
                raw[fed:upto],
                batch=args.batch,
                full_recheck=args.full_recheck,
            )
            fed = upto
        if profiler:
            profiler.disable()
            profiler.dump_stats(args.profile)
        for pool in pools:
            pool.verifier.close()
        for store in stores:
            store.close()

    n = args.block_txs
    print(f"\nCPU per tx in a {n}-tx block (median of {args.blocks} blocks), microseconds:")
    print(f"{'phase':<22} {'loop thread':>12} {'process':>10} {'wall':>8}")
    totals = {"prop": 0.0, "follow": 0.0}
    for phase, values in clock.thread.items():
        thread_us = statistics.median(values) / n * 1e6
        process_us = statistics.median(clock.process[phase]) / n * 1e6
        walls = clock.wall.get(phase)
        wall = f"{statistics.median(walls) / n * 1e6:>8.1f}" if walls else f"{'':>8}"
        totals[phase.split()[0]] += thread_us
        print(f"{phase:<22} {thread_us:>12.1f} {process_us:>10.1f} {wall}")
    for who, value in totals.items():
        print(f"{who + ' loop total':<22} {value:>12.1f}   -> {1e6 / value:,.0f} tx/s on one core")
    print(f"load average (1 min) at the end: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    asyncio.run(main())
