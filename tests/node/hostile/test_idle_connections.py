"""Issue 14, item 1: idle sockets must not exhaust a validator's file descriptors.

On 2010e93, 1,100 idle sockets to either port killed a one-validator node with a 1,024 limit
in 3 s: writing the sign state failed with EMFILE and consensus stopped. The node now caps
connections in total and per address on both ports, under a budget taken from its open-file
limit with descriptors reserved for its own files, and closes sockets that send no request.
"""

from __future__ import annotations

import time

import pytest

from tests.node.hostile.attacker import (
    closed_by_server,
    connect,
    get_json,
    idle_sockets,
    peak_rss_mb,
    source,
)
from tests.node.processes import Cluster, wait_for

pytestmark = [pytest.mark.slow, pytest.mark.timeout(300)]

FLOOD = 900  # sockets: well past the node's 512 open files
HOLD_SECONDS = 4.0  # long enough for several blocks at 200 ms
PEAK_RSS_BOUND_MB = 150  # an idle one-validator node: about 75 MB


def _survives_flood(solo: Cluster, port: int) -> None:
    node = solo.nodes[0]
    before = node.answered_height()
    with idle_sockets(port, FLOOD, addresses=12) as socks:
        assert len(socks) > 600  # the kernel completed them: the node had to deal with them
        time.sleep(HOLD_SECONDS)
        assert node.running, node.log_text()[-3000:]
    wait_for(lambda: node.height() >= before + 5, 60, "commits after the flood")
    assert node.running
    assert peak_rss_mb(node) < PEAK_RSS_BOUND_MB
    assert "consensus runner failed" not in node.log_text()


def test_nine_hundred_idle_api_sockets_leave_the_validator_committing(solo: Cluster) -> None:
    _survives_flood(solo, solo.nodes[0].node.api.port)


def test_nine_hundred_idle_peer_port_sockets_leave_the_validator_committing(
    solo: Cluster,
) -> None:
    _survives_flood(solo, solo.nodes[0].node.p2p.port)


def test_one_address_cannot_take_the_api_from_another(solo: Cluster) -> None:
    node = solo.nodes[0]
    port = node.node.api.port
    with idle_sockets(port, 600, addresses=1):
        code, body = get_json(port, "/v1/status", source(50))
        assert code == 200, body
        assert node.running


def test_a_socket_that_never_finishes_its_headers_is_closed(solo: Cluster) -> None:
    for port in (solo.nodes[0].node.api.port, solo.nodes[0].node.p2p.port):
        sock = connect(port, source(0))
        assert sock is not None
        try:
            sock.sendall(b"GET /v1/status HTTP/1.1\r\nHost: x\r\n")  # and never the end
            assert closed_by_server(sock, timeout=60.0)
        finally:
            sock.close()
