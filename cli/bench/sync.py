"""`coterie bench --sync`: how fast a node that starts late catches up on committed transfers.

A one-validator testnet with one follower (a node without a validator key): the validator
commits the whole load (`--txs` transfers; by default as fast as it admits them, so that no
backlog overflows its mempool on a loaded machine) while the follower is not running. Then the
follower starts with an empty database and block-syncs from the validator (node/sync.py: each
block's commit verified, its txs' signatures checked, the block executed and committed).
Catch-up tx/s is the load's txs over the time from the follower's first API answer to its first
answer at or above the height that held the last of them; the time from its process start to
that first answer is reported apart (start-up). Both nodes' state roots at that height must
agree, or the run fails.
"""

from __future__ import annotations

import asyncio
import io
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from cli.bench import load, prefill
from cli.bench.ceiling import verify_ceiling
from cli.bench.driver import BenchError, Driver
from cli.bench.nodes import is_ready, make_node, peak_rss_mib, print_logs
from cli.bench.run import BENCH_CHAIN_ID, BenchOptions, Progress
from cli.nodeclient import NodeClient, NodeClientError
from cli.testnet_run import NodeProcess, Supervisor
from node.home import NodeHome
from node.testnet import init_testnet

READY_SECONDS = 120.0
POLL_SECONDS = 0.05
SYNC_TARGET_TPS = 10_000  # issue 17, goal 5


def run_sync_bench(opts: BenchOptions, progress: Progress) -> dict[str, Any]:
    """Commit the load on one validator, start the other late and time its catch-up."""
    load_before = os.getloadavg()[0]
    progress.phase(f"measuring the Ed25519 verify rate on 2 cores ({opts.verify_seconds:.0f} s)")
    ceiling = verify_ceiling(opts.verify_seconds)
    keys = load.sender_keys(opts.senders)
    with tempfile.TemporaryDirectory(prefix="coterie-bench-") as tmp:
        net = init_testnet(
            Path(tmp) / "net",
            1,
            chain_id=BENCH_CHAIN_ID,
            funded=[k.address for k in keys],
            followers=1,
        )
        recipient = None
        if opts.accounts:  # both databases start from the same prefilled height 0
            progress.phase(f"writing a prefilled state of {opts.accounts:,} funded accounts")
            senders = [k.address for k in keys]
            items = prefill.prefilled_items(net.genesis, senders, opts.accounts)
            chains = [NodeHome(n.home).data_dir / "chain" for n in net.nodes]
            prefill.write_prefilled(chains, net.genesis, items)
            del items
            recipient = prefill.random_recipients(senders, opts.accounts)
        nodes = [make_node(n.moniker, n.home, n.api_url, opts.profile_dir) for n in net.nodes]
        leader, late = nodes
        supervisor = Supervisor(nodes, out=io.StringIO())
        try:
            progress.phase(f"starting the validator {leader.moniker}")
            leader.start(sys.executable)
            progress.phase(f"pre-signing {opts.txs:,} transfers from {opts.senders:,} senders")
            signed = load.presign(net.genesis, keys, opts.txs, recipient)
            batches = load.batches(signed, 1, opts.batch)
            _wait(lambda: is_ready(leader, 0), leader, "commit a block")
            progress.start(opts.txs)
            driver = Driver(
                [leader.api_url],
                batches,
                rate=opts.rate,
                inflight=opts.inflight,
                on_commit=progress.advance,
                stall_seconds=opts.stall_seconds,
            )
            samples = asyncio.run(driver.run())
            progress.finish()
            if samples.stalled or len(samples.committed) < samples.accepted:
                raise BenchError(
                    f"the validator committed {len(samples.committed):,} of "
                    f"{samples.accepted:,} accepted txs (rejected: {dict(samples.rejected)})"
                )
            target = max(height for _t, height, ours in samples.blocks if ours)
            progress.phase(f"starting {late.moniker} late: it syncs {target:,} heights")
            caught = _catch_up(late, target, progress)
            roots = {n.moniker: _root_at(n, target) for n in nodes}
            rss = peak_rss_mib(late)
        except Exception:
            print_logs(nodes)
            raise
        finally:
            supervisor.stop_all()
    if len(set(roots.values())) != 1:
        raise BenchError(f"the nodes disagree on the state root at height {target}: {roots}")
    seconds = caught["synced_at"] - caught["api_at"]
    result: dict[str, Any] = {
        "mode": "sync",
        "txs": len(samples.committed),
        "senders": opts.senders,
        "accounts": max(opts.accounts, opts.senders),
        "rate": opts.rate,
        "heights": target,
        "startup_s": round(caught["api_at"] - caught["started_at"], 3),
        "height_at_api": caught["height_at_api"],
        "sync_s": round(seconds, 3),
        "sync_tps": round(len(samples.committed) / seconds, 1) if seconds > 0 else 0.0,
        "sync_blocks_per_s": round((target - caught["height_at_api"]) / seconds, 1)
        if seconds > 0
        else 0.0,
        "same_root": True,
        "state_root": roots[leader.moniker],
        "rss_mib": {late.moniker: rss},
        "verify_rate": round(ceiling, 1),
        "load_before": round(load_before, 2),
        "load_after": round(os.getloadavg()[0], 2),
        "complete": True,
    }
    result["verify_ratio"] = round(result["sync_tps"] / ceiling, 3) if ceiling else 0.0
    return result


