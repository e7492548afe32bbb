"""What the runner measures while a scenario runs, all on one event loop.

- `poll_status`: every node's `/v1/status` every `POLL_S` (height, round, peers; a node that is
  down or paused does not answer within `ANSWER_S` and is recorded as `None`).
- `follow_blocks`: each new height, once, from any node that has it (`?txs=hashes`), stamped with
  the runner's clock when first seen: a tx's commit time is that of its block.
- `submit_load`: the pre-signed batches on a fixed schedule (open loop, as cli/bench does); a batch
  for a node that is down goes to the next live one; a tx counts as acknowledged when a node
  answered `ok` for it.
- `rebroadcast`: txs not committed after a while are sent again, as a wallet would.
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
from ledger import codec

POLL_S = 0.25
ANSWER_S = 0.8
POST_S = 3.0
MSGPACK = "application/msgpack"
REBROADCAST_S = 4.0
MAX_REBROADCASTS = 5
REBROADCAST_BATCH = 500


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
    rebroadcast: int = 0
    refused: set[str] = field(default_factory=set)  # refused when first sent: never to commit

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
    *,
    again: bool = False,
) -> None:
    order = [(batch.node + k) % len(urls) for k in range(len(urls))]
    targets = [n for n in order if live(n)][:2]  # the sender's node, or the next live one
    now = samples.now()
    for tx_hash in batch.hashes:  # tried, even when no node is up: latency counts from here
        samples.submitted.setdefault(tx_hash, now)
    for node in targets:
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
                samples.acked.setdefault(tx_hash, samples.now())
            elif not again:
                samples.rejected[str(result.get("code"))] += 1
                samples.refused.add(tx_hash)
        return
    if not again:
        samples.unanswered += len(batch.hashes)


async def _sleep_or_stop(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), seconds)


async def rebroadcast(  # noqa: PLR0917
    session: aiohttp.ClientSession,
    urls: list[str],
    raws: dict[str, tuple[int, bytes]],
    samples: Samples,
    live: Callable[[int], bool],
    stop: asyncio.Event,
) -> None:
    """What a wallet does when its tx does not commit: send the same signed bytes again.

    Every `REBROADCAST_S`, each tx submitted that long ago and not yet seen committed (a node
    that was killed lost it from its mempool, or no node answered) is posted again, oldest
    first (so a sender's lower nonces go first), at most `MAX_REBROADCASTS` times. Without it,
    one lost tx leaves every later nonce of its sender waiting forever, and the load after a
    restart measures that rather than the chain. A node that still holds the tx refuses the
    copy, which is not counted as a rejection.
    """
    sent: dict[str, int] = {}
    while not stop.is_set():
        await _sleep_or_stop(stop, REBROADCAST_S)
        cutoff = samples.now() - REBROADCAST_S
        due = sorted(
            (t, h)
            for h, t in samples.submitted.items()
            if t < cutoff and h not in samples.committed and sent.get(h, 0) < MAX_REBROADCASTS
        )
        by_node: dict[int, list[str]] = {}
        for _t, h in due:
            by_node.setdefault(raws[h][0], []).append(h)
            sent[h] = sent.get(h, 0) + 1
        samples.rebroadcast += len(due)
        for node, hashes in by_node.items():
            for k in range(0, len(hashes), REBROADCAST_BATCH):
                chunk = hashes[k : k + REBROADCAST_BATCH]
                body = codec.encode_bytes_list([raws[h][1] for h in chunk])
                await _post(
                    session, urls, Batch(node, tuple(chunk), body), samples, live, again=True
                )
