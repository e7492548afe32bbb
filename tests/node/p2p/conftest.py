"""Real P2P nodes on 127.0.0.1: each test node is a PeerManager served by its own aiohttp runner
on a socket bound in advance (so every port is known before any node starts)."""

from __future__ import annotations

import asyncio
import dataclasses
import socket
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from dataclasses import dataclass, field

import aiohttp
import pytest
from aiohttp import WSMsgType, web

from ledger.hashing import digest
from ledger.keys import PrivateKey
from node.p2p import (
    BaseHandler,
    Direction,
    Identity,
    MessageType,
    P2PConfig,
    PeerAddress,
    PeerManager,
)
from node.p2p.handshake import handshake
from node.p2p.session import Session

CHAIN_ID = "coterie-p2p-test"
GENESIS_HASH = digest(b"p2p test genesis")
KEYS = [PrivateKey.from_secret(b"p2p-node-%d" % i) for i in range(8)]
STRANGER = PrivateKey.from_secret(b"p2p-stranger")
FAST = P2PConfig(
    handshake_timeout=2.0,
    close_timeout=0.5,
    heartbeat=5.0,
    dial_backoff_initial=0.05,
    dial_backoff_max=0.3,
    send_timeout=2.0,
    tx_flush_interval=0.005,
    ban_seconds=30.0,
    max_pending_per_address=16,  # every test node dials from 127.0.0.1
)


class Recorder(BaseHandler):
    """Records everything it is told; relays txs like a mempool that admits everything."""

    def __init__(self) -> None:
        self.manager: PeerManager | None = None
        self.messages: list[tuple[bytes, MessageType, bytes]] = []
        self.txs: list[tuple[bytes, bytes]] = []
        self.connected: list[bytes] = []
        self.disconnected: list[bytes] = []
        self.relay = True
        self.gate: asyncio.Event | None = None  # when set to an unset event, messages block on it
        self.reject: Exception | None = None  # raised by on_message, as a decoder would

    async def on_peer_connected(self, peer: bytes) -> None:
        self.connected.append(peer)

    async def on_peer_disconnected(self, peer: bytes) -> None:
        self.disconnected.append(peer)

    async def on_message(self, peer: bytes, msg_type: MessageType, payload: bytes) -> None:
        if self.gate is not None:
            await self.gate.wait()
        if self.reject is not None:
            raise self.reject
        self.messages.append((peer, msg_type, payload))

    async def on_txs(self, peer: bytes, txs: list[bytes]) -> None:
        if self.gate is not None:
            await self.gate.wait()
        self.txs.extend((peer, tx) for tx in txs)
        if self.relay and self.manager is not None:
            self.manager.gossip_txs(txs)


def bind_socket(port: int = 0) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", port))
    return sock


@dataclass
class TestNode:
    key: PrivateKey
    manager: PeerManager
    handler: Recorder
    port: int
    sock: socket.socket | None = None  # reserved listening socket, used by the first start
    runner: web.AppRunner | None = None

    @property
    def id(self) -> bytes:
        return self.key.public_key

    @property
    def address(self) -> PeerAddress:
        return PeerAddress("127.0.0.1", self.port, self.key.public_key)

    @property
    def url(self) -> str:
        return self.address.url("/p2p")

    async def start(self) -> None:
        app = web.Application()
        self.manager.attach(app)
        self.runner = web.AppRunner(app, shutdown_timeout=1.0)
        await self.runner.setup()
        sock, self.sock = self.sock or bind_socket(self.port), None
        await web.SockSite(self.runner, sock).start()

    async def stop(self) -> None:
        if self.runner is not None:
            await self.runner.cleanup()
            self.runner = None


NodeFactory = Callable[..., Awaitable[TestNode]]


@pytest.fixture
async def make_node() -> AsyncIterator[NodeFactory]:
    """`await make_node(i, peers=[...], allow=[...], config=..., start=True)`; all stop at the end.

    `peers` are other TestNodes (or PeerAddresses) to dial; `allow` defaults to the first
    8 test keys. Ports are reserved up front, so a node can be dialed before it starts.
    """
    nodes: list[TestNode] = []

    async def factory(
        index: int,
        *,
        peers: Iterable[TestNode | PeerAddress] = (),
        allow: Iterable[bytes] | None = None,
        config: P2PConfig = FAST,
        key: PrivateKey | None = None,
        chain_id: str = CHAIN_ID,
        genesis_hash: bytes = GENESIS_HASH,
        port: int = 0,
        start: bool = True,
        **overrides: object,
    ) -> TestNode:
        key = key or KEYS[index]
        if overrides:
            config = dataclasses.replace(config, **overrides)  # type: ignore[arg-type]
        handler = Recorder()
        addresses = [p.address if isinstance(p, TestNode) else p for p in peers]
        manager = PeerManager(
            Identity(key, chain_id, genesis_hash),
            allow if allow is not None else [k.public_key for k in KEYS],
            handler,
            peers=addresses,
            config=config,
        )
        handler.manager = manager
        sock = bind_socket(port)
        node = TestNode(key, manager, handler, sock.getsockname()[1], sock)
        nodes.append(node)
        if start:
            await node.start()
        return node

    yield factory
    await asyncio.gather(*(node.stop() for node in nodes))
    for node in nodes:
        if node.sock is not None:
            node.sock.close()


