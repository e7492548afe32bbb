"""Opening connections: accepting on `/p2p`, dialing configured peers with backoff, and the
handshake around both. Every authenticated socket is handed to the registry (the manager), which
keeps one connection per peer and runs it.

Dialing: one loop per configured peer. While the peer is connected (in either direction) the loop
waits; while it is banned the loop sleeps until the ban ends; otherwise it dials, and after a
failure waits `backoff_delay(failures)`: doubling from `dial_backoff_initial` up to
`dial_backoff_max`, with jitter. A connection that was established and then closed is redialed
after the initial delay. A peer that is a validator of the set (the registry says which) is
retried at least every `dial_backoff_validator_max`: the chain needs its vote, and after a
partition heals every validator should be back within seconds, not the 8 to 16 s the doubling
reaches during a 15 s outage. A peer that refused us as not allowed is retried at least every
`dial_backoff_not_allowed_max`: allowlists follow the validator set, so a validator voted in is
allowed from the block that decides it and should not sit out a long backoff.
"""

from __future__ import annotations

import asyncio
import logging
import random
from typing import Protocol

import aiohttp
from aiohttp import web

from node.netguard import AddressSlots, LogLimiter, mark_authenticated, upgrade_abandoned
from node.p2p.config import P2PConfig, PeerAddress
from node.p2p.connection import close_code_name
from node.p2p.handshake import CloseCode, Direction, HandshakeError, Identity, handshake
from node.p2p.scoring import PeerScores
from node.p2p.session import Session
from node.p2p.stats import P2PStats
from node.p2p.wire import WebSocket

log = logging.getLogger(__name__)


def backoff_delay(failures: int, initial: float, maximum: float, rng: random.Random) -> float:
    """Exponential backoff with "equal jitter": half the delay fixed, half random, so that
    peers that lost each other at the same moment do not redial in lockstep."""
    base: float = min(maximum, initial * 2 ** min(failures, 32))
    return base / 2 + rng.uniform(0, base / 2)


def redial_cap(config: P2PConfig, validator: bool, outcome: bool | HandshakeError) -> float:
    """The longest wait before redialing a peer after `outcome` (see the module docstring)."""
    maximum = config.dial_backoff_validator_max if validator else config.dial_backoff_max
    if isinstance(outcome, HandshakeError) and _refused_as_not_allowed(outcome):
        maximum = min(maximum, config.dial_backoff_not_allowed_max)
    return maximum


class Registry(Protocol):
    """What the connector needs from the manager."""

    @property
    def running(self) -> bool: ...

    def is_validator(self, key: bytes) -> bool:
        """True if `key` is the node key of a validator of the set (active or scheduled)."""

    def admit(self, key: bytes) -> None:
        """Raise `HandshakeError` for a key that may not connect now."""

    async def wait_disconnected(self, peer: bytes) -> bool:
        """Wait while `peer` is connected; True if it was."""

    async def run_peer(
        self, ws: WebSocket, peer: bytes, session: Session, direction: Direction
    ) -> None:
        """Register and run an authenticated connection until it closes."""


