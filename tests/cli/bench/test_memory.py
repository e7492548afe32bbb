"""The bench's memory figure over a real process tree: a parent interpreter with a child
interpreter (as a node with its signature workers), each holding private memory."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from cli.bench.memory import MemorySampler, children, rollup_kib, tree_kib

CHILD = (
    "import time; block = bytearray(40 << 20); block[::4096] = b'x' * (len(block) // 4096); "
    "print(1, flush=True); time.sleep(60)"
)
PARENT = f"""
import subprocess, sys, time
block = bytearray(60 << 20)
block[::4096] = b"x" * (len(block) // 4096)
child = subprocess.Popen([sys.executable, "-c", {CHILD!r}], stdout=subprocess.PIPE)
child.stdout.readline()
print(child.pid, flush=True)
time.sleep(60)
"""


def _hwm_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise AssertionError("no VmHWM")


def test_a_page_two_processes_share_is_counted_once_and_private_pages_of_each_count() -> None:
    parent = subprocess.Popen([sys.executable, "-c", PARENT], stdout=subprocess.PIPE, text=True)
    try:
        assert parent.stdout is not None
        child = int(parent.stdout.readline())
        assert children(parent.pid) == [child]
        sampler = MemorySampler(parent.pid, interval=0.05).start()
        time.sleep(0.3)
        sampler.stop()
        counted, pss = tree_kib(parent.pid)
        mine, its = rollup_kib(parent.pid), rollup_kib(child)
        # the child's interpreter and libraries are the parent's files: in RSS twice, here once
        assert counted == mine["Rss"] + its["Private_Clean"] + its["Private_Dirty"]
        assert counted < mine["Rss"] + its["Rss"]
        assert counted >= (60 + 40) * 1024  # both processes' private blocks
        assert 0 < pss <= mine["Rss"] + its["Rss"]
        assert sampler.samples >= 2
        assert sampler.peak_kib >= (60 + 40) * 1024
        assert sampler.peak_kib <= _hwm_kib(parent.pid) + _hwm_kib(child)
    finally:
        parent.kill()
        parent.wait()
        if parent.stdout is not None:
            parent.stdout.close()


def test_a_process_that_is_gone_counts_nothing() -> None:
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    assert tree_kib(gone.pid) == (0, 0)
    sampler = MemorySampler(gone.pid)
    sampler.sample()
    assert sampler.samples == 0 and sampler.peak_mib == 0.0
