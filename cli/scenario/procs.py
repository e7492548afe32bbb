"""The scenario's node processes and disks, and the check that nothing is left behind.

Each node runs as `coterie start` in its own session (cli.testnet_run.NodeProcess), so its
process group holds the node and its signature workers: kill, pause and resume signal the whole
group (`killpg`), as an operator's `kill -9` of a container would. Every group ever started is
remembered; `leftovers` lists any process still in one of them after the teardown.

A disk that fills is a tmpfs mounted over the node's data folder (root only; skipped with the
reason where `mount` is refused), filled by one file until the kernel answers ENOSPC.
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from cli.testnet_run import NodeProcess

STOP_SECONDS = 10.0
FILL_CHUNK = 1024 * 1024
DISK_MIB = 64
GONE_SECONDS = 5.0


@dataclass
class Nodes:
    nodes: list[NodeProcess]
    python: str = sys.executable
    groups: set[int] = field(default_factory=set)
    paused: set[int] = field(default_factory=set)

    def start(self, i: int) -> None:
        node = self.nodes[i]
        if node.log is not None:
            node.log.close()
        node.start(self.python)
        assert node.process is not None
        self.groups.add(node.process.pid)

    def running(self, i: int) -> bool:
        return self.nodes[i].process is not None and self.nodes[i].exit_code is None

    def signal(self, i: int, sig: signal.Signals) -> None:
        node = self.nodes[i]
        if node.process is not None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(node.process.pid, sig)

    def kill(self, i: int) -> None:
        self.signal(i, signal.SIGKILL)
        self.paused.discard(i)
        process = self.nodes[i].process
        if process is not None:
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(STOP_SECONDS)

    def pause(self, i: int) -> None:
        self.signal(i, signal.SIGSTOP)
        self.paused.add(i)

    def resume(self, i: int) -> None:
        self.signal(i, signal.SIGCONT)
        self.paused.discard(i)

    def stop_all(self) -> None:
        """SIGCONT (a stopped process cannot handle SIGTERM), SIGTERM, then SIGKILL each group."""
        for i in range(len(self.nodes)):
            self.resume(i)
            if self.running(i):
                self.signal(i, signal.SIGTERM)
        deadline = time.monotonic() + STOP_SECONDS
        for i, node in enumerate(self.nodes):
            if node.process is None:
                continue
            try:
                node.process.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                self.signal(i, signal.SIGKILL)
                node.process.wait()
            self.signal(i, signal.SIGKILL)  # workers the node left behind, if any
            if node.log is not None:
                node.log.close()


def wait_gone(groups: set[int], seconds: float = GONE_SECONDS) -> list[str]:
    """`leftovers`, after giving SIGKILLed processes up to `seconds` to vanish (a kill is
    delivered asynchronously: a process may still be listed for a moment)."""
    deadline = time.monotonic() + seconds
    left = leftovers(groups)
    while left and time.monotonic() < deadline:
        time.sleep(0.1)
        left = leftovers(groups)
    return left


def leftovers(groups: set[int], proc: Path = Path("/proc")) -> list[str]:
    """`pid (command)` of every live process in one of `groups` (zombies are not counted)."""
    found: list[str] = []
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError, ValueError, IndexError):
            stat = (entry / "stat").read_text()
            name = stat[stat.index("(") + 1 : stat.rindex(")")]
            fields = stat[stat.rindex(")") + 2 :].split()
            if fields[0] != "Z" and int(fields[2]) in groups:
                found.append(f"{entry.name} ({name})")
    return found


class DiskError(RuntimeError):
    """The tmpfs for a disk-full perturbation could not be made (the reason is the message)."""


@dataclass
class SmallDisk:
    """A `size_mib` tmpfs over `data`, holding what the folder held before."""

    data: Path
    size_mib: int = DISK_MIB
    mounted: bool = False

    @property
    def filler(self) -> Path:
        return self.data / "scenario-filler"

    def mount(self) -> None:
        seed = self.data.with_name(self.data.name + ".seed")
        self.data.rename(seed)
        self.data.mkdir(mode=0o700)
        result = subprocess.run(
            [
                "mount",
                "-t",
                "tmpfs",
                "-o",
                f"size={self.size_mib}m,mode=0700",
                "tmpfs",
                str(self.data),
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            self.data.rmdir()
            seed.rename(self.data)
            raise DiskError(f"cannot mount a tmpfs: {result.stderr.strip() or result.returncode}")
        self.mounted = True
        shutil.copytree(seed, self.data, dirs_exist_ok=True)
        shutil.rmtree(seed)

    def fill(self) -> int:
        """Write the filler until ENOSPC; answers the bytes written (bounded by the tmpfs)."""
        written = 0
        fd = os.open(self.filler, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        try:
            for size in [FILL_CHUNK] * (self.size_mib + 1) + [4096] * (FILL_CHUNK // 4096):
                try:  # megabytes while they fit, then the last pages one by one
                    written += os.write(fd, b"\0" * size)
                except OSError as exc:
                    if exc.errno != errno.ENOSPC:
                        raise
        finally:
            os.close(fd)
        return written

    def free(self) -> None:
        with contextlib.suppress(FileNotFoundError):
            self.filler.unlink()

    def unmount(self) -> None:
        if self.mounted:
            subprocess.run(["umount", "-l", str(self.data)], capture_output=True, check=False)
            self.mounted = False
