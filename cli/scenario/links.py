"""User-space links between the nodes: one TCP proxy per ordered pair (A dials B through it).

Why not network namespaces and `tc netem`: on this machine `ip netns add` and veth pairs work, but
the kernel has no `sch_netem` (`tc qdisc add ... netem` answers "Specified qdisc kind is unknown"),
so namespaces could partition but not delay. A proxy per link does both, needs no root, and is
cleaned up with the runner's event loop. Node A's config lists peer B at the proxy A->B, which
forwards to B's real P2P port; the node key handshake runs end to end, through the proxy.

- partition: a blocked link closes its open connections and closes new ones at once.
- delay and jitter: each chunk is released `delay +- jitter` ms after it was read (uniform,
  from the scenario's seed), never before the previous chunk (TCP keeps order).
- loss: TCP never loses bytes, it retransmits; a lost segment costs the sender a retransmission
  timeout. So a chunk "lost" with probability `loss_pct` is held back an extra `RTO_MS` (Linux's
  minimum RTO, 200 ms), as the receiver would see it. This models loss's effect on latency, not
  congestion control's reaction to it.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import time
from dataclasses import dataclass, field
from typing import Protocol

from node.config import LOOPBACK

CHUNK = 64 * 1024
RTO_MS = 200
MAX_QUEUE = 256  # chunks in flight per direction: a slow link pushes back on the sender


@dataclass
class Shape:
    delay_ms: int = 0
    jitter_ms: int = 0
    loss_pct: float = 0.0

    def release(self, now: float, previous: float, rng: random.Random) -> float:
        wait = self.delay_ms + (rng.uniform(-1, 1) * self.jitter_ms if self.jitter_ms else 0)
        if self.loss_pct and rng.random() * 100 < self.loss_pct:
            wait += RTO_MS
        return max(previous, now + max(0.0, wait) / 1000)


class Network(Protocol):
    """What the timeline does to the links between nodes: these proxies, or namespaces with
    `tc netem` (cli/scenario/netns.py)."""

    def partition(self, groups: tuple[tuple[int, ...], ...]) -> None: ...

    def heal(self) -> None: ...

    def shape(self, nodes: tuple[int, ...], shape: Shape) -> None: ...

    def clear_shape(self) -> None: ...


@dataclass
class Link:
    src: int
    dst: int
    target_port: int
    listen_port: int
    rng: random.Random
    listen_host: str = LOOPBACK
    target_host: str = LOOPBACK
    blocked: bool = False
    shape: Shape = field(default_factory=Shape)
    server: asyncio.Server | None = None
    writers: set[asyncio.StreamWriter] = field(default_factory=set)
    tasks: set[asyncio.Task[None]] = field(default_factory=set)
    handlers: set[asyncio.Task[None]] = field(default_factory=set)

    async def start(self) -> None:
        self.server = await asyncio.start_server(self._accept, self.listen_host, self.listen_port)

    def block(self) -> None:
        self.blocked = True
        for writer in list(self.writers):
            writer.transport.abort()
        self.writers.clear()

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        """Forward one connection; every socket it opened is aborted on the way out, whether it
        ends, is blocked, or is cancelled while still dialling (a socket left to the garbage
        collector is a leak, and pytest reports it)."""
        handler = asyncio.current_task()
        assert handler is not None
        self.handlers.add(handler)
        handler.add_done_callback(self.handlers.discard)
        self.writers.add(writer)  # a partition aborts it even while the upstream is dialled
        up_writer: asyncio.StreamWriter | None = None
        try:
            if self.blocked:
                return
            try:
                up_reader, up_writer = await asyncio.open_connection(
                    self.target_host, self.target_port
                )
            except OSError:
                return
            if self._is_blocked():  # partitioned while dialling: nothing may pass
                return
            self.writers.add(up_writer)
            await self._forward(reader, writer, up_reader, up_writer)
        finally:
            for w in (writer, up_writer):
                if w is not None:
                    self.writers.discard(w)
                    w.transport.abort()

    def _is_blocked(self) -> bool:
        return self.blocked

    async def _forward(
        self,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        up_reader: asyncio.StreamReader,
        up_writer: asyncio.StreamWriter,
    ) -> None:
        pumps = [
            asyncio.create_task(self._pump(reader, up_writer)),
            asyncio.create_task(self._pump(up_reader, writer)),
        ]
        self.tasks.update(pumps)
        try:
            await asyncio.wait(pumps, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in pumps:
                task.cancel()
            await asyncio.gather(*pumps, return_exceptions=True)
            self.tasks.difference_update(pumps)

    async def _pump(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        queue: asyncio.Queue[tuple[float, bytes]] = asyncio.Queue(MAX_QUEUE)
        sender = asyncio.create_task(self._send(queue, writer))
        try:
            last = 0.0
            while not sender.done():
                data = await reader.read(CHUNK)
                if not data:
                    break
                last = self.shape.release(time.monotonic(), last, self.rng)
                await queue.put((last, data))
            await queue.put((last, b""))
            await sender
        finally:
            sender.cancel()
            await asyncio.gather(sender, return_exceptions=True)

    async def _send(
        self, queue: asyncio.Queue[tuple[float, bytes]], writer: asyncio.StreamWriter
    ) -> None:
        while True:
            release, data = await queue.get()
            if not data:
                return
            wait = release - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
            writer.write(data)
            await writer.drain()

    async def close(self) -> None:
        self.block()
        if self.server is not None:
            self.server.close()
            with contextlib.suppress(Exception):
                await self.server.wait_closed()
        # a connection accepted just before the close has its handler task created but not yet
        # started (so not in `handlers`), and `wait_closed` may return without yielding: one turn
        # of the loop lets it start, find the link blocked and abort its socket, which was
        # otherwise left to the garbage collector (an unclosed-transport warning in the tests)
        await asyncio.sleep(0)
        if self.handlers:  # their sockets are aborted: they end by themselves
            await asyncio.wait(list(self.handlers), timeout=2.0)
        stuck = list(self.handlers)  # e.g. still dialling a stopped node: their finally aborts
        for task in stuck:
            task.cancel()
        await asyncio.gather(*stuck, return_exceptions=True)
        for task in list(self.tasks):
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)


class Links:
    """Every link of an N-node testnet: `port(a, b)` is where node a dials node b (on
    `listen_host`; node b listens at `targets[b]`, default 127.0.0.1)."""

    def __init__(
        self,
        p2p_ports: list[int],
        proxy_ports: list[int],
        seed: int,
        listen_host: str = LOOPBACK,
        targets: list[str] | None = None,
    ) -> None:
        n = len(p2p_ports)
        hosts = targets or [LOOPBACK] * n
        pairs = [(a, b) for a in range(n) for b in range(n) if a != b]
        self.listen_host = listen_host
        self.links = {
            (a, b): Link(
                a,
                b,
                p2p_ports[b],
                proxy_ports[i],
                random.Random(f"{seed}/{a}/{b}"),
                listen_host,
                hosts[b],
            )
            for i, (a, b) in enumerate(pairs)
        }

    def port(self, a: int, b: int) -> int:
        return self.links[(a, b)].listen_port

    async def start(self) -> None:
        for link in self.links.values():
            await link.start()

    def partition(self, groups: tuple[tuple[int, ...], ...]) -> None:
        side = {n: i for i, g in enumerate(groups) for n in g}
        for (a, b), link in self.links.items():
            if side.get(a, -1) != side.get(b, -2):
                link.block()

    def heal(self) -> None:
        for link in self.links.values():
            link.blocked = False

    def shape(self, nodes: tuple[int, ...], shape: Shape) -> None:
        for (a, b), link in self.links.items():
            if a in nodes or b in nodes:
                link.shape = shape

    def clear_shape(self) -> None:
        for link in self.links.values():
            link.shape = Shape()

    async def close(self) -> None:
        for link in self.links.values():
            await link.close()
