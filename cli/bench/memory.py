"""A bench node's memory over the run: its process and its children (the signature workers and
multiprocessing's resource tracker), sampled from `/proc/PID/smaps_rollup`.

Summing each process's RSS high-water mark (`VmHWM`) counts a page mapped by two processes
twice (each worker maps the same interpreter and libraries as the node: about 16 of a worker's
31 MiB) and adds peaks reached at different times. The figure held against the goal is the
peak of the node's resident set plus its children's private pages (`Private_Clean` +
`Private_Dirty`): every page the tree keeps resident once, shared ones in the node's count.
The sum of PSS is recorded too; it is lower still, because it also divides a library's pages
with unrelated processes that map the same file.
"""

from __future__ import annotations

import contextlib
import threading
from pathlib import Path

SAMPLE_SECONDS = 0.2


def rollup_kib(pid: int) -> dict[str, int]:
    """The kB fields of a process's smaps_rollup (empty when it is gone or unreadable)."""
    fields: dict[str, int] = {}
    with contextlib.suppress(OSError, ValueError, IndexError):
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:]:
            name, value = line.split(":", 1)
            fields[name] = int(value.split()[0])
    return fields


def children(pid: int) -> list[int]:
    """The direct children of `pid` (of every thread of it)."""
    found: list[int] = []
    with contextlib.suppress(OSError, ValueError):
        for task in Path(f"/proc/{pid}/task").iterdir():
            found += [int(child) for child in (task / "children").read_text().split()]
    return found


def tree_kib(pid: int) -> tuple[int, int]:
    """(node RSS + children's private pages, sum of PSS) of `pid` and its children, in kB."""
    node = rollup_kib(pid)
    if not node:
        return 0, 0
    counted, pss = node.get("Rss", 0), node.get("Pss", 0)
    for child in children(pid):
        fields = rollup_kib(child)
        counted += fields.get("Private_Clean", 0) + fields.get("Private_Dirty", 0)
        pss += fields.get("Pss", 0)
    return counted, pss


class MemorySampler:
    """Samples a node's process tree every `SAMPLE_SECONDS` on a thread until `stop`."""

    def __init__(self, pid: int, interval: float = SAMPLE_SECONDS) -> None:
        self.pid = pid
        self.interval = interval
        self.peak_kib = 0
        """The peak of the node's RSS plus its children's private pages."""
        self.peak_pss_kib = 0
        self.samples = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="bench-memory", daemon=True)

    def start(self) -> MemorySampler:
        self._thread.start()
        return self

    def sample(self) -> None:
        counted, pss = tree_kib(self.pid)
        if counted:
            self.samples += 1
            self.peak_kib = max(self.peak_kib, counted)
            self.peak_pss_kib = max(self.peak_pss_kib, pss)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()
        self.sample()

    def _run(self) -> None:
        while not self._stop.is_set():
            self.sample()
            self._stop.wait(self.interval)

    @property
    def peak_mib(self) -> float:
        return round(self.peak_kib / 1024, 1)

    @property
    def peak_pss_mib(self) -> float:
        return round(self.peak_pss_kib / 1024, 1)
