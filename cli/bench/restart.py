"""`coterie bench --restart`: how long a validator takes to come back after a clean stop.

After the load of a run (with `--accounts N`, on a state of N accounts), the first validator is
stopped (SIGTERM, as an operator would) and started again. Measured from the new process's
start: until its API answers `/v1/status` (it serves reads); until it reports a height above the
one it stopped at (it rejoins consensus and commits: this includes what is left of the block
interval since the last block's time, nothing after a longer stop); and the CPU time the
process had used when its API first answered, which the machine's load does not inflate. The
restarted node must report the state root it stopped with, or the run fails.
"""

from __future__ import annotations

import os
import signal
import sys
import time
from pathlib import Path
from typing import Any

from cli.bench.driver import BenchError
from cli.nodeclient import NodeClient, NodeClientError
from cli.testnet_run import NodeProcess

STOP_SECONDS = 60.0
START_SECONDS = 300.0
POLL_SECONDS = 0.02


def _status(node: NodeProcess, timeout: float = 2.0) -> dict[str, Any] | None:
    try:
        status = NodeClient(node.api_url, timeout=timeout).get("/v1/status")
    except NodeClientError:
        return None
    return status if isinstance(status, dict) else None


def measure_restart(node: NodeProcess) -> dict[str, Any]:
    """Stop `node`, start it again, and time its API and its first new commit."""
    before = _status(node, 10.0)
    if before is None or node.process is None:
        raise BenchError(f"{node.moniker} does not answer before its restart")
    node.process.send_signal(signal.SIGTERM)
    try:
        node.process.wait(STOP_SECONDS)
    except Exception as exc:
        raise BenchError(f"{node.moniker} did not stop within {STOP_SECONDS:.0f} s") from exc
    if node.log is not None:
        node.log.close()
    stopped_height = int(before["latest_height"])
    started = time.perf_counter()
    node.start(sys.executable)
    api_s: float | None = None
    api_cpu_s = 0.0
    root_after: str | None = None
    while time.perf_counter() - started < START_SECONDS:
        if node.exit_code is not None:
            raise BenchError(f"{node.moniker} exited with code {node.exit_code} on restart")
        status = _status(node, 1.0)
        now = time.perf_counter() - started
        if status is not None:
            if api_s is None:
                api_s, api_cpu_s = now, _cpu_seconds(node)
                root_after = str(status["state_root"])
                if int(status["latest_height"]) != stopped_height:
                    root_after = _root_at(node, stopped_height)
            if int(status["latest_height"]) > stopped_height:
                return {
                    "restart_height": stopped_height,
                    "restart_api_s": round(api_s, 3),
                    "restart_api_cpu_s": round(api_cpu_s, 3),
                    "restart_commit_s": round(now, 3),
                    "restart_same_root": root_after == before["state_root"],
                }
        time.sleep(POLL_SECONDS)
    raise BenchError(f"{node.moniker} did not commit within {START_SECONDS:.0f} s of its restart")


def _cpu_seconds(node: NodeProcess) -> float:
    """CPU time (user + system) the node's main process has used so far: what its start cost
    whatever the machine's load (its signature workers are separate processes)."""
    if node.process is None:
        return 0.0
    try:
        fields = Path(f"/proc/{node.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _root_at(node: NodeProcess, height: int) -> str:
    block = NodeClient(node.api_url, timeout=10.0).get(f"/v1/blocks/{height}?txs=hashes")
    return str(block["header"]["state_root"])
