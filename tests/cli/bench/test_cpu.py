"""The bench's CPU accounting reads each thread and child of a node from /proc."""

from __future__ import annotations

import os
import subprocess
import sys
import threading

from cli.bench.cpu import NodeCpu, thread_seconds


def test_each_thread_of_a_live_process_is_read_and_a_gone_one_reads_empty() -> None:
    done = threading.Event()
    worker = threading.Thread(target=done.wait)
    worker.start()
    try:
        seconds = thread_seconds(os.getpid())
        assert os.getpid() in seconds and seconds[os.getpid()] > 0
        assert worker.native_id in seconds
    finally:
        done.set()
        worker.join()
    assert thread_seconds(2**22 + 1) == {}  # above the kernel's pid limit: never a process


def test_a_node_counts_its_children_as_workers_and_its_main_thread_as_the_loop() -> None:
    child = subprocess.Popen(
        [sys.executable, "-c", "sum(range(3_000_000)); input()"], stdin=subprocess.PIPE
    )
    try:
        cpu = NodeCpu.read(os.getpid())
        for _ in range(100_000):  # until the child has run a little (it starts at once)
            if cpu.workers > 0:
                break
            cpu = NodeCpu.read(os.getpid())
        assert cpu.loop > 0 and cpu.workers > 0 and cpu.threads >= 0
    finally:
        child.communicate(b"\n", timeout=30)
