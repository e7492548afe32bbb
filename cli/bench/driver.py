"""Submits the batches to the nodes and learns of commits over a WebSocket block subscription.

A tx's latency is from the moment its batch's POST is sent to the moment the client receives
the notification of the block that holds it (`/v1/ws`, topic `blocks`, on the first node: every
node commits the same blocks). With a `rate`, batches are sent open-loop on a fixed schedule,
whether or not earlier ones were answered; without one, each node gets `inflight` batches at a
time, the next sent as soon as one is answered (as fast as the nodes admit).
"""

from __future__ import annotations

import asyncio
import json
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import aiohttp

from cli.bench.load import Batch

MSGPACK = "application/msgpack"
WS_MAX_MESSAGE = 64 * 1024 * 1024
STALL_SECONDS = 180.0
RECONNECTS = 20


BUSY_RETRIES = 200  # a batch refused as busy (429/503) is sent again, up to this many times
BUSY_BACKOFF_S = 0.05


class BenchError(Exception):
    """The bench could not run to the end (a node refused a batch, stopped, or stalled)."""


@dataclass
class Samples:
    """What the client saw: when each tx was submitted and committed, and each block."""

    submitted: dict[str, float] = field(default_factory=dict)
    committed: dict[str, float] = field(default_factory=dict)
    blocks: list[tuple[float, int, int]] = field(default_factory=list)  # time, height, our txs
    accepted: int = 0
    rejected: Counter[str] = field(default_factory=Counter)
    first_submit: float = 0.0
    last_submit: float = 0.0
    stalled: bool = False
    reconnects: int = 0


