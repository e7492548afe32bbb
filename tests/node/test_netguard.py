"""The slot pools behind every connection and handshake cap: whatever the order of arrivals and
departures, no pool goes over its cap, reserved addresses never take outsiders' slots (nor the
reverse), and everything given back leaves the pools empty."""

from __future__ import annotations

import logging

from hypothesis import example, given, settings
from hypothesis import strategies as st

from node.fdbudget import FdBudgetError, plan
from node.netguard import BACKLOG, AddressSlots, LogLimiter, resolve_hosts

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
