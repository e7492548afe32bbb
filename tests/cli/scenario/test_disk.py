"""The small disk of the disk-full perturbation: a real tmpfs that fills to ENOSPC and frees."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from cli.scenario.procs import DiskError, SmallDisk


def test_a_filled_disk_refuses_the_next_write_and_takes_it_once_freed(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "kept").write_bytes(b"node state")
    disk = SmallDisk(data, size_mib=4)
    try:
        disk.mount()
    except DiskError as exc:
        pytest.skip(f"tmpfs cannot be mounted here: {exc}")
    try:
        assert (data / "kept").read_bytes() == b"node state"  # what the folder held is kept
        assert disk.fill() > 3 * 1024 * 1024
        with pytest.raises(OSError) as full:
            fd = os.open(data / "next", os.O_WRONLY | os.O_CREAT)
            try:
                os.write(fd, b"\0" * 65536)
            finally:
                os.close(fd)
        assert full.value.errno == errno.ENOSPC
        disk.free()
        (data / "next").write_bytes(b"\0" * 65536)
    finally:
        disk.unmount()
    assert not disk.mounted