def _wait(check: Any, node: NodeProcess, what: str) -> None:
    deadline = time.monotonic() + READY_SECONDS
    while not check():
        if node.exit_code is not None:
            raise BenchError(f"{node.moniker} exited with code {node.exit_code}")
        if time.monotonic() > deadline:
            raise BenchError(f"{node.moniker} did not {what} within {READY_SECONDS:.0f} s")
        time.sleep(0.2)


def _height(node: NodeProcess) -> int | None:
    try:
        status = NodeClient(node.api_url, timeout=2.0).get("/v1/status")
    except NodeClientError:
        return None
    return int(status.get("latest_height") or 0)


def _catch_up(node: NodeProcess, target: int, progress: Progress) -> dict[str, float]:
    """Start `node` and poll it until it reports `target`: when it started, first answered
    (and at which height) and reached the target, on the `perf_counter` clock."""
    started_at = time.perf_counter()
    node.start(sys.executable)
    api_at, height_at_api, shown = 0.0, 0, 0
    last_progress = time.perf_counter()
    progress.start(target)
    while True:
        height = _height(node)
        now = time.perf_counter()
        if height is not None:
            if not api_at:
                api_at, height_at_api = now, height
            if height > shown:
                progress.advance(height - shown)
                shown, last_progress = height, now
            if height >= target:
                progress.finish()
                return {
                    "started_at": started_at,
                    "api_at": api_at,
                    "height_at_api": height_at_api,
                    "synced_at": now,
                }
        if node.exit_code is not None:
            raise BenchError(f"{node.moniker} exited with code {node.exit_code} while syncing")
        if now - last_progress > READY_SECONDS:
            raise BenchError(f"{node.moniker} stopped syncing at height {shown}")
        time.sleep(POLL_SECONDS)


def _root_at(node: NodeProcess, height: int) -> str:
    block = NodeClient(node.api_url, timeout=10.0).get(f"/v1/blocks/{height}?txs=hashes")
    return str(block["header"]["state_root"])


def sync_table(result: dict[str, Any]) -> str:
    """The catch-up run as a person reads it."""
    rate = f"open loop at {result['rate']:,.0f} tx/s" if result["rate"] else "as fast as admitted"
    rows = [
        ("heights synced", f"{result['heights'] - result['height_at_api']:,}"),
        ("catch-up tx/s", f"{result['sync_tps']:,.0f}   >= {SYNC_TARGET_TPS:,}"),
        ("catch-up blocks/s", f"{result['sync_blocks_per_s']:,.1f}"),
        ("catch-up seconds", f"{result['sync_s']:,.2f}"),
        ("start to first API answer", f"{result['startup_s']:,.2f} s"),
        ("same state root", "yes" if result["same_root"] else "NO"),
        ("peak RSS of the late node", f"{max(result['rss_mib'].values()):,.0f} MiB"),
        ("Ed25519 verify ceiling, 2 cores", f"{result['verify_rate']:,.0f}/s"),
        (
            "load average before / after",
            f"{result['load_before']:.1f} / {result['load_after']:.1f}",
        ),
    ]
    head = (
        f"coterie bench --sync: {result['txs']:,} transfers committed by one validator "
        f"({rate}), then a follower starts and catches up"
    )
    return "\n".join([head, *(f"  {name:<34}{value:>14}" for name, value in rows)])
