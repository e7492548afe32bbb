"""Connection caps for the node's listening ports, applied before aiohttp sees a socket.

Every accepted TCP connection takes a file descriptor; a node that accepts without bound runs out
of them, and then cannot write its sign state, WAL or database (issue 14). `GuardedSite` is
aiohttp's `TCPSite` with each connection's protocol wrapped: on `connection_made` the connection
takes a slot from `AddressSlots` (a total cap, a per-address cap, and optionally a separate pool
for reserved addresses such as the configured peers' hosts), or it is aborted at once (RST, no
bytes read). The slot is returned on `connection_lost`. Refusals are counted and logged at most
once per `LOG_EVERY_SECONDS`, so a flood cannot fill the log either.

On the peer port the pools also follow what a connection proves (`AddressSlots` explains):
a newcomer displaces the oldest connection that has not authenticated when the outsiders' pool
is full, and `mark_authenticated` moves a connection that proved an allowed node key into the
reserved pool, so a validator from any address (not a configured peer, behind a NAT) holds no
outsider slot and cannot be starved by outsiders.

Timeouts are aiohttp's own: a connection that has not sent a complete request within the
runner's `keepalive_timeout` (set from `idle_timeout_s`) is closed, whether it never sent
anything, trickles its headers (slowloris), or idles between requests.

The listen backlog is kept small (`BACKLOG`): asyncio accepts up to a backlog's worth of sockets
per wake-up before any `connection_made` runs, so that many descriptors can exist above the cap
for a moment; node/fdbudget.py reserves them.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import socket
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Protocol

from aiohttp import web

log = logging.getLogger(__name__)

BACKLOG = 64
LOG_EVERY_SECONDS = 10.0


class LogLimiter:
    """At most one log line per `every` seconds for a kind of event that anyone can cause (a
    refused connection or handshake), with the count of those not logged: a flood of them
    cannot fill the disk with log lines (issue 14: 5 MB per node in 45 s)."""

    __slots__ = ("_every", "_last", "_logger", "_unlogged")

    def __init__(self, logger: logging.Logger, every: float = LOG_EVERY_SECONDS) -> None:
        self._logger = logger
        self._every = every
        self._last = -every
        self._unlogged = 0

    def warning(self, message: str, *args: object) -> None:
        now = time.monotonic()
        self._unlogged += 1
        if now - self._last < self._every:
            return
        suppressed = self._unlogged - 1
        self._last, self._unlogged = now, 0
        if suppressed:
            self._logger.warning(
                message + " (and %d like it in the last %.0f s)", *args, suppressed, self._every
            )
        else:
            self._logger.warning(message, *args)


@dataclass(slots=True)
class SlotStats:
    """Counters for metrics and tests."""

    open: int = 0
    accepted: int = 0
    refused_total: int = 0
    refused_address: int = 0
    refused_reserved: int = 0
    evicted: int = 0
    promoted: int = 0


class Holder(Protocol):
    """What holds a slot when it can be taken back: `evict` closes the connection (its slot is
    already free when it is called)."""

    def evict(self) -> None: ...


_SHARED, _RESERVED = False, True


@dataclass(slots=True)
class AddressSlots:
    """Slots by remote address: at most `total` in the shared pool and `per_address` for one
    address in it; addresses in `reserved` draw from their own pool of `reserved_total`
    instead, which outsiders cannot take (and are not held to `per_address`).

    With `evict_when_full`, a newcomer that finds the shared pool full takes the place of the
    oldest holder that has not authenticated (`promote` or `protect`), instead of being
    refused: whoever holds a slot without proving a key cannot keep a newcomer out, so a peer
    that authenticates within a round trip always gets through. `promote(holder)` moves an
    authenticated holder into the reserved pool (a validator from an address no configured
    peer has, e.g. behind a NAT): outsiders can neither take nor evict its slot.

    A slot taken with a `holder` is given back with the same holder (once: later calls, and
    calls for an evicted holder, do nothing); one taken without is given back by address."""

    total: int
    per_address: int
    reserved: frozenset[str] = frozenset()
    reserved_total: int = 0
    name: str = "connections"
    evict_when_full: bool = False
    stats: SlotStats = field(default_factory=SlotStats)
    _by_address: Counter[str] = field(default_factory=Counter)
    _shared: int = 0
    _reserved_used: int = 0
    _held: dict[Holder, tuple[str, bool]] = field(default_factory=dict)
    _evictable: dict[Holder, None] = field(default_factory=dict)  # oldest first
    _log: LogLimiter = field(default_factory=lambda: LogLimiter(log))

    def acquire(self, address: str, holder: Holder | None = None) -> str | None:
        """Take a slot for `address`; None when granted, else why not."""
        if address in self.reserved:
            if self._reserved_used >= self.reserved_total:
                self.stats.refused_reserved += 1
                return self._refused(
                    address, f"all {self.reserved_total} reserved {self.name} in use"
                )
            self._reserved_used += 1
            pool = _RESERVED
        else:
            if self._by_address[address] >= self.per_address:
                self.stats.refused_address += 1
                return self._refused(address, f"{self.per_address} {self.name} from this address")
            if self._shared >= self.total and not self._evict_oldest():
                self.stats.refused_total += 1
                return self._refused(address, f"all {self.total} {self.name} in use")
            self._shared += 1
            self._by_address[address] += 1
            pool = _SHARED
            if holder is not None and self.evict_when_full:
                self._evictable[holder] = None
        if holder is not None:
            self._held[holder] = (address, pool)
        self.stats.open += 1
        self.stats.accepted += 1
        return None

    def release(self, address: str, holder: Holder | None = None) -> None:
        if holder is None:
            self._free(address, address in self.reserved)
            return
        record = self._held.pop(holder, None)
        if record is not None:
            self._evictable.pop(holder, None)
            self._free(*record)

    def promote(self, holder: Holder) -> bool:
        """Move an authenticated holder into the reserved pool; False (and it keeps its slot,
        now never evicted) when the reserved pool is full or the holder holds no slot."""
        record = self._held.get(holder)
        if record is None:
            return False
        self._evictable.pop(holder, None)
        address, pool = record
        if pool is _RESERVED:
            return True
        if self._reserved_used >= self.reserved_total:
            return False
        self._free(address, _SHARED)
        self._reserved_used += 1
        self.stats.open += 1
        self.stats.promoted += 1
        self._held[holder] = (address, _RESERVED)
        return True

    def held(self, address: str) -> int:
        """Slots of `address` in the shared pool."""
        return self._by_address[address]

    def _free(self, address: str, pool: bool) -> None:
        if pool is _RESERVED:
            self._reserved_used -= 1
        else:
            self._shared -= 1
            self._by_address[address] -= 1
            if self._by_address[address] <= 0:
                del self._by_address[address]
        self.stats.open -= 1

    def _evict_oldest(self) -> bool:
        if not self._evictable:
            return False
        holder = next(iter(self._evictable))
        del self._evictable[holder]
        self._free(*self._held.pop(holder))
        self.stats.evicted += 1
        holder.evict()
        return True

    def _refused(self, address: str, reason: str) -> str:
        self._log.warning("refused one of the %s from %s: %s", self.name, address, reason)
        return reason


def resolve_hosts(hosts: Iterable[str]) -> frozenset[str]:
    """The hosts as connections from them show up (IP addresses): each host itself, and for a
    name, the addresses it resolves to now (once, at start; a name that does not resolve is
    logged and kept as it is)."""
    out: set[str] = set()
    for host in hosts:
        out.add(host)
        try:
            ipaddress.ip_address(host)
            continue
        except ValueError:
            pass
        try:
            infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
        except OSError as exc:
            log.warning("cannot resolve peer host %s for its reserved slots: %s", host, exc)
            continue
        out.update(str(info[4][0]) for info in infos)
    return frozenset(out)


def remote_host(transport: asyncio.BaseTransport) -> str:
    peer = transport.get_extra_info("peername")
    if isinstance(peer, tuple) and peer:
        return str(peer[0])
    return ""


class _Guarded(asyncio.Protocol):
    """Delegates to aiohttp's protocol once the connection has a slot; aborts it otherwise."""

    __slots__ = ("_address", "_inner", "_slots", "_transport")

    def __init__(self, inner: asyncio.Protocol, slots: AddressSlots) -> None:
        self._inner = inner
        self._slots = slots
        self._address: str | None = None
        self._transport: asyncio.BaseTransport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        address = remote_host(transport)
        self._transport = transport
        if self._slots.acquire(address, self) is not None:
            _abort(transport)  # RST: the descriptor is freed at once, nothing is read
            return
        self._address = address
        self._inner.connection_made(transport)

    def connection_lost(self, exc: Exception | None) -> None:
        if self._address is None:
            return
        self._slots.release(self._address, self)
        self._address = None
        self._inner.connection_lost(exc)

    def evict(self) -> None:
        if self._transport is not None:
            _abort(self._transport)

    def authenticated(self) -> None:
        if not self._slots.promote(self):
            log.debug("no reserved slot for an authenticated peer from %s", self._address)

    def data_received(self, data: bytes) -> None:
        if self._address is not None:
            self._inner.data_received(data)

    def eof_received(self) -> bool | None:
        return self._inner.eof_received() if self._address is not None else None

    def pause_writing(self) -> None:
        self._inner.pause_writing()

    def resume_writing(self) -> None:
        self._inner.resume_writing()


