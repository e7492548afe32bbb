"""`/metrics` in Prometheus text format, under the `coterie_` namespace.

Two sources: a collector that reads the node's state at scrape time (height, consensus round,
mempool, peers, P2P counters, sync, validators' signing), and metrics updated as things happen
(committed blocks and their interval, txs, API requests and their latency). Each application has
its own registry, so several nodes (or tests) in one process never share numbers. Labels are
low-cardinality only (message types, error codes, routes, and validator addresses, which are few
on a permissioned chain), as Prometheus's naming rules ask.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

from aiohttp import web
from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    disable_created_metrics,
    generate_latest,
)
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from ledger.state.validators import active_validators
from ledger.state.view import StateView
from node.api.context import ApiContext
from node.api.errors import Handler
from node.api.events import CommittedBlock
from node.api.metrics_ops import OperatorCollector
from node.api.ws_fanout import INDEXES as WS_INDEXES

NAMESPACE = "coterie"
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
BLOCK_INTERVAL_BUCKETS = (0.1, 0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0, 5.0, 10.0, 30.0, 60.0)
LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0)


class NodeCollector(Collector):
    """Reads the node's state on every scrape: nothing to keep in step, nothing stale."""

    def __init__(self, ctx: ApiContext) -> None:
        self.ctx = ctx

    def collect(self) -> Iterator[Metric]:
        ctx = self.ctx
        status = ctx.status()
        yield _gauge("chain_height", "Height of the last committed block.", ctx.store.height)
        yield _gauge("consensus_height", "Height consensus is deciding.", status.consensus_height)
        yield _gauge("consensus_round", "Round of the height being decided.", status.round)
        yield _counter("consensus_rounds", "Rounds started since start.", status.rounds_total)
        yield _gauge("syncing", "1 while block sync catches up, else 0.", int(status.syncing))
        yield _gauge(
            "sync_target_height", "Highest height peers reported.", status.sync_target_height
        )
        yield _gauge("peers", "Authenticated peer connections.", status.peers)
        yield _gauge("ws_subscribers", "Open WebSocket subscribers.", ctx.events.subscribers)
        builds = CounterMetricFamily(
            f"{NAMESPACE}_ws_block_index_builds",
            "Shared per-block WebSocket indexes built (at most one per block and topic).",
            labels=["index"],
        )
        for index in WS_INDEXES:
            builds.add_metric([index], ctx.events.index_builds[index])
        yield builds
        yield from self._validators()
        yield from self._mempool()
        yield from self._p2p()
        info = GaugeMetricFamily(
            f"{NAMESPACE}_build_info", "Version and chain.", labels=["version", "chain_id"]
        )
        info.add_metric([ctx.version, ctx.genesis.chain_id], 1)
        yield info

    def _validators(self) -> Iterator[Metric]:
        ctx = self.ctx
        active = active_validators(StateView(ctx.store.state))
        yield _gauge("validators", "Validators in the active set.", len(active))
        yield _gauge(
            "validators_power", "Total power of the active set.", sum(r.power for _, r in active)
        )
        signing = ctx.signing()
        missed = CounterMetricFamily(
            f"{NAMESPACE}_validator_missed_blocks",
            "Committed blocks whose commit lacks this validator's signature.",
            labels=["validator"],
        )
        last = GaugeMetricFamily(
            f"{NAMESPACE}_validator_last_signed_height",
            "Last height whose commit carries this validator's signature.",
            labels=["validator"],
        )
        for address, _record in active:
            counters = signing.get(address.raw)
            if counters is None:
                continue
            label = [address.to_text(ctx.hrp)]
            missed.add_metric(label, counters.missed_blocks)
            last.add_metric(label, counters.last_signed_height)
        yield missed
        yield last

    def _mempool(self) -> Iterator[Metric]:
        stats = self.ctx.mempool.stats()
        yield _gauge("mempool_txs", "Pending txs (ready and queued).", stats.txs)
        yield _gauge("mempool_bytes", "Encoded size of the pending txs.", stats.bytes)
        yield _gauge("mempool_senders", "Senders with pending txs.", stats.senders)
        yield _counter("mempool_admitted_txs", "Txs admitted.", stats.admitted_total)
        yield _counter("mempool_evicted_txs", "Txs evicted.", stats.evicted_total)
        rejected = CounterMetricFamily(
            f"{NAMESPACE}_mempool_rejected_txs", "Txs refused, by error code.", labels=["code"]
        )
        for code, count in sorted(stats.rejected_total.items()):
            rejected.add_metric([code.name], count)
        yield rejected

    def _p2p(self) -> Iterator[Metric]:
        stats = self.ctx.p2p_stats()
        messages = CounterMetricFamily(
            f"{NAMESPACE}_p2p_messages",
            "P2P messages, by type and direction.",
            labels=["type", "direction"],
        )
        sizes = CounterMetricFamily(
            f"{NAMESPACE}_p2p_message_bytes",
            "P2P message bytes, by type and direction.",
            labels=["type", "direction"],
        )
        if stats is not None:
            for direction, counts, totals in (
                ("in", stats.messages_in, stats.bytes_in),
                ("out", stats.messages_out, stats.bytes_out),
            ):
                for msg_type, count in sorted(counts.items()):
                    messages.add_metric([msg_type.name.lower(), direction], count)
                    sizes.add_metric([msg_type.name.lower(), direction], totals[msg_type])
        yield messages
        yield sizes
        yield _counter("p2p_bans", "Peers banned.", stats.bans if stats else 0)


