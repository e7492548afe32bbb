"""One bench run: a temporary testnet around the driver, always torn down.

Order: measure the verify ceiling (before any node runs), write a testnet whose genesis funds
the senders, start every validator as its own `coterie start` process (as `coterie testnet
start` does), pre-sign the load while they boot, wait until every node has committed a block
and sees its peers, drive the load, read each node's peak memory (sampled from its start,
cli/bench/memory.py) and RSS high-water marks while it still runs, then stop the nodes
(SIGTERM, then SIGKILL) and delete the folder, on success, error or Ctrl-C.
"""

from __future__ import annotations

import asyncio
import dataclasses
import io
import os
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from cli.bench import disk, history, load, prefill
from cli.bench.ceiling import verify_ceiling
from cli.bench.cpu import CpuMeter
from cli.bench.driver import BenchError, Driver
from cli.bench.memory import MemorySampler
from cli.bench.nodes import (
    anon_rss_mib,
    commit_rounds,
    make_node,
    mempool_evicted,
    peak_rss_mib,
    print_logs,
    wait_ready,
)
from cli.bench.report import figures, verdicts
from cli.bench.restart import measure_restart
from cli.testnet_run import Supervisor
from ledger.genesis import Genesis
from node.config import PacingConfig
from node.config_render import render_config
from node.home import NodeHome
from node.testnet import init_testnet

BENCH_CHAIN_ID = "coterie-bench"


class Progress(Protocol):
    def phase(self, text: str) -> None: ...
    def start(self, total: int) -> None: ...
    def advance(self, count: int) -> None: ...
    def finish(self) -> None: ...


@dataclass(frozen=True, slots=True)
class BenchOptions:
    validators: int = 1
    txs: int = 30_000
    senders: int = 2_000
    batch: int = 500
    rate: float | None = None
    inflight: int = 2
    verify_seconds: float = 2.0
    stall_seconds: float = 180.0
    profile_dir: Path | None = None
    """Run each node under cProfile, writing `<moniker>.prof` there when it stops."""
    accounts: int = 0
    """Funded accounts of a prefilled state (cli/bench/prefill.py); 0: the senders only."""
    disk: bool = False
    """Measure the database's growth per committed tx by part (cli/bench/disk.py)."""
    restart: bool = False
    """After the load, stop the first validator and time its restart (cli/bench/restart.py)."""
    start_at_once: bool = True
    """The pacing rule (node/pacing.py): False writes `[pacing] start_at_once = false` into
    every node's config, so each height waits out the block interval (the rule's cost)."""
    heights: int = 0
    """Empty heights committed before the nodes start (cli/bench/history.py), on top of the
    prefilled state if any: a restart then comes back at a long chain."""


