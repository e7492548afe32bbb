"""What the runner measures while a scenario runs, all on one event loop.

- `poll_status`: every node's `/v1/status` every `POLL_S` (height, round, peers; a node that is
  down or paused does not answer within `ANSWER_S` and is recorded as `None`).
- `follow_blocks`: each new height, once, from any node that has it (`?txs=hashes`), stamped with
  the runner's clock when first seen: a tx's commit time is that of its block.
- `submit_load`: the pre-signed batches on a fixed schedule (open loop, as cli/bench does); a batch
  for a node that is down goes to the next live one; a tx counts as acknowledged when a node
  answered `ok` for it.
Times are seconds since the load started (`Samples.t0`, monotonic).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import aiohttp

from cli.bench.load import Batch

POLL_S = 0.25
ANSWER_S = 0.8
POST_S = 3.0
MSGPACK = "application/msgpack"


@dataclass
class Samples:
    t0: float = field(default_factory=time.monotonic)
    status: dict[int, list[tuple[float, int | None, int | None, int | None]]] = field(
        default_factory=dict
    )  # node -> (t, height, peers, round)
    blocks: dict[int, dict[str, Any]] = field(default_factory=dict)  # height -> summary
    submitted: dict[str, float] = field(default_factory=dict)
    acked: dict[str, float] = field(default_factory=dict)
    committed: dict[str, tuple[float, int]] = field(default_factory=dict)  # hash -> (t, height)
    rejected: Counter[str] = field(default_factory=Counter)
    unanswered: int = 0

    def now(self) -> float:
        return time.monotonic() - self.t0

    def height(self, node: int) -> int:
        for _t, height, _p, _r in reversed(self.status.get(node, [])):
            if height is not None:
                return height
        return 0

    def best(self) -> int:
        return max((self.height(n) for n in self.status), default=0)

    def round_now(self) -> int:
        rounds = [s[-1][3] for s in self.status.values() if s]
        return max((r for r in rounds if r is not None), default=0)


async def _get(session: aiohttp.ClientSession, url: str, timeout: float) -> Any:
    async with session.get(url, timeout=aiohttp.ClientTimeout(total=timeout)) as r:
        if r.status != 200:
            return None
        return await r.json()


async def poll_status(
    session: aiohttp.ClientSession, urls: list[str], samples: Samples, stop: asyncio.Event
) -> None:
    async def one(i: int, url: str) -> None:
        try:
            s = await _get(session, url + "/v1/status", ANSWER_S)
        except (aiohttp.ClientError, TimeoutError, ValueError):
            s = None
        entry = samples.status.setdefault(i, [])
        if isinstance(s, dict):
            cons = s.get("consensus") or {}
            entry.append(
                (
                    samples.now(),
                    int(s["latest_height"]),
                    int(s["peers"]),
                    int(cons.get("round") or 0),
                )
            )
        else:
            entry.append((samples.now(), None, None, None))

    while not stop.is_set():
        await asyncio.gather(*(one(i, u) for i, u in enumerate(urls)))
        await _sleep_or_stop(stop, POLL_S)


async def follow_blocks(
    session: aiohttp.ClientSession, urls: list[str], samples: Samples, stop: asyncio.Event
) -> None:
    seen = 0
    while not stop.is_set():
        best = samples.best()
        while seen < best and not stop.is_set():
            block = await _block(session, urls, samples, seen + 1)
            if block is None:
                break
            seen += 1
            t = samples.now()
            ours = 0
            for tx_hash in block["txs"]:
                if tx_hash in samples.submitted and tx_hash not in samples.committed:
                    samples.committed[tx_hash] = (t, seen)
                    ours += 1
            commit = block.get("commit") or {}
            samples.blocks[seen] = {
                "height": seen,
                "t": t,
                "time_ms": int(block["header"]["time_ms"]),
                "txs": len(block["txs"]),
                "ours": ours,
                "round": commit.get("round"),
            }
        await _sleep_or_stop(stop, POLL_S)


async def _block(
    session: aiohttp.ClientSession, urls: list[str], samples: Samples, height: int
) -> dict[str, Any] | None:
    for i, url in enumerate(urls):
        if samples.height(i) < height:
            continue
        try:
            block = await _get(session, f"{url}/v1/blocks/{height}?txs=hashes", ANSWER_S * 2)
        except (aiohttp.ClientError, TimeoutError, ValueError):
            continue
        if isinstance(block, dict):
            return block
    return None


async def submit_load(  # noqa: PLR0917
    session: aiohttp.ClientSession,
    urls: list[str],
    batches: list[Batch],
    rate: float,
    samples: Samples,
    live: Callable[[int], bool],
    stop: asyncio.Event,
) -> None:
    """Open loop: batch k leaves at `k_txs / rate`; bounded by the number of batches."""
    posts: list[asyncio.Task[None]] = []
    sent = 0
    for batch in batches:
        if stop.is_set():
            break
        delay = sent / rate - samples.now()
        if delay > 0:
            await _sleep_or_stop(stop, delay)
        posts.append(asyncio.create_task(_post(session, urls, batch, samples, live)))
        sent += len(batch.hashes)
    await asyncio.gather(*posts, return_exceptions=True)


async def _post(
    session: aiohttp.ClientSession,
    urls: list[str],
    batch: Batch,
    samples: Samples,
    live: Callable[[int], bool],
) -> None:
    order = [(batch.node + k) % len(urls) for k in range(len(urls))]
    targets = [n for n in order if live(n)][:2]  # the sender's node, or the next live one
    for node in targets:
        now = samples.now()
        for tx_hash in batch.hashes:
            samples.submitted.setdefault(tx_hash, now)
        try:
            async with session.post(
                urls[node] + "/v1/txs",
                data=batch.body,
                headers={"Content-Type": MSGPACK},
                timeout=aiohttp.ClientTimeout(total=POST_S),
            ) as r:
                if r.status != 200:
                    samples.rejected[f"http_{r.status}"] += len(batch.hashes)
                    return
                answer = json.loads(await r.read())
        except (aiohttp.ClientError, TimeoutError, ValueError):
            continue
        for tx_hash, result in zip(batch.hashes, answer["results"], strict=False):
            if result["ok"]:
                samples.acked[tx_hash] = samples.now()
            else:
                samples.rejected[str(result.get("code"))] += 1
        return
    samples.unanswered += len(batch.hashes)


async def _sleep_or_stop(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), seconds)
