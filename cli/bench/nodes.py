"""The bench's node processes: start (optionally under cProfile), wait until ready, read peak
memory, print their logs after a failure."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time
from pathlib import Path

from cli.bench.driver import BenchError
from cli.bench.memory import children
from cli.nodeclient import NodeClient, NodeClientError
from cli.testnet_run import NodeProcess

READY_SECONDS = 120.0
LOG_TAIL_BYTES = 3000


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


def make_node(moniker: str, home: Path, api_url: str, profile_dir: Path | None) -> NodeProcess:
    """A bench node; like an installed node, it keeps Python's bytecode cache: a shell that sets
    PYTHONDONTWRITEBYTECODE (some do) would make every start compile the ~500 modules a node
    imports again, about 0.4 s of CPU that a restart figure should not count."""
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)  # the nodes inherit the environment
    if profile_dir is None:
        return NodeProcess(moniker, home, api_url)
    profile_dir.mkdir(parents=True, exist_ok=True)
    return ProfiledNode(moniker, home, api_url, profile_dir.resolve() / f"{moniker}.prof")


def wait_ready(nodes: list[NodeProcess]) -> None:
    """Until every node has committed a block and (with peers) sees all of them."""
    deadline = time.monotonic() + READY_SECONDS
    while time.monotonic() < deadline:
        for node in nodes:
            if node.exit_code is not None:
                raise BenchError(f"{node.moniker} exited with code {node.exit_code} at start")
        if all(is_ready(n, len(nodes) - 1) for n in nodes):
            return
        time.sleep(0.2)
    raise BenchError(f"the validators did not start committing within {READY_SECONDS:.0f} s")


def is_ready(node: NodeProcess, peers: int) -> bool:
    try:
        status = NodeClient(node.api_url, timeout=2.0).get("/v1/status")
    except NodeClientError:
        return False
    return int(status.get("latest_height") or 0) >= 1 and int(status.get("peers") or 0) >= peers


def commit_rounds(node: NodeProcess, heights: list[int]) -> list[int]:
    """The round each of `heights` was committed in: a round above 0 means a proposal came late
    or was rejected, so a whole block time was lost (unreadable heights are left out)."""
    client = NodeClient(node.api_url, timeout=5.0)
    rounds: list[int] = []
    for height in heights:
        with contextlib.suppress(NodeClientError, KeyError, TypeError, ValueError):
            rounds.append(int(client.get(f"/v1/blocks/{height}?txs=hashes")["commit"]["round"]))
    return rounds


def mempool_evicted(node: NodeProcess) -> int | None:
    """Txs the node's pool admitted and then evicted (a full pool makes room for a newcomer:
    node/mempool/room.py): accepted by the API, yet never committed; None when unreadable."""
    with contextlib.suppress(NodeClientError, KeyError, TypeError, ValueError):
        return int(NodeClient(node.api_url, timeout=5.0).get("/v1/mempool")["evicted_total"])
    return None


def peak_rss_mib(node: NodeProcess) -> float:
    """The node's peak resident set (VmHWM) plus its child processes' (the signature workers
    and the resource tracker), in MiB; 0 when it cannot be read. Pages the processes share are
    counted in each: `cli.bench.memory.MemorySampler` gives the figure the goal is held to."""
    return _status_sum_mib(node, "VmHWM:")


def anon_rss_mib(node: NodeProcess) -> float:
    """The node's resident private memory now (RssAnon), workers included, in MiB: the resident
    set without the pages of mapped files (the interpreter's and libraries' code; LevelDB's
    tables only where its mmap reads could not be turned off: ledger/store/pread.py)."""
    return _status_sum_mib(node, "RssAnon:")


def _status_sum_mib(node: NodeProcess, field: str) -> float:
    if node.process is None:
        return 0.0
    pids = [node.process.pid, *children(node.process.pid)]
    return round(sum(_status_kib(pid, field) for pid in pids) / 1024, 1)


def _status_kib(pid: int, field: str) -> int:
    with contextlib.suppress(OSError, ValueError, IndexError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field):
                return int(line.split()[1])
    return 0


def print_logs(nodes: list[NodeProcess]) -> None:
    """The end of each node's log on stderr (the folder is deleted after a failed run)."""
    for node in nodes:
        path = node.home / "node.log"
        with contextlib.suppress(OSError):
            if node.log is not None:
                node.log.flush()
            data = path.read_bytes()[-LOG_TAIL_BYTES:]
            sys.stderr.write(f"--- end of {node.moniker}'s log ---\n")
            sys.stderr.write(data.decode(errors="replace") + "\n")