def run_bench(opts: BenchOptions, progress: Progress) -> dict[str, Any]:
    """Run the bench and answer its result (see `report.figures` for the measured fields)."""
    load_before = os.getloadavg()[0]
    progress.phase(f"measuring the Ed25519 verify rate on 2 cores ({opts.verify_seconds:.0f} s)")
    ceiling = verify_ceiling(opts.verify_seconds)
    keys = load.sender_keys(opts.senders)
    with tempfile.TemporaryDirectory(prefix="coterie-bench-") as tmp:
        net = init_testnet(
            Path(tmp) / "net",
            opts.validators,
            chain_id=BENCH_CHAIN_ID,
            funded=[k.address for k in keys],
            time_ms=history.genesis_time_for(opts.heights, int(time.time() * 1000))
            if opts.heights
            else None,
        )
        if not opts.start_at_once:
            for n in net.nodes:
                without_pacing(NodeHome(n.home), net.genesis)
        prefill_seconds, history_seconds, recipient, disk_before = 0.0, 0.0, None, {}
        chains = [NodeHome(n.home).data_dir / "chain" for n in net.nodes]
        if opts.accounts or opts.disk:  # the height-0 state: with no accounts, the genesis's
            progress.phase(f"writing a prefilled state of {opts.accounts:,} funded accounts")
            started = time.perf_counter()
            senders = [k.address for k in keys]
            items = prefill.prefilled_items(net.genesis, senders, opts.accounts)
            prefill.write_prefilled(chains, net.genesis, items)
            del items
            prefill_seconds = time.perf_counter() - started
            if opts.accounts:
                recipient = prefill.random_recipients(senders, opts.accounts)
        if opts.heights:
            progress.phase(f"writing a history of {opts.heights:,} committed empty heights")
            started = time.perf_counter()
            validator_keys = [NodeHome(n.home).load_validator_key() for n in net.nodes]
            history.write_history(chains, net.genesis, validator_keys, opts.heights)
            history_seconds = time.perf_counter() - started
        if opts.disk:
            disk_before = disk.measure(chains[0])
        nodes = [make_node(n.moniker, n.home, n.api_url, opts.profile_dir) for n in net.nodes]
        supervisor = Supervisor(nodes, out=io.StringIO())
        samplers: list[MemorySampler] = []
        try:
            progress.phase(f"starting {len(nodes)} validator(s) in {tmp}")
            for node in nodes:
                node.start(sys.executable)
                assert node.process is not None  # started just now
                samplers.append(MemorySampler(node.process.pid).start())
            progress.phase(f"pre-signing {opts.txs:,} transfers from {opts.senders:,} senders")
            signed = load.presign(net.genesis, keys, opts.txs, recipient)
            batches = load.batches(signed, len(nodes), opts.batch)
            progress.phase("waiting for the validators to commit a block")
            wait_ready(nodes)
            progress.start(opts.txs)
            cpu = CpuMeter([n.process.pid for n in nodes if n.process is not None])
            cpu.start()
            driver = Driver(
                [n.api_url for n in nodes],
                batches,
                rate=opts.rate,
                inflight=opts.inflight,
                on_commit=progress.advance,
                stall_seconds=opts.stall_seconds,
            )
            samples = asyncio.run(driver.run())
            cpu.stop()
            progress.finish()
            if samples.stalled:
                print_logs(nodes)
            evicted = [mempool_evicted(n) for n in nodes]
            for sampler in samplers:
                sampler.stop()
            memory = {n.moniker: s.peak_mib for n, s in zip(nodes, samplers, strict=True)}
            pss = {n.moniker: s.peak_pss_mib for n, s in zip(nodes, samplers, strict=True)}
            rss = {n.moniker: peak_rss_mib(n) for n in nodes}
            anon = {n.moniker: anon_rss_mib(n) for n in nodes}
            rounds = commit_rounds(nodes[0], [height for _t, height, _n in samples.blocks])
            extra: dict[str, Any] = {}
            if opts.restart:
                progress.phase(f"restarting {nodes[0].moniker}")
                extra = measure_restart(nodes[0])
                if not extra["restart_same_root"]:
                    raise BenchError(f"{nodes[0].moniker} restarted with another state root")
        except Exception:
            print_logs(nodes)
            raise
        finally:
            for sampler in samplers:
                sampler.stop()
            supervisor.stop_all()
        if opts.disk:
            progress.phase("compacting and measuring the first validator's database")
            extra["disk"] = disk.per_tx(
                disk_before, disk.measure(chains[0]), max(1, len(samples.committed))
            )
    result: dict[str, Any] = {
        "validators": opts.validators,
        "txs": opts.txs,
        "senders": opts.senders,
        "accounts": max(opts.accounts, opts.senders),
        "prefill_seconds": round(prefill_seconds, 1),
        "heights_written": opts.heights,
        "history_seconds": round(history_seconds, 1),
        "batch": opts.batch,
        "rate": opts.rate,
        "block_interval_ms": net.genesis.params.consensus.block_interval_ms,
        "start_at_once": opts.start_at_once,
        **figures(samples),
        "evicted": None if None in evicted else sum(e or 0 for e in evicted),
        "cpu_us_per_tx": cpu.per_tx_us([n.moniker for n in nodes], len(samples.committed)),
        "memory_mib": memory,
        "pss_mib": pss,
        "rss_mib": rss,
        "rss_anon_mib": anon,
        # None when no commit could be read back: a figure the run did not measure
        "late_heights": sum(1 for r in rounds if r > 0) if rounds else None,
        "max_round": max(rounds) if rounds else None,
        **extra,
        "verify_rate": round(ceiling, 1),
        "load_before": round(load_before, 2),
        "load_after": round(os.getloadavg()[0], 2),
    }
    result["verify_ratio"] = round(result["tps"] / ceiling, 3) if ceiling else 0.0
    result["meets_targets"] = verdicts(result)
    return result


def without_pacing(home: NodeHome, genesis: Genesis) -> None:
    """Turn the start-at-once rule off in the node's config.toml (`[pacing]`)."""
    config = home.load_config()
    config = dataclasses.replace(config, pacing=PacingConfig(start_at_once=False))
    home.config_file.write_text(render_config(config, genesis.params.consensus))
