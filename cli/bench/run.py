"""One bench run: a temporary testnet around the driver, always torn down.

Order: measure the verify ceiling (before any node runs), write a testnet whose genesis funds
the senders, start every validator as its own `coterie start` process (as `coterie testnet
start` does), pre-sign the load while they boot, wait until every node has committed a block
and sees its peers, drive the load, read each node's peak RSS (VmHWM) while it still runs, then
stop the nodes (SIGTERM, then SIGKILL) and delete the folder, on success, error or Ctrl-C.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from cli.bench import load, prefill
from cli.bench.ceiling import verify_ceiling
from cli.bench.driver import BenchError, Driver
from cli.bench.report import figures, verdicts
from cli.nodeclient import NodeClient, NodeClientError
from cli.testnet_run import NodeProcess, Supervisor
from node.home import NodeHome
from node.testnet import init_testnet

BENCH_CHAIN_ID = "coterie-bench"
READY_SECONDS = 120.0
LOG_TAIL_BYTES = 3000


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


class ProfiledNode(NodeProcess):
    """A node run as `python -m cProfile -o FILE -m cli start` (the profile is written when
    the node stops cleanly on SIGTERM)."""

    def __init__(self, moniker: str, home: Path, api_url: str, profile: Path) -> None:
        super().__init__(moniker, home, api_url)
        self.profile = profile

    def start(self, python: str) -> None:
        self.log = (self.home / "node.log").open("ab")
        profiler = [python, "-m", "cProfile", "-o", str(self.profile)]
        self.process = subprocess.Popen(
            [*profiler, "-m", "cli", "start", "--home", str(self.home)],
            stdin=subprocess.DEVNULL,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


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
        )
        prefill_seconds, recipient = 0.0, None
        if opts.accounts:
            progress.phase(f"writing a prefilled state of {opts.accounts:,} funded accounts")
            started = time.perf_counter()
            senders = [k.address for k in keys]
            items = prefill.prefilled_items(net.genesis, senders, opts.accounts)
            chains = [NodeHome(n.home).data_dir / "chain" for n in net.nodes]
            prefill.write_prefilled(chains, net.genesis, items)
            del items
            prefill_seconds = time.perf_counter() - started
            recipient = prefill.random_recipients(senders, opts.accounts)
        nodes = [_node(n.moniker, n.home, n.api_url, opts.profile_dir) for n in net.nodes]
        supervisor = Supervisor(nodes, out=io.StringIO())
        try:
            progress.phase(f"starting {len(nodes)} validator(s) in {tmp}")
            for node in nodes:
                node.start(sys.executable)
            progress.phase(f"pre-signing {opts.txs:,} transfers from {opts.senders:,} senders")
            signed = load.presign(net.genesis, keys, opts.txs, recipient)
            batches = load.batches(signed, len(nodes), opts.batch)
            progress.phase("waiting for the validators to commit a block")
            _wait_ready(nodes)
            progress.start(opts.txs)
            driver = Driver(
                [n.api_url for n in nodes],
                batches,
                rate=opts.rate,
                inflight=opts.inflight,
                on_commit=progress.advance,
                stall_seconds=opts.stall_seconds,
            )
            samples = asyncio.run(driver.run())
            progress.finish()
            if samples.stalled:
                _print_logs(nodes)
            rss = {n.moniker: _peak_rss_mib(n) for n in nodes}
            rounds = _commit_rounds(nodes[0], [height for _t, height, _n in samples.blocks])
        except Exception:
            _print_logs(nodes)
            raise
        finally:
            supervisor.stop_all()
    result: dict[str, Any] = {
        "validators": opts.validators,
        "txs": opts.txs,
        "senders": opts.senders,
        "accounts": max(opts.accounts, opts.senders),
        "prefill_seconds": round(prefill_seconds, 1),
        "batch": opts.batch,
        "rate": opts.rate,
        "block_interval_ms": net.genesis.params.consensus.block_interval_ms,
        **figures(samples),
        "rss_mib": rss,
        # None when no commit could be read back: a figure the run did not measure
        "late_heights": sum(1 for r in rounds if r > 0) if rounds else None,
        "max_round": max(rounds) if rounds else None,
        "verify_rate": round(ceiling, 1),
        "load_before": round(load_before, 2),
        "load_after": round(os.getloadavg()[0], 2),
    }
    result["verify_ratio"] = round(result["tps"] / ceiling, 3) if ceiling else 0.0
    result["meets_targets"] = verdicts(result)
    return result


def _node(moniker: str, home: Path, api_url: str, profile_dir: Path | None) -> NodeProcess:
    if profile_dir is None:
        return NodeProcess(moniker, home, api_url)
    profile_dir.mkdir(parents=True, exist_ok=True)
    return ProfiledNode(moniker, home, api_url, profile_dir.resolve() / f"{moniker}.prof")


def _wait_ready(nodes: list[NodeProcess]) -> None:
    """Until every node has committed a block and (with peers) sees all of them."""
    deadline = time.monotonic() + READY_SECONDS
    while time.monotonic() < deadline:
        for node in nodes:
            if node.exit_code is not None:
                raise BenchError(f"{node.moniker} exited with code {node.exit_code} at start")
        if all(_ready(n, len(nodes) - 1) for n in nodes):
            return
        time.sleep(0.2)
    raise BenchError(f"the validators did not start committing within {READY_SECONDS:.0f} s")


def _ready(node: NodeProcess, peers: int) -> bool:
    try:
        status = NodeClient(node.api_url, timeout=2.0).get("/v1/status")
    except NodeClientError:
        return False
    return int(status.get("latest_height") or 0) >= 1 and int(status.get("peers") or 0) >= peers


def _commit_rounds(node: NodeProcess, heights: list[int]) -> list[int]:
    """The round each of `heights` was committed in: a round above 0 means a proposal came late
    or was rejected, so a whole block time was lost (unreadable heights are left out)."""
    client = NodeClient(node.api_url, timeout=5.0)
    rounds: list[int] = []
    for height in heights:
        with contextlib.suppress(NodeClientError, KeyError, TypeError, ValueError):
            rounds.append(int(client.get(f"/v1/blocks/{height}?txs=hashes")["commit"]["round"]))
    return rounds


def _peak_rss_mib(node: NodeProcess) -> float:
    """The node's peak resident set (VmHWM) plus its child processes' (the signature workers),
    in MiB; 0 when it cannot be read."""
    if node.process is None:
        return 0.0
    pids = [node.process.pid, *_children(node.process.pid)]
    return round(sum(_vm_hwm_kib(pid) for pid in pids) / 1024, 1)


def _children(pid: int) -> list[int]:
    found: list[int] = []
    with contextlib.suppress(OSError, ValueError):
        for task in Path(f"/proc/{pid}/task").iterdir():
            found += [int(child) for child in (task / "children").read_text().split()]
    return found


def _vm_hwm_kib(pid: int) -> int:
    with contextlib.suppress(OSError, ValueError, IndexError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return 0


def _print_logs(nodes: list[NodeProcess]) -> None:
    """The end of each node's log on stderr (the folder is deleted after a failed run)."""
    for node in nodes:
        path = node.home / "node.log"
        with contextlib.suppress(OSError):
            if node.log is not None:
                node.log.flush()
            data = path.read_bytes()[-LOG_TAIL_BYTES:]
            sys.stderr.write(f"--- end of {node.moniker}'s log ---\n")
            sys.stderr.write(data.decode(errors="replace") + "\n")
