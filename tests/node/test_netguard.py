"""The slot pools behind every connection and handshake cap: whatever the order of arrivals and
departures, no pool goes over its cap, reserved addresses never take outsiders' slots (nor the
reverse), and everything given back leaves the pools empty."""

from __future__ import annotations

import logging

import aiohttp
from aiohttp import web
from hypothesis import example, given, settings
from hypothesis import strategies as st

from node.fdbudget import FdBudgetError, plan
from node.netguard import (
    BACKLOG,
    AddressSlots,
    GuardedSite,
    LogLimiter,
    mark_authenticated,
    resolve_hosts,
)

ADDRESSES = ["10.0.0.1", "10.0.0.2", "10.0.0.3", "peer-a", "peer-b"]
RESERVED = frozenset({"peer-a", "peer-b"})


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.booleans(), st.sampled_from(ADDRESSES)), max_size=200))
def test_slots_never_exceed_their_caps(steps: list[tuple[bool, str]]) -> None:
    slots = AddressSlots(5, 2, reserved=RESERVED, reserved_total=3)
    held: list[str] = []
    for take, address in steps:
        if take:
            if slots.acquire(address) is None:
                held.append(address)
        elif address in held:
            held.remove(address)
            slots.release(address)
        outsiders = [a for a in held if a not in RESERVED]
        assert len(outsiders) <= 5 and len(held) - len(outsiders) <= 3
        assert all(held.count(a) <= 2 for a in set(outsiders))
        assert slots.stats.open == len(held)
    for address in held:
        slots.release(address)
    assert slots.stats.open == 0 and all(slots.held(a) == 0 for a in ADDRESSES)
    assert slots.acquire("10.0.0.9") is None and slots.acquire("peer-a") is None


class Conn:
    """A holder standing in for a connection; `evict` records that the pool took it back."""

    def __init__(self, address: str) -> None:
        self.address = address
        self.evicted = False
        self.authenticated = False
        self.reserved = address in RESERVED

    def evict(self) -> None:
        self.evicted = True


STEP = st.tuples(
    st.sampled_from(["take", "drop", "auth"]), st.sampled_from(ADDRESSES), st.integers(0, 30)
)


@settings(max_examples=300, deadline=None)
@given(st.lists(STEP, max_size=200))
def test_eviction_takes_only_the_oldest_unauthenticated_and_promotion_keeps_the_caps(
    steps: list[tuple[str, str, int]],
) -> None:
    """Issue 14, item 2: outsiders that never prove a key cannot keep a newcomer out (the
    oldest of them gives way), a connection that proved one is never evicted and leaves the
    outsiders' pool for the reserved one while it has room, and no pool goes over its cap."""
    slots = AddressSlots(4, 2, reserved=RESERVED, reserved_total=3, evict_when_full=True)
    live: list[Conn] = []
    for action, address, index in steps:
        if action == "take":
            conn = Conn(address)
            before = [c for c in live if c.address not in RESERVED and not c.authenticated]
            if slots.acquire(address, conn) is None:
                live.append(conn)
            elif address not in RESERVED and slots.held(address) < 2:
                assert not before  # refused for a full pool only when nothing can give way
        elif live:
            conn = live[index % len(live)]
            if action == "drop":
                live.remove(conn)
                slots.release(conn.address, conn)
                slots.release(conn.address, conn)  # once only
            else:
                promoted = slots.promote(conn)
                assert promoted or not conn.reserved
                conn.reserved = promoted
                conn.authenticated = True
        evicted = [c for c in live if c.evicted]
        assert all(c.address not in RESERVED and not c.authenticated for c in evicted)
        live = [c for c in live if not c.evicted]
        for conn in evicted:
            slots.release(conn.address, conn)  # the evicted connection closes: nothing to give
        assert slots.stats.open == len(live)
        in_reserved = sum(c.reserved for c in live)
        assert in_reserved <= 3 and len(live) - in_reserved <= 4
        for host in ADDRESSES:
            shared = [c for c in live if c.address == host and not c.reserved]
            assert slots.held(host) == len(shared) <= 2
    for conn in live:
        slots.release(conn.address, conn)
    assert slots.stats.open == 0
    assert slots.acquire("10.0.0.9") is None and slots.acquire("peer-a") is None


