"""Micro-benchmark of tx gossip over real loopback WebSockets.

    .venv/bin/python benchmarks/p2p_gossip_bench.py [--nodes 4] [--txs 100000] [--size 150]

Starts `--nodes` PeerManagers in one process (one event loop, so all nodes share one core) in a
full mesh. Node 0 gossips `--txs` random txs of `--size` bytes in bursts of 1,000; every node
relays what it receives (as a mempool that admits everything would, passing the hashes it has).
Reports the time until every other node has received every tx, and the cost per tx per node
(total CPU time of the process divided by txs and nodes): in a real network each node has its
own process, so that cost is what one node spends on gossip.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import time

from aiohttp import web

from ledger.hashing import digest
from ledger.keys import PrivateKey
from node.p2p import BaseHandler, Identity, PeerAddress, PeerManager


class Relay(BaseHandler):
    def __init__(self, target: int) -> None:
        self.manager: PeerManager | None = None
        self.received = 0
        self.target = target
        self.done = asyncio.Event()

    async def on_txs(self, peer: bytes, txs: list[bytes]) -> None:
        self.received += len(txs)
        assert self.manager is not None
        self.manager.gossip_txs(txs, [digest(tx) for tx in txs])
        if self.received >= self.target:
            self.done.set()


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--nodes", type=int, default=4)
    parser.add_argument("--txs", type=int, default=100_000)
    parser.add_argument("--size", type=int, default=150)
    args = parser.parse_args()

    keys = [PrivateKey.from_secret(b"bench-p2p-%d" % i) for i in range(args.nodes)]
    socks = []
    for _ in keys:
        sock = socket.socket()
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        socks.append(sock)
    addresses = [
        PeerAddress("127.0.0.1", s.getsockname()[1], k.public_key)
        for s, k in zip(socks, keys, strict=True)
    ]
    managers, handlers, runners = [], [], []
    for i, key in enumerate(keys):
        handler = Relay(args.txs)
        manager = PeerManager(
            Identity(key, "coterie-bench", digest(b"bench genesis")),
            [k.public_key for k in keys],
            handler,
            peers=addresses[i + 1 :],
        )
        handler.manager = manager
        app = web.Application()
        manager.attach(app)
        runner = web.AppRunner(app)
        await runner.setup()
        await web.SockSite(runner, socks[i]).start()
        managers.append(manager)
        handlers.append(handler)
        runners.append(runner)
    while not all(len(m.peers) == args.nodes - 1 for m in managers):
        await asyncio.sleep(0.01)

    txs = [os.urandom(args.size) for _ in range(args.txs)]
    cpu, wall = time.process_time(), time.perf_counter()
    for i in range(0, args.txs, 1000):
        managers[0].gossip_txs(txs[i : i + 1000])
        await asyncio.sleep(0)
    await asyncio.gather(*(h.done.wait() for h in handlers[1:]))
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu

    per_tx_node = cpu / args.txs / args.nodes * 1e6
    stats = managers[-1].stats
    print(f"{args.nodes} nodes, full mesh, {args.txs:,} txs of {args.size} B")
    print(f"delivered to every node in {wall:.2f} s: {args.txs / wall:,.0f} tx/s (one core)")
    print(f"cost per tx per node: {per_tx_node:.0f} us of CPU")
    print(
        f"last node: {stats.txs_in:,} txs received, {stats.txs_new:,} new, "
        f"{stats.messages_in.total():,} messages"
    )
    for runner in runners:
        await runner.cleanup()


if __name__ == "__main__":
    asyncio.run(main())
