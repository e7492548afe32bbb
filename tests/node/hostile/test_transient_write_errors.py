"""Issue 14, item 1: a sign-state write that meets EMFILE is retried; a lasting error still stops.

The descriptor shortage is real: the test lowers its own soft RLIMIT_NOFILE to the lowest free
descriptor, so the next open fails with EMFILE, and (in the transient case) restores it 50 ms
later from another thread.
"""

from __future__ import annotations

import errno
import os
import resource
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from consensus.signer import FileSignStateStore, SignState
from node.retry import RetryingSignStateStore

STATE = SignState(b"\x01" * 32, 7, 0, 1, b"", b"")


@contextmanager
def no_free_descriptors(for_seconds: float | None) -> Iterator[None]:
    """Every open fails with EMFILE, for `for_seconds` (None: until the block ends)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    lowest = os.dup(0)
    os.close(lowest)
    restore = threading.Timer(
        for_seconds or 0, resource.setrlimit, (resource.RLIMIT_NOFILE, (soft, hard))
    )
    resource.setrlimit(resource.RLIMIT_NOFILE, (lowest, hard))
    try:
        if for_seconds is not None:
            restore.start()
        yield
    finally:
        if for_seconds is not None:
            restore.join()
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


def test_the_plain_store_fails_on_emfile(tmp_path: Path) -> None:
    store = FileSignStateStore(tmp_path / "state.bin")
    with no_free_descriptors(None), pytest.raises(OSError) as caught:
        store.save(STATE)
    assert caught.value.errno == errno.EMFILE


def test_a_sign_state_write_that_meets_emfile_for_a_moment_is_retried(tmp_path: Path) -> None:
    store = RetryingSignStateStore(FileSignStateStore(tmp_path / "state.bin"))
    with no_free_descriptors(0.05):
        store.save(STATE)
    assert store.retries >= 1
    assert store.load() == STATE


def test_a_lasting_emfile_still_stops_the_write(tmp_path: Path) -> None:
    store = RetryingSignStateStore(FileSignStateStore(tmp_path / "state.bin"))
    with no_free_descriptors(None), pytest.raises(OSError) as caught:
        store.save(STATE)
    assert caught.value.errno == errno.EMFILE
    assert store.load() is None


def test_a_persistent_disk_error_is_not_retried(tmp_path: Path) -> None:
    store = RetryingSignStateStore(FileSignStateStore(tmp_path / "missing-dir" / "state.bin"))
    with pytest.raises(FileNotFoundError):
        store.save(STATE)
    assert store.retries == 0
