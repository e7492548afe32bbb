"""Free loopback ports for local testnets, picked outside the kernel's ephemeral range.

A port the OS hands out for `bind(port 0)` or an outgoing connection comes from the ephemeral
range (`/proc/sys/net/ipv4/ip_local_port_range`, 32768-60999 by default). A testnet node that
stops and restarts must get its own port back; if that port were ephemeral, any other program
on the machine binding port 0 in that window could take it. So we choose at random among the
ports the kernel never hands out by itself, and check that each one binds right now.
"""

from __future__ import annotations

import random
import socket
from pathlib import Path

EPHEMERAL_RANGE_FILE = Path("/proc/sys/net/ipv4/ip_local_port_range")
DEFAULT_EPHEMERAL = (32768, 60999)
LOWEST_PORT = 10000  # below this live well-known and registered services
HIGHEST_PORT = 65535
MAX_ATTEMPTS = 2000

_handed_out: set[int] = set()  # never hand the same port out twice in one process


def ephemeral_range(source: Path = EPHEMERAL_RANGE_FILE) -> tuple[int, int]:
    """The kernel's ephemeral port range, or Linux's default where it cannot be read."""
    try:
        low, high = (int(part) for part in source.read_text().split())
    except (OSError, ValueError):
        return DEFAULT_EPHEMERAL
    return low, high


def candidate_ports(ephemeral: tuple[int, int]) -> list[int]:
    """The ports in LOWEST_PORT..HIGHEST_PORT that lie outside `ephemeral`."""
    low, high = ephemeral
    return [p for p in range(LOWEST_PORT, HIGHEST_PORT + 1) if not low <= p <= high]


def _binds(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def free_ports(count: int, host: str) -> list[int]:
    """`count` distinct ports that bind on `host` now and that the OS does not hand out itself."""
    candidates = candidate_ports(ephemeral_range())
    if not candidates:  # the whole range is ephemeral: fall back to asking the OS
        return _os_picked_ports(count, host)
    chooser = random.SystemRandom()
    chosen: list[int] = []
    for _ in range(MAX_ATTEMPTS):
        if len(chosen) == count:
            break
        port = chooser.choice(candidates)
        if port in _handed_out or port in chosen or not _binds(host, port):
            continue
        chosen.append(port)
    if len(chosen) < count:
        raise OSError(f"found only {len(chosen)} of {count} free ports on {host}")
    _handed_out.update(chosen)
    return chosen


def _os_picked_ports(count: int, host: str) -> list[int]:
    sockets: list[socket.socket] = []
    try:
        for _ in range(count):
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sock.bind((host, 0))
            sockets.append(sock)
        return [s.getsockname()[1] for s in sockets]
    finally:
        for sock in sockets:
            sock.close()
