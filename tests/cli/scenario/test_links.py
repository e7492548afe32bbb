"""The link proxies on real loopback sockets: a partition cuts and refuses, a heal lets new
connections through, a delay holds bytes back at least that long, and order is kept."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import time

from cli.scenario.links import Links, Shape
from node.config import LOOPBACK
from node.ports import free_ports


async def _echo_server() -> tuple[asyncio.Server, int]:
    async def echo(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
        writer.close()

    server = await asyncio.start_server(echo, LOOPBACK, 0)
    return server, server.sockets[0].getsockname()[1]


async def _roundtrip(port: int, payload: bytes) -> bytes:
    reader, writer = await asyncio.open_connection(LOOPBACK, port)
    writer.write(payload)
    await writer.drain()
    got = await asyncio.wait_for(reader.readexactly(len(payload)), 10)
    writer.close()
    return got


async def test_partition_cuts_open_connections_and_heal_lets_new_ones_through() -> None:
    server, port = await _echo_server()
    links = Links([port, port], free_ports(2, LOOPBACK), seed=1)
    await links.start()
    try:
        reader, writer = await asyncio.open_connection(LOOPBACK, links.port(0, 1))
        writer.write(b"ping")
        assert await reader.readexactly(4) == b"ping"
        links.partition(((0,), (1,)))
        assert await asyncio.wait_for(reader.read(), 5) == b""  # the open one is cut
        writer.close()
        r2, w2 = await asyncio.open_connection(LOOPBACK, links.port(1, 0))
        assert await asyncio.wait_for(r2.read(), 5) == b""  # a new one is refused
        w2.close()
        links.heal()
        assert await _roundtrip(links.port(1, 0), b"after the heal") == b"after the heal"
    finally:
        await links.close()
        server.close()


async def test_a_delayed_link_holds_every_chunk_back_and_keeps_order() -> None:
    server, port = await _echo_server()
    links = Links([port, port], free_ports(2, LOOPBACK), seed=2)
    await links.start()
    try:
        links.shape((0,), Shape(delay_ms=150, jitter_ms=50))
        payload = bytes(range(256)) * 2000
        start = time.monotonic()
        assert await _roundtrip(links.port(0, 1), payload) == payload
        assert time.monotonic() - start >= 2 * 0.100  # each way at least delay - jitter
    finally:
        await links.close()
        server.close()


def test_loss_adds_a_retransmission_timeout_and_release_never_goes_back() -> None:
    import random

    shape = Shape(delay_ms=10, loss_pct=100.0)
    assert shape.release(1.0, 0.0, random.Random(1)) == 1.0 + 0.010 + 0.200
    assert Shape().release(1.0, 5.0, random.Random(1)) == 5.0


def _unanswering_port() -> tuple[list[socket.socket], int]:
    """A port whose accept queue is full: a dial to it hangs (Linux drops the SYN) instead of
    failing, as a dial to a node stopped with SIGSTOP under load may."""
    listener = socket.socket()
    listener.bind((LOOPBACK, 0))
    listener.listen(0)
    port = listener.getsockname()[1]
    held = [listener]
    for _ in range(3):
        s = socket.socket()
        s.setblocking(False)
        with contextlib.suppress(BlockingIOError):
            s.connect((LOOPBACK, port))
        held.append(s)
    return held, port


async def test_a_connection_dialling_when_the_partition_starts_is_cut_and_never_leaks() -> None:
    held, port = _unanswering_port()
    links = Links([port, port], free_ports(2, LOOPBACK), seed=3)
    await links.start()
    try:
        reader, writer = await asyncio.open_connection(LOOPBACK, links.port(0, 1))
        await asyncio.sleep(0.2)  # the proxy accepted it and is dialling the hung target
        assert links.links[(0, 1)].handlers
        links.partition(((0,), (1,)))
        assert await asyncio.wait_for(reader.read(), 5) == b""  # cut while still dialling
        writer.close()
        r2, w2 = await asyncio.open_connection(LOOPBACK, links.port(0, 1))
        await asyncio.sleep(0.2)
        links.heal()
        await links.close()  # the second handler is still dialling: close ends it
        assert await asyncio.wait_for(r2.read(), 5) == b""
        w2.close()
        assert not any(link.handlers or link.writers for link in links.links.values())
    finally:
        await links.close()
        for s in held:
            s.close()