class Connector:
    def __init__(
        self,
        *,
        identity: Identity,
        config: P2PConfig,
        stats: P2PStats,
        scores: PeerScores,
        registry: Registry,
        rng: random.Random,
        reserved_hosts: frozenset[str] = frozenset(),
    ) -> None:
        self._identity = identity
        self._config = config
        self._stats = stats
        self._scores = scores
        self._registry = registry
        self._rng = rng
        self._session: aiohttp.ClientSession | None = None
        self._refusals = LogLimiter(log)
        self.pending = AddressSlots(
            config.max_pending_handshakes,
            config.max_pending_per_address,
            reserved=reserved_hosts,
            reserved_total=config.reserved_pending,
            name="pending handshakes",
            evict_when_full=True,
        )

    async def open(self) -> None:
        # The dial's deadline is aiohttp's own: connecting, then reading the upgrade's answer,
        # each within the handshake timeout (the read deadline ends with the upgrade). A dial
        # cancelled from outside instead (asyncio.timeout around ws_connect) could leave the
        # half-made connection to the garbage collector, which warned from Connection.__del__.
        wait = self._config.handshake_timeout
        timeout = aiohttp.ClientTimeout(total=None, connect=wait, sock_read=wait)
        self._session = aiohttp.ClientSession(timeout=timeout)

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def handle_inbound(self, request: web.Request) -> web.StreamResponse:
        cfg = self._config
        ws: web.WebSocketResponse = web.WebSocketResponse(
            max_msg_size=cfg.max_frame_bytes + 1,  # aiohttp refuses a frame of exactly this size
            heartbeat=cfg.heartbeat,
            compress=False,
            timeout=cfg.close_timeout,
        )
        remote = request.remote or ""
        pending = _Inbound(request)
        refusal = (
            "shutting down" if not self._registry.running else self.pending.acquire(remote, pending)
        )
        if refusal is not None:
            # logged (rate limited) by the slots, not once per attempt: a flood cannot fill the log
            self._stats.handshakes_refused[CloseCode.BUSY.name] += 1
            try:
                await ws.prepare(request)
            except (ConnectionError, aiohttp.ClientError):
                return upgrade_abandoned()
            await self.close_ws(ws, CloseCode.BUSY, f"busy: {refusal}")
            return ws
        try:
            try:
                await ws.prepare(request)
            except (ConnectionError, aiohttp.ClientError) as exc:
                log.debug("peer inbound from %s went away during the upgrade: %r", remote, exc)
                return upgrade_abandoned()
            where = f"inbound from {remote}"
            peer = await self._handshake(ws, Direction.INBOUND, None, where)
        finally:
            self.pending.release(remote, pending)
        if not isinstance(peer, HandshakeError):
            # a proven allowed key: its connection leaves the outsiders' pool (node/netguard.py)
            mark_authenticated(request.transport)
            await self._registry.run_peer(ws, *peer, Direction.INBOUND)
        return ws

    async def dial_loop(self, address: PeerAddress) -> None:
        key = address.public_key
        cfg = self._config
        failures = 0
        while True:
            if await self._registry.wait_disconnected(key):
                continue
            ban = self._scores.ban_remaining(key)
            if ban > 0:
                await asyncio.sleep(ban)
                continue
            outcome = await self._dial_once(address, quiet=failures > 0)
            failures = 0 if outcome is True else failures + 1
            maximum = redial_cap(cfg, self._registry.is_validator(key), outcome)
            await asyncio.sleep(
                backoff_delay(failures, cfg.dial_backoff_initial, maximum, self._rng)
            )

    async def _dial_once(self, address: PeerAddress, quiet: bool) -> bool | HandshakeError:
        """Connect, authenticate and run one outbound connection: True if it was established,
        the handshake's error if it failed there, else False."""
        if self._session is None:
            raise RuntimeError("the connector is not open")
        cfg = self._config
        try:
            ws = await self._session.ws_connect(
                address.url(cfg.path),
                max_msg_size=cfg.max_frame_bytes
                + 1,  # aiohttp refuses a frame of exactly this size
                heartbeat=cfg.heartbeat,
                compress=0,
                timeout=aiohttp.ClientWSTimeout(ws_close=cfg.close_timeout),
            )
        except (aiohttp.ClientError, OSError, TimeoutError) as exc:
            (log.debug if quiet else log.info)("cannot reach peer %s: %r", address, exc)
            return False
        try:
            peer = await self._handshake(ws, Direction.OUTBOUND, address.public_key, str(address))
            if isinstance(peer, HandshakeError):
                return peer
            await self._registry.run_peer(ws, *peer, Direction.OUTBOUND)
            return True
        finally:
            if not ws.closed:
                await self.close_ws(ws, CloseCode.GOING_AWAY, "closing")

    async def _handshake(
        self, ws: WebSocket, direction: Direction, expected: bytes | None, where: str
    ) -> tuple[bytes, Session] | HandshakeError:
        """The authenticated peer's key and session, or (the socket closed) why the handshake
        failed."""
        first = self._config.hello_timeout if direction is Direction.INBOUND else None
        try:
            async with asyncio.timeout(self._config.handshake_timeout):
                return await handshake(
                    ws,
                    self._identity,
                    direction,
                    self._registry.admit,
                    expected,
                    hello_timeout=first,
                )
        except HandshakeError as exc:
            error = exc
        except TimeoutError:
            error = HandshakeError(CloseCode.TIMEOUT, "handshake timed out")
        except (ConnectionError, aiohttp.ClientError) as exc:
            error = HandshakeError(CloseCode.PROTOCOL, f"connection lost: {exc!r}")
        code, reason = error.code, error.reason
        if error.remote:
            log.warning("peer %s refused our handshake: %s", where, reason)
        else:
            self._refusals.warning("refused peer %s: %s", where, reason)
            self._stats.handshakes_refused[close_code_name(code)] += 1
        await self.close_ws(ws, code, reason)
        return error

    async def close_ws(self, ws: WebSocket, code: int, reason: str) -> None:
        try:
            async with asyncio.timeout(self._config.close_timeout):
                await ws.close(code=code, message=reason.encode()[:120])
        except (TimeoutError, ConnectionError, aiohttp.ClientError, RuntimeError) as exc:
            log.debug("error closing a socket: %r", exc)


class _Inbound:
    """An inbound handshake's pending slot: evicted (its socket aborted) when the pool is full
    and a newcomer needs the place of the oldest handshake not yet authenticated."""

    __slots__ = ("_request",)

    def __init__(self, request: web.Request) -> None:
        self._request = request

    def evict(self) -> None:
        transport = self._request.transport
        if transport is not None:
            transport.abort()


def _refused_as_not_allowed(error: HandshakeError) -> bool:
    return error.remote and error.code == CloseCode.NOT_ALLOWED
