"""The namespaces back-end on this kernel: a listener in one namespace, a blackhole partition
that cuts another node off it (but never the runner's control plane) and a heal that lets it
through; `tc netem` delay where the kernel has netem. Skipped, saying why, where namespaces
cannot be made (not root) or the kernel lacks netem."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator

import pytest

from cli.scenario import netns
from cli.scenario.links import Shape

PORT = 26656
LISTEN = (
    "import socket; s=socket.socket(); s.bind(('0.0.0.0', 26656)); s.listen(64)\n"
    "while True: s.accept()[0].close()"
)
CONNECT = (
    "import socket,sys,time; t=time.monotonic()\n"
    "socket.create_connection((sys.argv[1], 26656), timeout=1).close()\n"
    "print(time.monotonic()-t)"
)


def _connect(prefix: tuple[str, ...], host: str) -> float | None:
    """Seconds a TCP connect to host:PORT took (run under `prefix`), None if it failed."""
    cmd = [*prefix, sys.executable, "-c", CONNECT, host]
    done = subprocess.run(cmd, capture_output=True, text=True, check=False, timeout=10)
    return float(done.stdout) if done.returncode == 0 else None


def _listed() -> str:
    return subprocess.run(
        ["ip", "netns", "list"], capture_output=True, text=True, check=False
    ).stdout


@pytest.fixture
def two_nodes() -> Iterator[tuple[netns.Namespaces, str | None]]:
    """Two namespaces, a listener on every address of the second; (spaces, why no netem)."""
    no_netns, no_netem = netns.probe()
    if no_netns is not None:
        pytest.skip(f"network namespaces refused: {no_netns}")
    spaces = netns.Namespaces(2, netem=no_netem is None)
    spaces.create()
    server = subprocess.Popen([*spaces.wrapper(1), sys.executable, "-c", LISTEN])
    try:
        deadline = time.monotonic() + 10
        while _connect(spaces.wrapper(0), spaces.p2p_host(1)) is None:  # bounded: 10 s
            assert time.monotonic() < deadline, "the listener in the namespace did not start"
        yield spaces, no_netem
    finally:
        server.kill()
        server.wait()
        spaces.close()
    assert spaces.name(0) not in _listed() and spaces.name(1) not in _listed()


def test_a_blackhole_partition_cuts_the_peer_link_only_and_the_heal_restores_it(
    two_nodes: tuple[netns.Namespaces, str | None],
) -> None:
    spaces, _ = two_nodes
    node0, peer = spaces.wrapper(0), spaces.p2p_host(1)
    spaces.partition(((0,), (1,)))
    assert _connect(node0, peer) is None
    assert _connect((), spaces.api_host(1)) is not None  # the runner still reaches the API side
    spaces.heal()
    assert _connect(node0, peer) is not None


def test_netem_delays_what_a_node_sends(two_nodes: tuple[netns.Namespaces, str | None]) -> None:
    spaces, no_netem = two_nodes
    if no_netem is not None:
        pytest.skip(f"this kernel has no netem: {no_netem}")
    spaces.shape((0,), Shape(delay_ms=100))
    took = _connect(spaces.wrapper(0), spaces.p2p_host(1))
    assert took is not None and took >= 0.1  # the SYN left node 0 at least 100 ms late
    spaces.clear_shape()
    assert spaces.shaped == set()