@pytest.fixture
def wait_until() -> Callable[..., Awaitable[None]]:
    """`await wait_until(lambda: cond, timeout=15.0, what="...")`: poll until true or fail.

    The timeout is generous because CI shares two cores among test workers; a passing test
    returns as soon as the condition holds, so only a failing one waits this long.
    """

    async def wait(predicate: Callable[[], bool], timeout: float = 15.0, what: str = "") -> None:
        deadline = time.monotonic() + timeout
        while not predicate():
            if time.monotonic() > deadline:
                pytest.fail(f"timed out after {timeout} s waiting for {what or predicate}")
            await asyncio.sleep(0.01)

    return wait


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as s:
        yield s


@dataclass
class Relay:
    """A WebSocket man in the middle: accepts the dialer, dials the listener, forwards every
    message both ways; `inject` adds frames of its own towards the listener."""

    target: str
    port: int = 0
    upstreams: list[aiohttp.ClientWebSocketResponse] = field(default_factory=list)
    relayed: int = 0

    async def handle(self, request: web.Request) -> web.WebSocketResponse:
        down = web.WebSocketResponse(max_msg_size=0)
        await down.prepare(request)
        async with aiohttp.ClientSession() as session:
            up = await session.ws_connect(self.target, max_msg_size=0)
            self.upstreams.append(up)
            await asyncio.gather(self._pump(down, up), self._pump(up, down))
        return down

    async def _pump(
        self,
        src: aiohttp.ClientWebSocketResponse | web.WebSocketResponse,
        dst: aiohttp.ClientWebSocketResponse | web.WebSocketResponse,
    ) -> None:
        async for msg in src:
            if msg.type is WSMsgType.BINARY and not dst.closed:
                self.relayed += 1
                await dst.send_bytes(msg.data)
        if not dst.closed:
            await dst.close()

    async def inject(self, frame: bytes) -> None:
        await self.upstreams[-1].send_bytes(frame)


@pytest.fixture
async def relay_between(make_node: NodeFactory) -> AsyncIterator[tuple[TestNode, TestNode, Relay]]:
    listener = await make_node(1)
    relay = Relay(listener.url)
    app = web.Application()
    app.router.add_get("/p2p", relay.handle)
    runner = web.AppRunner(app, shutdown_timeout=0.5)
    await runner.setup()
    sock = bind_socket()
    relay.port = sock.getsockname()[1]
    await web.SockSite(runner, sock).start()
    # the dialer believes it dials the listener (right key, the relay's address)
    dialer = await make_node(0, peers=[PeerAddress("127.0.0.1", relay.port, listener.id)])
    yield dialer, listener, relay
    await runner.cleanup()


class SealedSocket:
    """An authenticated raw socket that seals what it sends with the session's key, as a peer
    does: what the node then receives comes from the peer itself."""

    def __init__(self, ws: aiohttp.ClientWebSocketResponse, session: Session) -> None:
        self.ws = ws
        self._session = session

    async def send_bytes(self, frame: bytes) -> None:
        await self.ws.send_bytes(self._session.seal(frame))

    async def send_str(self, text: str) -> None:
        await self.ws.send_str(text)

    async def receive(self) -> aiohttp.WSMessage:
        return await self.ws.receive()

    @property
    def close_code(self) -> int | None:
        return self.ws.close_code


async def connect_as(session, node, key: PrivateKey = KEYS[1]) -> SealedSocket:
    """An authenticated raw socket to `node`, speaking the protocol by hand from here on."""
    ws = await session.ws_connect(node.url)
    identity = Identity(key, CHAIN_ID, GENESIS_HASH)
    _, sealed = await handshake(ws, identity, Direction.OUTBOUND, lambda _key: None, node.id)
    return SealedSocket(ws, sealed)