def _abort(transport: asyncio.BaseTransport) -> None:
    if isinstance(transport, asyncio.Transport):
        transport.abort()
    else:
        transport.close()


def upgrade_abandoned() -> web.StreamResponse:
    """What a WebSocket handler returns when the client went away during the upgrade (`prepare`
    raised a ConnectionError): a plain response, which aiohttp writes to the dead connection or
    fails to, quietly. Returning the unprepared `WebSocketResponse` instead makes aiohttp close
    it, which raises, and log an ERROR with a traceback: an error any peer could cause."""
    return web.Response(status=400, text="the connection went away during the upgrade")


def mark_authenticated(transport: asyncio.BaseTransport | None) -> None:
    """The connection on `transport` proved an allowed key: its slot moves to the reserved pool
    (or, that pool full, can no longer be evicted). Nothing for a connection not accepted by a
    `GuardedSite`."""
    protocol = transport.get_protocol() if transport is not None else None
    if isinstance(protocol, _Guarded):
        protocol.authenticated()


class GuardedSite(web.TCPSite):
    """`web.TCPSite` whose connections take a slot from `slots` first."""

    def __init__(self, runner: web.BaseRunner, host: str, port: int, slots: AddressSlots) -> None:
        super().__init__(runner, host, port, reuse_address=True, backlog=BACKLOG)
        self.slots = slots

    async def start(self) -> None:
        self._runner._reg_site(self)  # what BaseSite.start does
        server = self._runner.server
        if server is None:
            raise RuntimeError("the runner is not set up")
        slots = self.slots

        def factory() -> asyncio.Protocol:
            return _Guarded(server(), slots)

        loop = asyncio.get_running_loop()
        self._server = await loop.create_server(
            factory, self._host, self._port, backlog=BACKLOG, reuse_address=True
        )
        sockets = self._server.sockets
        self._bound_port = sockets[0].getsockname()[1] if sockets else self._port
