"""`coterie bench --restart`: how long a validator takes to come back after a clean stop.

After the load of a run (with `--accounts N`, on a state of N accounts), the first validator is
stopped (SIGTERM, as an operator would) and started again. Two times are measured from the new
process's start: until its API answers `/v1/status` (it serves reads), and until it reports a
height above the one it stopped at (it rejoins consensus and commits). The second includes up
to one block interval of pacing: a height starts an interval after the last block's time. The
restarted node must report the state root it stopped with, or the run fails.
"""

from __future__ import annotations

import signal
import sys
import time
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
    root_after: str | None = None
    while time.perf_counter() - started < START_SECONDS:
        if node.exit_code is not None:
            raise BenchError(f"{node.moniker} exited with code {node.exit_code} on restart")
        status = _status(node, 1.0)
        now = time.perf_counter() - started
        if status is not None:
            if api_s is None:
                api_s = now
                root_after = str(status["state_root"])
                if int(status["latest_height"]) != stopped_height:
                    root_after = _root_at(node, stopped_height)
            if int(status["latest_height"]) > stopped_height:
                return {
                    "restart_height": stopped_height,
                    "restart_api_s": round(api_s, 3),
                    "restart_commit_s": round(now, 3),
                    "restart_same_root": root_after == before["state_root"],
                }
        time.sleep(POLL_SECONDS)
    raise BenchError(f"{node.moniker} did not commit within {START_SECONDS:.0f} s of its restart")


def _root_at(node: NodeProcess, height: int) -> str:
    block = NodeClient(node.api_url, timeout=10.0).get(f"/v1/blocks/{height}?txs=hashes")
    return str(block["header"]["state_root"])
