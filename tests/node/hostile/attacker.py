"""What an outsider does to a node's ports, as plain sockets from the test process.

Not a test module: the hostile tests import it. Source addresses are taken from 127.0.0.0/8
(Linux routes the whole block to loopback), so one test can play many remote hosts.
"""

from __future__ import annotations

import base64
import contextlib
import http.client
import json
import os
import socket
import struct
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from tests.node.processes import NodeProc

UPGRADE = (
    "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
    "Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"
)


def source(index: int) -> str:
    """The index-th attacker address: 127.0.0.2, 127.0.0.3, ... (never the nodes' 127.0.0.1)."""
    return f"127.0.{(index + 2) // 250}.{(index + 2) % 250 + 1}"


def connect(port: int, src: str, timeout: float = 5.0) -> socket.socket | None:
    """A TCP connection from `src` to 127.0.0.1:port, or None if it could not be made."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.settimeout(timeout)
    try:
        sock.bind((src, 0))
        sock.connect(("127.0.0.1", port))
    except OSError:
        sock.close()
        return None
    return sock


@contextlib.contextmanager
def idle_sockets(port: int, count: int, addresses: int) -> Iterator[list[socket.socket]]:
    """`count` connections that never send a byte, spread over `addresses` source addresses."""
    socks: list[socket.socket] = []
    try:
        for i in range(count):
            sock = connect(port, source(i % addresses), timeout=2.0)
            if sock is not None:
                socks.append(sock)
        yield socks
    finally:
        for sock in socks:
            sock.close()


def upgrade(port: int, src: str, path: str = "/p2p") -> socket.socket | None:
    """A WebSocket upgrade that then stays silent (a pending handshake), or None if refused."""
    sock = connect(port, src)
    if sock is None:
        return None
    key = base64.b64encode(os.urandom(16)).decode()
    try:
        sock.sendall(UPGRADE.format(path=path, key=key).encode())
        head = sock.recv(4096)
    except OSError:
        sock.close()
        return None
    if not head.startswith(b"HTTP/1.1 101"):
        sock.close()
        return None
    return sock


def reset_upgrade(port: int, src: str, path: str, pause: float = 0.0) -> None:
    """A WebSocket upgrade request, then (after `pause`) a reset (SO_LINGER 0): the server is
    upgrading, or about to, a connection that is gone (a paused peer that resumes)."""
    sock = connect(port, src)
    if sock is None:
        return
    key = base64.b64encode(os.urandom(16)).decode()
    try:
        sock.sendall(UPGRADE.format(path=path, key=key).encode())
        if pause:
            time.sleep(pause)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    except OSError:
        pass
    finally:
        sock.close()


def closed_by_server(sock: socket.socket, timeout: float) -> bool:
    """True if the server closes (or resets) `sock` within `timeout`, reading what it sends."""
    sock.settimeout(timeout)
    try:
        while sock.recv(65536):
            pass
    except TimeoutError:
        return False
    except OSError:
        return True
    return True


def get_json(port: int, path: str, src: str, timeout: float = 10.0) -> tuple[int, Any]:
    """(status, body) of GET `path` from source address `src`."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout, source_address=(src, 0))
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, json.loads(response.read() or b"null")
    finally:
        conn.close()


def peak_rss_mb(node: NodeProc) -> float:
    """The node process's peak resident memory so far (VmHWM), in MiB."""
    assert node.process is not None
    for line in Path(f"/proc/{node.process.pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmHWM in /proc/<pid>/status")


SQUAT_ADDRESSES = 24  # outsider hosts
LIFETIME = 6.0  # seconds each silent socket is kept (longer than the old 5 s handshake timeout)


class SlotSquatter:
    """Opens silent WebSocket upgrades to some ports as fast as they are taken, from many
    addresses, and keeps each for `LIFETIME` seconds."""

    def __init__(self, ports: list[int]) -> None:
        self._ports = ports
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._run, args=(p,)) for p in ports]
        self.opened = 0

    def __enter__(self) -> SlotSquatter:
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join()

    def _run(self, port: int) -> None:
        held: list[tuple[float, socket.socket]] = []
        i = 0
        try:
            while not self._stop.is_set():
                sock = upgrade(port, source(i % SQUAT_ADDRESSES))
                i += 1
                now = time.monotonic()
                if sock is not None:
                    self.opened += 1
                    held.append((now, sock))
                while held and now - held[0][0] > LIFETIME:
                    held.pop(0)[1].close()
                time.sleep(0.02)
        finally:
            for _, sock in held:
                sock.close()
