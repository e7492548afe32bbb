"""Where a bench run's CPU went, per committed tx: each node's event loop (its main thread), its
other threads (the commit thread, the process pool's hand-off threads), its child processes
(the signature workers, multiprocessing's resource tracker), and the bench's own process (the
load generator: posting batches, reading answers and block notifications).

Read from `/proc/PID/task/TID/schedstat` (nanoseconds on a CPU, per thread) right before the
load starts and right after its last commit, so start-up and pre-signing are left out. CPU
time rather than wall time: on a shared machine it moves far less with the other jobs
(docs/performance.md, "One validator saturated").
"""

from __future__ import annotations

import contextlib
import time
from dataclasses import dataclass
from pathlib import Path

from cli.bench.memory import children


def thread_seconds(pid: int) -> dict[int, float]:
    """CPU seconds of each thread of `pid` so far (empty when it is gone)."""
    found: dict[int, float] = {}
    with contextlib.suppress(OSError):
        for task in Path(f"/proc/{pid}/task").iterdir():
            with contextlib.suppress(OSError, ValueError, IndexError):
                found[int(task.name)] = int((task / "schedstat").read_text().split()[0]) / 1e9
    return found


@dataclass(frozen=True, slots=True)
class NodeCpu:
    """CPU seconds so far of a node's parts."""

    loop: float
    threads: float
    workers: float

    @classmethod
    def read(cls, pid: int) -> NodeCpu:
        own = thread_seconds(pid)
        loop = own.pop(pid, 0.0)
        workers = sum(sum(thread_seconds(child).values()) for child in children(pid))
        return cls(loop, sum(own.values()), workers)


class CpuMeter:
    """CPU of the nodes `pids` and of this process between `start` and `stop`."""

    def __init__(self, pids: list[int]) -> None:
        self.pids = pids
        self._nodes: list[NodeCpu] = []
        self._client = 0.0
        self.nodes: list[NodeCpu] = []
        self.client = 0.0

    def start(self) -> None:
        self._nodes = [NodeCpu.read(pid) for pid in self.pids]
        self._client = time.process_time()

    def stop(self) -> None:
        """The CPU seconds used since `start` (a worker restarted meanwhile counts from 0)."""
        self.client = time.process_time() - self._client
        ends = [NodeCpu.read(pid) for pid in self.pids]
        self.nodes = [
            NodeCpu(
                end.loop - begin.loop,
                max(0.0, end.threads - begin.threads),
                max(0.0, end.workers - begin.workers),
            )
            for begin, end in zip(self._nodes, ends, strict=True)
        ]

    def per_tx_us(self, monikers: list[str], txs: int) -> dict[str, dict[str, float]]:
        """µs per committed tx of each node's parts, and of the client."""
        scale = 1e6 / max(1, txs)
        out = {
            name: {
                "loop": round(cpu.loop * scale, 1),
                "threads": round(cpu.threads * scale, 1),
                "workers": round(cpu.workers * scale, 1),
            }
            for name, cpu in zip(monikers, self.nodes, strict=True)
        }
        out["client"] = {"process": round(self.client * scale, 1)}
        return out
