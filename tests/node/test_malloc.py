"""glibc's allocator as a node process runs it (node/malloc.py): freed memory goes back to the
kernel. Each probe runs in a fresh interpreter and reads its own private resident memory."""

from __future__ import annotations

import subprocess
import sys

import pytest

from node import malloc

pytestmark = pytest.mark.skipif(
    not malloc.available(),
    reason="not glibc: node/malloc.py does nothing there",
)

RSS_ANON = """
def rss_anon_mib():
    for line in open("/proc/self/status"):
        if line.startswith("RssAnon:"):
            return int(line.split()[1]) // 1024
"""

BLOCK_PAGES = (
    RSS_ANON
    + """
from node import malloc
kept = []
freed = [bytes(2000) + bytes([i % 256]) for i in range(40_000)]  # a block's Merkle records
for i in range(0, len(freed), 64):
    kept.append(freed[i])  # a few outlive the block and pin the heap's top
del freed
before = rss_anon_mib()
released = malloc.release_free_memory()
print(before, rss_anon_mib(), int(released))
"""
)

BIG_BUFFERS = (
    RSS_ANON
    + """
import sys
from node import malloc
if sys.argv[1] == "tuned":
    malloc.tune()
first = bytearray(8 << 20)  # freed: glibc would raise its mmap threshold to 8 MiB
del first
start = rss_anon_mib()
buffers = [bytearray(4 << 20) for _ in range(16)]  # write batches, block encodings
pin = bytes(100_000)  # allocated above them in the heap when they come from the heap
del buffers
print(start, rss_anon_mib())
"""
)


def _probe(code: str, *args: str) -> list[int]:
    out = subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, check=True, timeout=60
    ).stdout.split()
    return [int(word) for word in out]


def test_pages_a_block_freed_in_the_middle_of_the_heap_go_back_to_the_kernel() -> None:
    """About 78 MiB of 2 KiB buffers, one in 64 kept: only a trim inside the heap frees the
    rest (glibc by itself returns the heap's free top alone)."""
    before, after, released = _probe(BLOCK_PAGES)
    assert released == 1
    assert before - after > 50


def test_with_the_fixed_mmap_threshold_freed_large_buffers_leave_no_heap_behind() -> None:
    """64 MiB of 4 MiB buffers freed under a small live allocation: tuned, each buffer was
    its own mapping and is gone; untuned, glibc put them in the heap, which keeps them."""
    start, tuned_after = _probe(BIG_BUFFERS, "tuned")
    assert tuned_after - start < 8
    start, untuned_after = _probe(BIG_BUFFERS, "untuned")
    assert untuned_after - start > 32  # the probe can fail: without the setting it does