def test_an_authenticated_outsider_moves_to_the_reserved_pool() -> None:
    slots = AddressSlots(2, 2, reserved_total=1, evict_when_full=True)
    validator, squatter, other = Conn("10.0.0.1"), Conn("10.0.0.2"), Conn("10.0.0.3")
    assert slots.acquire("10.0.0.1", validator) is None
    assert slots.acquire("10.0.0.2", squatter) is None
    assert slots.promote(validator)  # its shared slot is free again, the reserved one taken
    assert slots.held("10.0.0.1") == 0 and slots.stats.promoted == 1
    assert slots.acquire("10.0.0.3", other) is None and not squatter.evicted
    newcomer = Conn("10.0.0.4")
    assert slots.acquire("10.0.0.4", newcomer) is None
    assert squatter.evicted and not validator.evicted and not other.evicted  # the oldest went
    assert not slots.promote(other)  # reserved pool full: stays in the shared pool, protected
    for i in range(5):
        assert slots.acquire(f"10.0.1.{i}", Conn(f"10.0.1.{i}")) is None
    assert not other.evicted


@settings(max_examples=200, deadline=None)
@given(
    st.integers(0, 100_000),
    st.integers(0, 1024),
    st.integers(0, 256),
    st.integers(1, 2000),
    st.integers(1, 200),
    st.integers(0, 100),
)
@example(132, 0, 0, 2000, 1, 100)  # four sockets for three pools: rounding must not overshoot
def test_the_fd_plan_never_spends_the_reserve(  # noqa: PLR0917 (hypothesis passes positionally)
    limit: int, reserved: int, outbound: int, api: int, p2p: int, p2p_reserved: int
) -> None:
    try:
        fds = plan(
            limit,
            reserved_fds=reserved,
            outbound=outbound,
            api_connections=api,
            p2p_connections=p2p,
            p2p_reserved=p2p_reserved,
        )
    except FdBudgetError:
        assert limit - reserved - 2 * BACKLOG - outbound < 3
        return
    assert fds.sockets + reserved + 2 * BACKLOG + outbound <= limit
    assert fds.api_connections <= api and fds.p2p_connections <= p2p
    assert fds.p2p_reserved <= p2p_reserved
    assert fds.api_connections >= 1 and fds.p2p_connections >= 1


def test_a_flood_of_refusals_is_logged_once_per_period(caplog) -> None:
    caplog.set_level(logging.WARNING)
    limiter = LogLimiter(logging.getLogger("test.limiter"), every=3600)
    for i in range(1000):
        limiter.warning("refused %d", i)
    assert [r.getMessage() for r in caplog.records] == ["refused 0"]


def test_peer_hosts_are_reserved_by_the_addresses_they_connect_from() -> None:
    """(Only names /etc/hosts answers: tests send nothing beyond 127.0.0.1.)"""
    assert resolve_hosts(["127.0.0.1", "::1"]) == {"127.0.0.1", "::1"}  # addresses as they are
    assert {"localhost", "127.0.0.1"} <= resolve_hosts(["localhost"])  # a name: its addresses


async def test_a_connection_that_authenticates_leaves_the_outsiders_pool() -> None:
    """Through a real `GuardedSite`: the handler's `mark_authenticated(request.transport)`
    reaches the connection's slot, which moves to the reserved pool (and stays there)."""
    slots = AddressSlots(4, 4, reserved_total=2, evict_when_full=True)

    async def handler(request: web.Request) -> web.StreamResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        mark_authenticated(request.transport)
        await ws.send_str(f"{slots.held('127.0.0.1')} {slots.stats.promoted}")
        await ws.receive()
        return ws

    app = web.Application()
    app.router.add_get("/p2p", handler)
    runner = web.AppRunner(app)
    await runner.setup()
    site = GuardedSite(runner, "127.0.0.1", 0, slots)
    await site.start()
    try:
        port = runner.addresses[0][1]
        url = f"http://127.0.0.1:{port}/p2p"
        async with aiohttp.ClientSession() as session, session.ws_connect(url) as ws:
            assert (await ws.receive()).data == "0 1"  # no outsider slot held, one promoted
    finally:
        await runner.cleanup()
    assert slots.stats.open == 0
