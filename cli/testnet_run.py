"""Running a local testnet: one `coterie start` subprocess per node, watched over HTTP.

Each node runs as `python -m cli start --home DIR/nodeN` in its own process group (so a Ctrl-C in
the terminal reaches only this supervisor, which then stops the nodes in order), with its output
in `DIR/nodeN/node.log`. The supervisor polls every node's `GET /v1/status` once a second and
prints one status line: the best height, the txs committed so far, and each node's peers (a
node that does not answer shows `-`, one that exited shows its exit code). On SIGINT or SIGTERM
every node gets SIGTERM and `STOP_SECONDS` to stop cleanly, then SIGKILL.
"""

from __future__ import annotations

import contextlib
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import IO, Any

from cli.nodeclient import NodeClient, NodeClientError

STOP_SECONDS = 15.0
POLL_SECONDS = 1.0


@dataclass
class NodeProcess:
    moniker: str
    home: Path
    api_url: str
    process: subprocess.Popen[bytes] | None = None
    log: IO[bytes] | None = None
    status: dict[str, Any] | None = None
    wrapper: tuple[str, ...] = ()  # e.g. `ip netns exec NS`: it must exec the node in place

    def start(self, python: str) -> None:
        self.log = (self.home / "node.log").open("ab")
        self.process = subprocess.Popen(
            [*self.wrapper, python, "-m", "cli", "start", "--home", str(self.home)],
            stdin=subprocess.DEVNULL,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    @property
    def exit_code(self) -> int | None:
        return None if self.process is None else self.process.poll()

    def poll(self) -> None:
        if self.exit_code is not None:
            self.status = None
            return
        try:
            status = NodeClient(self.api_url, timeout=0.5).get("/v1/status")
        except NodeClientError:
            status = None
        self.status = status if isinstance(status, dict) else None

    @property
    def height(self) -> int:
        return int(self.status.get("latest_height") or 0) if self.status else 0

    def cell(self) -> str:
        code = self.exit_code
        if code is not None:
            return f"{self.moniker}:exit {code}"
        if self.status is None:
            return f"{self.moniker}:-"
        return f"{self.moniker}:h{self.status.get('latest_height')}/p{self.status.get('peers')}"


@dataclass
class TxCounter:
    """Txs committed so far, summed from the block summaries of one answering node."""

    seen_height: int = 0
    total: int = 0

    def update(self, node: NodeProcess) -> None:
        if node.status is None:
            return
        top = int(node.status.get("latest_height") or 0)
        with contextlib.suppress(NodeClientError, ValueError, TypeError):
            while self.seen_height < top:
                before = min(top, self.seen_height + 100) + 1
                page = NodeClient(node.api_url, timeout=0.5).get(
                    f"/v1/blocks?limit=100&before={before}"
                )
                blocks = [b for b in page.get("blocks", []) if b["height"] > self.seen_height]
                if not blocks:
                    return
                self.total += sum(int(b["tx_count"]) for b in blocks)
                self.seen_height = max(int(b["height"]) for b in blocks)


@dataclass
class Supervisor:
    nodes: list[NodeProcess]
    out: IO[str] = field(default_factory=lambda: sys.stdout)
    stopping: bool = False
    counter: TxCounter = field(default_factory=TxCounter)

    def run(self, python: str = sys.executable) -> int:
        """Start every node and watch them until a signal; returns the exit code."""
        previous = {
            sig: signal.signal(sig, self._on_signal) for sig in (signal.SIGINT, signal.SIGTERM)
        }
        try:
            for node in self.nodes:
                node.start(python)
            last_line = ""
            while not self.stopping:
                line = self.status_line()
                if self.out.isatty():
                    self.out.write("\r\033[K" + line)
                elif line != last_line:
                    self.out.write(line + "\n")
                self.out.flush()
                last_line = line
                self._sleep(POLL_SECONDS)
            if self.out.isatty():
                self.out.write("\n")
            return 0
        finally:
            self.stop_all()
            for sig, handler in previous.items():
                signal.signal(sig, handler)

    def status_line(self) -> str:
        for node in self.nodes:
            node.poll()
        best = max(self.nodes, key=lambda n: n.height)
        self.counter.update(best)
        cells = "  ".join(n.cell() for n in self.nodes)
        return f"height {best.height}  txs {self.counter.total}  {cells}"

    def _sleep(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while not self.stopping and time.monotonic() < deadline:
            time.sleep(0.05)

    def _on_signal(self, signum: int, frame: FrameType | None) -> None:
        self.stopping = True

    def stop_all(self) -> None:
        """SIGTERM to every running node, then SIGKILL to those still running after a while."""
        running = [n for n in self.nodes if n.process is not None and n.exit_code is None]
        for node in running:
            assert node.process is not None
            with contextlib.suppress(ProcessLookupError):
                node.process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + STOP_SECONDS
        for node in running:
            assert node.process is not None
            try:
                node.process.wait(max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                self.out.write(f"{node.moniker} did not stop in time: killing it\n")
                node.process.kill()
                node.process.wait()
        for node in self.nodes:
            if node.log is not None:
                node.log.close()
        codes = ", ".join(f"{n.moniker} {n.exit_code}" for n in self.nodes if n.process)
        self.out.write(f"stopped ({codes})\n")
        self.out.flush()