def _gauge(name: str, doc: str, value: float) -> GaugeMetricFamily:
    return GaugeMetricFamily(f"{NAMESPACE}_{name}", doc, value=value)


def _counter(name: str, doc: str, value: float) -> CounterMetricFamily:
    return CounterMetricFamily(f"{NAMESPACE}_{name}", doc, value=value)


class ApiMetrics:
    """One application's registry and the metrics updated as events happen."""

    def __init__(self, ctx: ApiContext) -> None:
        disable_created_metrics()  # type: ignore[no-untyped-call]  # no `_created` series
        self.registry = CollectorRegistry(auto_describe=True)
        self.registry.register(NodeCollector(ctx))
        self.registry.register(OperatorCollector(ctx))
        r = self.registry
        self.blocks = Counter(f"{NAMESPACE}_blocks_committed", "Blocks committed.", registry=r)
        self.txs = Counter(f"{NAMESPACE}_txs_committed", "Txs committed.", registry=r)
        self.block_txs = Gauge(f"{NAMESPACE}_block_txs", "Txs in the last block.", registry=r)
        self.block_interval = Histogram(
            f"{NAMESPACE}_block_interval_seconds",
            "Time between consecutive committed blocks (header times).",
            buckets=BLOCK_INTERVAL_BUCKETS,
            registry=r,
        )
        self.requests = Counter(
            f"{NAMESPACE}_api_requests",
            "API requests, by route, method and status.",
            ["route", "method", "status"],
            registry=r,
        )
        self.latency = Histogram(
            f"{NAMESPACE}_api_request_duration_seconds",
            "API request latency, by route.",
            ["route"],
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        last = ctx.store.last_header
        self._last_time_ms: int | None = last.time_ms if last else None
        ctx.events.add_listener(self.on_block)

    def on_block(self, item: CommittedBlock) -> None:
        header = item.block.header
        self.blocks.inc()
        self.txs.inc(len(item.block.txs))
        self.block_txs.set(len(item.block.txs))
        if self._last_time_ms is not None and header.time_ms >= self._last_time_ms:
            self.block_interval.observe((header.time_ms - self._last_time_ms) / 1000)
        self._last_time_ms = header.time_ms

    def exposition(self) -> bytes:
        return generate_latest(self.registry)


METRICS = web.AppKey("coterie_api_metrics", ApiMetrics)


@web.middleware
async def metrics_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Count and time every request by its route template (never by its concrete path)."""
    start = time.perf_counter()
    status = 500
    try:
        response = await handler(request)
        status = response.status
        return response
    except web.HTTPException as exc:
        status = exc.status
        raise
    finally:
        metrics = request.app.get(METRICS)
        if metrics is not None:
            route = request.match_info.route.resource
            name = route.canonical if route is not None else "unmatched"
            metrics.requests.labels(name, request.method, str(status)).inc()
            metrics.latency.labels(name).observe(time.perf_counter() - start)


async def get_metrics(request: web.Request) -> web.Response:
    body = request.app[METRICS].exposition()
    return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE})