class Driver:
    def __init__(
        self,
        urls: list[str],
        batches: list[Batch],
        *,
        rate: float | None,
        inflight: int = 2,
        on_commit: Callable[[int], None] = lambda _n: None,
        stall_seconds: float = STALL_SECONDS,
    ) -> None:
        self.urls = urls
        self.batches = batches
        self.rate = rate
        self.inflight = inflight
        self.on_commit = on_commit
        self.stall_seconds = stall_seconds
        self.samples = Samples()

    async def run(self) -> Samples:
        timeout = aiohttp.ClientTimeout(total=None, sock_connect=10, sock_read=600)
        async with aiohttp.ClientSession(timeout=timeout) as session:
            subscribed = asyncio.Event()
            watcher = asyncio.create_task(self._watch(session, subscribed))
            try:
                await _first(subscribed.wait(), watcher)
                await self._submit_all(session)
                await self._wait_for_commits(watcher)
            finally:
                watcher.cancel()
                await asyncio.gather(watcher, return_exceptions=True)
        return self.samples

    async def _watch(self, session: aiohttp.ClientSession, subscribed: asyncio.Event) -> None:
        """Follow the first node's commits; when the socket closes (a node whose event loop
        stalled for long misses its heartbeat), reconnect and fetch the blocks missed."""
        last_height = 0
        for attempt in range(RECONNECTS + 1):
            if attempt:
                await asyncio.sleep(1.0)
            async with session.ws_connect(
                self.urls[0] + "/v1/ws", max_msg_size=WS_MAX_MESSAGE, heartbeat=None
            ) as ws:
                await self._subscribe(ws)
                if subscribed.is_set():
                    last_height = await self._catch_up(session, last_height)
                subscribed.set()
                async for message in ws:
                    if message.type != aiohttp.WSMsgType.TEXT:
                        break
                    data: dict[str, Any] = json.loads(message.data)
                    if data.get("topic") == "blocks":
                        result = data["result"]
                        if int(result["height"]) > last_height:
                            last_height = int(result["height"])
                            self._record(last_height, result["txs"])
                self.samples.reconnects += 1
        raise BenchError(f"the block subscription closed {RECONNECTS + 1} times")

    async def _catch_up(self, session: aiohttp.ClientSession, last_height: int) -> int:
        """Record the blocks committed since `last_height` (fetched by height)."""
        url = self.urls[0]
        async with session.get(url + "/v1/status") as r:
            top = int((await r.json())["latest_height"])
        for height in range(last_height + 1, top + 1):
            async with session.get(f"{url}/v1/blocks/{height}?txs=hashes") as r:
                block = await r.json()
            self._record(height, block["txs"])
        return max(top, last_height)

    def _record(self, height: int, tx_hashes: list[str]) -> None:
        samples = self.samples
        now = time.perf_counter()
        ours = 0
        for tx_hash in tx_hashes:
            if tx_hash in samples.submitted and tx_hash not in samples.committed:
                samples.committed[tx_hash] = now
                ours += 1
        samples.blocks.append((now, height, ours))
        if ours:
            self.on_commit(ours)

    async def _subscribe(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        await ws.send_json({"id": 1, "method": "subscribe", "params": {"topic": "blocks"}})
        answer = await asyncio.wait_for(ws.receive_json(), 30)
        if answer.get("id") != 1 or "result" not in answer:
            raise BenchError(f"the node refused the block subscription: {answer}")

    async def _submit_all(self, session: aiohttp.ClientSession) -> None:
        self.samples.first_submit = time.perf_counter()
        if self.rate:
            await self._open_loop(session, self.rate)
        else:
            await self._closed_loop(session)
        self.samples.last_submit = time.perf_counter()

    async def _open_loop(self, session: aiohttp.ClientSession, rate: float) -> None:
        start = time.perf_counter()
        sent = 0
        posts = []
        for batch in self.batches:
            delay = start + sent / rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            posts.append(asyncio.create_task(self._post(session, batch)))
            sent += len(batch.hashes)
        await asyncio.gather(*posts)

    async def _closed_loop(self, session: aiohttp.ClientSession) -> None:
        queues: list[list[Batch]] = [[] for _ in self.urls]
        for batch in reversed(self.batches):
            queues[batch.node].append(batch)

        async def worker(queue: list[Batch]) -> None:
            while queue:
                await self._post(session, queue.pop())

        await asyncio.gather(*(worker(q) for q in queues for _ in range(self.inflight)))

    async def _post(self, session: aiohttp.ClientSession, batch: Batch) -> None:
        samples = self.samples
        now = time.perf_counter()
        for tx_hash in batch.hashes:
            samples.submitted[tx_hash] = now
        url = self.urls[batch.node] + "/v1/txs"
        for _ in range(BUSY_RETRIES):
            try:
                headers = {"Content-Type": MSGPACK}
                async with session.post(url, data=batch.body, headers=headers) as r:
                    body = await r.read()
                    status = r.status
            except aiohttp.ClientError as exc:
                raise BenchError(f"submitting a batch to {url} failed: {exc}") from exc
            if status not in (429, 503):
                break
            # the node's request gate (docs/api.md): back off as it asks, then send again
            await asyncio.sleep(BUSY_BACKOFF_S)
        if status != 200:
            raise BenchError(f"{url} answered {status}: {body[:300]!r}")
        answer = json.loads(body)
        for result in answer["results"]:
            if result["ok"]:
                samples.accepted += 1
            else:
                samples.rejected[result["code"]] += 1

    async def _wait_for_commits(self, watcher: asyncio.Task[None]) -> None:
        """Until every accepted tx is committed, or no new one was for `stall_seconds`."""
        samples = self.samples
        seen, last_progress = -1, time.perf_counter()
        while len(samples.committed) < samples.accepted:
            if watcher.done():
                watcher.result()  # raises why the subscription ended
            if len(samples.committed) != seen:
                seen, last_progress = len(samples.committed), time.perf_counter()
            elif time.perf_counter() - last_progress > self.stall_seconds:
                samples.stalled = True
                return
            await asyncio.sleep(0.1)


async def _first(wait: Awaitable[Any], watcher: asyncio.Task[None]) -> None:
    """Await `wait`, unless the watcher ends first (then raise why it did)."""
    waiting = asyncio.ensure_future(wait)
    done, _ = await asyncio.wait([waiting, watcher], return_when=asyncio.FIRST_COMPLETED)
    if watcher in done:
        waiting.cancel()
        watcher.result()
        raise BenchError("the block subscription ended")
