"""glibc's allocator: tuned once a node process has started, and asked after each committed
block to give back to the kernel the pages the block freed.

A block at a million accounts allocates tens of MiB outside Python's small-object allocator and
frees them at its commit: the Merkle records it writes (bytes of up to 1.5 KiB each), LevelDB's
write batch and memtable, the block's encoding. glibc keeps freed memory in its heap for reuse
and returns only a free top of the heap, so after a 30,000-tx load at a million accounts the
node's heap held 93 MiB of which 24 MiB were in use (`coterie bench --validators 1 --accounts
1000000`, mallinfo2 read in the node; docs/performance.md). Two settings fix most of that:

- a fixed mmap threshold (`M_MMAP_THRESHOLD`, 256 KiB): glibc otherwise raises its threshold up
  to 32 MiB each time it frees an mmapped block, after which every large buffer (a write batch,
  a block's encoding) comes from the heap and leaves a hole there when freed; fixed, a buffer
  this large is its own mapping and goes back to the kernel when freed;
- `malloc_trim(0)` once per committed block (a few ms on the event loop at that size): it
  returns the whole free pages inside the heap, not only its top.

Python's own small-object arenas are not glibc's heap; an arena goes back to the kernel only
when every object in it is freed (docs/performance.md says what stays). Elsewhere than glibc
(musl, macOS) these functions do nothing.
"""

from __future__ import annotations

import ctypes
import logging
from typing import Any

log = logging.getLogger(__name__)

M_MMAP_THRESHOLD = -3  # glibc's mallopt parameter numbers (malloc.h)
MMAP_THRESHOLD_BYTES = 256 * 1024


def _glibc() -> Any | None:
    """The C library's symbols when it is glibc (it has `malloc_trim` and `mallopt`)."""
    try:
        libc = ctypes.CDLL(None)
    except OSError:
        return None
    if not hasattr(libc, "malloc_trim") or not hasattr(libc, "mallopt"):
        return None
    libc.malloc_trim.argtypes = [ctypes.c_size_t]
    libc.malloc_trim.restype = ctypes.c_int
    libc.mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    libc.mallopt.restype = ctypes.c_int
    return libc


_LIBC = _glibc()


def available() -> bool:
    """Whether this process runs on glibc (elsewhere `tune` and `release_free_memory` do
    nothing)."""
    return _LIBC is not None


def tune() -> bool:
    """Fix glibc's mmap threshold (module docstring); False when not glibc or refused."""
    if _LIBC is None:
        return False
    ok = bool(_LIBC.mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD_BYTES))
    if not ok:
        log.warning("mallopt(M_MMAP_THRESHOLD) refused; large buffers may stay in the heap")
    return ok


def release_free_memory() -> bool:
    """Give the heap's free pages back to the kernel; True when some were."""
    if _LIBC is None:
        return False
    return bool(_LIBC.malloc_trim(0))
