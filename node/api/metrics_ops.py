"""The metrics the shipped alert rules need (ops/prometheus/coterie-rules.yml), read at scrape time.

- `coterie_mempool_max_txs`, `coterie_mempool_max_bytes`: the pool's bounds, so "mempool full" is a
  ratio of two series of the same node rather than a number copied into the rules;
- `coterie_disk_free_bytes`, `coterie_disk_size_bytes`: the filesystem holding the node's database;
- `coterie_clock_seconds`: the node's wall clock at the scrape; `coterie_clock_seconds -
  timestamp(coterie_clock_seconds)` is its offset from the Prometheus server's clock (the way
  node_exporter's `node_time_seconds` is used);
- `coterie_last_block_time_seconds` and `coterie_expected_block_interval_seconds`: the last
  committed header's time and the longest an idle, healthy chain waits between blocks (+Inf when
  the chain makes no empty blocks: an idle chain is then no alarm);
- `coterie_quorum_peers_needed`: the fewest peers (validators) this node must reach for more than
  2/3 of the power, counting its own power and the biggest validators first (a lower bound: with
  fewer peers it cannot take part in any commit); 1 for a full node of a multi-validator chain.
"""

from __future__ import annotations

import math
import shutil
import time
from collections.abc import Iterator

from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from ledger.state.validators import active_validators
from ledger.state.view import StateView
from node.api.context import ApiContext

NAMESPACE = "coterie"


def quorum_peers_needed(powers: list[int], own_power: int | None) -> int:
    """Fewest other validators (largest first) whose power with ours is strictly above 2/3.

    `own_power` None: this node is no validator of the set; it needs one peer to follow the chain
    unless the set is empty. A single validator needs nobody.
    """
    total = sum(powers)
    if total == 0:
        return 0
    if own_power is None:
        return 1
    have = own_power
    others = sorted(powers, reverse=True)
    others.remove(own_power)
    needed = 0
    while have * 3 <= total * 2 and needed < len(others):
        have += others[needed]
        needed += 1
    return needed


class OperatorCollector(Collector):
    def __init__(self, ctx: ApiContext) -> None:
        self.ctx = ctx

    def collect(self) -> Iterator[Metric]:
        ctx = self.ctx
        limits = ctx.mempool.limits
        yield _gauge("mempool_max_txs", "Most txs the mempool holds.", limits.max_txs)
        yield _gauge("mempool_max_bytes", "Most encoded bytes the mempool holds.", limits.max_bytes)
        try:
            usage = shutil.disk_usage(ctx.store.path)
        except OSError:
            pass  # a store without a directory (never in a node): no disk series
        else:
            doc = "Bytes {} on the filesystem of the node's database."
            yield _gauge("disk_free_bytes", doc.format("free to unprivileged users"), usage.free)
            yield _gauge("disk_size_bytes", doc.format("in total"), usage.total)
        yield _gauge("clock_seconds", "The node's wall clock at the scrape (Unix).", time.time())
        last = ctx.store.last_header
        if last is not None:
            doc = "Header time of the last block (Unix)."
            yield _gauge("last_block_time_seconds", doc, last.time_ms / 1e3)
        c = ctx.genesis.params.consensus
        expected = (
            max(c.block_interval_ms, c.empty_block_interval_ms) / 1e3
            if c.create_empty_blocks
            else math.inf
        )
        yield _gauge(
            "expected_block_interval_seconds",
            "Longest an idle healthy chain waits between blocks (+Inf: no empty blocks).",
            expected,
        )
        active = active_validators(StateView(ctx.store.state))
        own = ctx.status().validator
        powers = [record.power for _, record in active]
        own_power = next((r.power for a, r in active if a == own), None)
        yield _gauge(
            "quorum_peers_needed",
            "Fewest peers needed for this node to take part in a commit (2/3+ of the power).",
            quorum_peers_needed(powers, own_power),
        )


def _gauge(name: str, doc: str, value: float) -> GaugeMetricFamily:
    return GaugeMetricFamily(f"{NAMESPACE}_{name}", doc, value=value)
