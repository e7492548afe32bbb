"""Issue 14, item 8: the low findings, each against a real node process.

On 2010e93: one client could take all 100 WebSocket slots, and any web page could open one
(no Origin check); deeply nested JSON on the WebSocket or `POST /v1/proofs` and a NUL byte in an
explorer path gave 500s with tracebacks (the WebSocket one an HTTP 500 inside the upgraded
socket); refused peers were logged one line each (5 MB per node in 45 s).
"""

from __future__ import annotations

import asyncio
import http.client
import json

import aiohttp
import pytest

from ledger.keys import PrivateKey
from node.p2p import Direction, HandshakeError, Identity
from node.p2p.handshake import handshake
from tests.node.hostile.attacker import reset_upgrade, source
from tests.node.processes import Cluster, wait_for

pytestmark = [pytest.mark.slow, pytest.mark.timeout(300)]

DEEP = "[" * 2000 + "]" * 2000  # under the WebSocket message limit, past the recursion limit


def _request(port: int, method: str, path: str, body: bytes | None = None) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        headers = {"Content-Type": "application/json"} if body is not None else {}
        conn.request(method, path, body=body, headers=headers)
        return conn.getresponse().status
    finally:
        conn.close()


def _connector(src: str) -> aiohttp.TCPConnector:
    return aiohttp.TCPConnector(local_addr=(src, 0), force_close=True)


async def test_bad_inputs_get_4xx_and_no_traceback(solo: Cluster) -> None:
    node = solo.nodes[0]
    port = node.node.api.port
    assert _request(port, "GET", "/explorer/static/a%00b.js") == 404
    assert _request(port, "POST", "/v1/proofs", DEEP.encode()) == 400
    subscribe = {"id": 1, "method": "subscribe", "params": {"topic": "blocks"}}
    async with aiohttp.ClientSession() as session, session.ws_connect(f"{node.url}/v1/ws") as ws:
        await ws.send_str(DEEP)
        reply = json.loads((await ws.receive(timeout=10)).data)
        assert reply["error"]["code"] == "invalid_json"
        await ws.send_str(json.dumps(subscribe))
        assert json.loads((await ws.receive(timeout=10)).data)["result"]  # still serving
    log = node.log_text()
    assert "Traceback" not in log and " ERROR " not in log


def test_peers_resetting_during_the_upgrade_log_no_error(solo: Cluster) -> None:
    """A reset while the node upgrades the connection (`ws.prepare` then fails with
    ClientConnectionResetError) is the peer's business: on the peer port and on `/v1/ws`, for
    connections that got a pending slot and for refused ones, no ERROR and no traceback."""
    node = solo.nodes[0]
    targets = [(node.node.p2p.port, "/p2p"), (node.node.api.port, "/v1/ws")]
    for i in range(120):  # both ports, resets at several moments, from a few addresses
        port, path = targets[i % 2]
        reset_upgrade(port, source(i % 3), path, pause=(0.0, 0.0005, 0.002)[i % 3])
    height = node.answered_height()
    wait_for(lambda: node.height() >= height + 2, 30, "commits after the resets")
    log = node.log_text()
    assert "Traceback" not in log and " ERROR " not in log
    lost = [line for line in log.splitlines() if "inbound from 127.0.0." in line]
    assert len(lost) <= 3  # a reset is not a refusal by a peer: logged at most once per 10 s


async def test_one_address_gets_a_few_websockets_and_other_sites_none(solo: Cluster) -> None:
    url = f"{solo.nodes[0].url}/v1/ws"
    held = []
    async with aiohttp.ClientSession(connector=_connector(source(0))) as greedy:
        try:
            statuses = []
            for _ in range(12):
                try:
                    held.append(await greedy.ws_connect(url))
                    statuses.append(101)
                except aiohttp.WSServerHandshakeError as exc:
                    statuses.append(exc.status)
            assert statuses.count(101) == 8 and set(statuses[8:]) == {429}
            async with aiohttp.ClientSession(connector=_connector(source(1))) as other:
                async with other.ws_connect(url):  # another address still gets in
                    pass
                with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
                    await other.ws_connect(url, origin="https://evil.example")
                assert refused.value.status == 403
        finally:
            for ws in held:
                await ws.close()


async def test_a_stream_of_refused_peers_is_logged_a_few_times(solo: Cluster) -> None:
    node = solo.nodes[0]
    genesis = solo.testnet.genesis
    url = f"http://127.0.0.1:{node.node.p2p.port}/p2p"
    async with aiohttp.ClientSession() as session:
        for _ in range(60):
            ws = await session.ws_connect(url)
            stranger = Identity(PrivateKey.generate(), genesis.chain_id, genesis.hash())
            with pytest.raises(HandshakeError):
                await handshake(ws, stranger, Direction.OUTBOUND, lambda _key: None)
            await ws.close()
    await asyncio.sleep(0.5)
    refused = [line for line in node.log_text().splitlines() if "refused peer" in line]
    assert 1 <= len(refused) <= 3
