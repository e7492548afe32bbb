"""WebSocket subscriptions: blocks, txs by account, events by kind, limits, slow clients."""

from __future__ import annotations

from collections import Counter
from typing import Any

from aiohttp import ClientWebSocketResponse, WSMsgType
from pytest_aiohttp import AiohttpClient

from ledger.keys import PrivateKey
from node.api import create_app
from node.api import ws as ws_module
from node.api.limits import ApiLimits
from tests.node.api.builder import ALICE, BOB, CAROL, HRP, Client, LiveChain


async def _call(sock: ClientWebSocketResponse, method: str, **params: Any) -> dict[str, Any]:
    await sock.send_json({"id": 7, "method": method, "params": params})
    reply: dict[str, Any] = await sock.receive_json(timeout=30)
    return reply


async def test_new_blocks_arrive_after_subscribing(chain: LiveChain, client: Client) -> None:
    async with client.ws_connect("/v1/ws") as sock:
        reply = await _call(sock, "subscribe", topic="blocks")
        sub = reply["result"]["subscription"]
        tx = chain.builder.transfer(ALICE, BOB, 1)
        block = chain.commit([tx])
        note = await sock.receive_json(timeout=30)
        assert note["subscription"] == sub
        assert note["topic"] == "blocks"
        assert note["result"]["height"] == block.header.height
        assert note["result"]["hash"] == block.hash().hex()
        assert note["result"]["txs"] == [tx.hash.hex()]


async def test_txs_by_account_include_txs_naming_it(chain: LiveChain, client: Client) -> None:
    async with client.ws_connect("/v1/ws") as sock:
        await _call(sock, "subscribe", topic="txs", account=CAROL.address.to_text(HRP))
        unrelated = chain.builder.transfer(ALICE, BOB, 1)
        to_carol = chain.builder.transfer(BOB, CAROL, 2)
        chain.commit([unrelated, to_carol])
        note = await sock.receive_json(timeout=30)
        assert note["result"]["tx"]["hash"] == to_carol.hash.hex()
        assert note["result"]["position"] == 1
        assert note["result"]["result"]["code"] == "OK"
        chain.commit([chain.builder.transfer(ALICE, BOB, 1)])
        chain.commit([chain.builder.transfer(CAROL, ALICE, 1)])
        note = await sock.receive_json(timeout=30)
        assert note["result"]["tx"]["sender"] == CAROL.address.to_text(HRP)


async def test_events_by_kind(chain: LiveChain, client: Client) -> None:
    async with client.ws_connect("/v1/ws") as sock:
        await _call(sock, "subscribe", topic="events", kind="transfer")
        tx = chain.builder.transfer(ALICE, BOB, 3)
        chain.commit([tx])
        note = await sock.receive_json(timeout=30)
        assert note["result"]["kind"] == "transfer"
        assert note["result"]["tx_hash"] == tx.hash.hex()
        assert note["result"]["attributes"]["amount"] == 3


async def test_unsubscribe_stops_notifications(chain: LiveChain, client: Client) -> None:
    async with client.ws_connect("/v1/ws") as sock:
        blocks = (await _call(sock, "subscribe", topic="blocks"))["result"]["subscription"]
        await _call(sock, "subscribe", topic="events", kind="transfer")
        assert (await _call(sock, "unsubscribe", subscription=blocks))["result"] is True
        chain.commit([chain.builder.transfer(ALICE, BOB, 1)])
        note = await sock.receive_json(timeout=30)
        assert note["topic"] == "events"
        assert (await _call(sock, "unsubscribe_all"))["result"] is True
        assert (await _call(sock, "unsubscribe", subscription=blocks))["error"]["code"] == (
            "unknown_subscription"
        )


async def test_bad_requests_get_errors_and_the_socket_stays(client: Client) -> None:
    async with client.ws_connect("/v1/ws") as sock:
        await sock.send_str("{not json")
        assert (await sock.receive_json(timeout=30))["error"]["code"] == "invalid_json"
        await sock.send_bytes(b"\x00")
        assert (await sock.receive_json(timeout=30))["error"]["code"] == "invalid_frame"
        assert (await _call(sock, "subscribe", topic="gossip"))["error"]["code"] == "unknown_topic"
        other = PrivateKey.from_secret(b"x").address.to_text("cot")
        reply = await _call(sock, "subscribe", topic="txs", account=other)
        assert reply["error"]["code"] == "wrong_address_prefix"
        assert (await _call(sock, "fly"))["error"]["code"] == "unknown_method"
        for _ in range(ws_module.MAX_SUBSCRIPTIONS):
            assert "result" in await _call(sock, "subscribe", topic="blocks")
        reply = await _call(sock, "subscribe", topic="blocks")
        assert reply["error"]["code"] == "too_many_subscriptions"


async def test_oversized_message_closes_the_socket(client: Client) -> None:
    async with client.ws_connect("/v1/ws") as sock:
        await sock.send_str("x" * (ws_module.MAX_MESSAGE_BYTES + 1))
        msg = await sock.receive(timeout=30)
        assert msg.type is WSMsgType.CLOSE
    assert (await client.get("/v1/status")).status == 200


async def test_a_client_that_falls_behind_is_dropped(chain: LiveChain, client: Client) -> None:
    async with client.ws_connect("/v1/ws") as sock:
        await _call(sock, "subscribe", topic="blocks")
        block = chain.blocks[-1]
        for _ in range(ws_module.QUEUE_BLOCKS + 1):  # no await: the pump cannot drain
            chain.hub.publish_block(block, [], [])
        closed = None
        for _ in range(ws_module.QUEUE_BLOCKS + 2):
            msg = await sock.receive(timeout=30)
            if msg.type is WSMsgType.CLOSE:
                closed = msg.data
                break
        assert closed == ws_module.CLOSE_TOO_SLOW
    assert chain.hub.subscribers == 0


async def test_subscribers_beyond_the_limit_get_a_503(
    chain: LiveChain, aiohttp_client: AiohttpClient
) -> None:
    """`api.max_websockets` and `_per_address` are config keys: the configured caps apply."""
    app = create_app(chain.context(), ApiLimits(max_websockets=1))
    client = await aiohttp_client(app)
    async with client.ws_connect("/v1/ws"):
        response = await client.get("/v1/ws", headers={"Upgrade": "websocket"})
        assert response.status == 503
        assert (await response.json())["error"]["code"] == "too_many_clients"
    app = create_app(chain.context(), ApiLimits(max_websockets_per_address=2))
    client = await aiohttp_client(app)
    async with client.ws_connect("/v1/ws"), client.ws_connect("/v1/ws"):
        response = await client.get("/v1/ws", headers={"Upgrade": "websocket"})
        assert response.status == 429


async def test_a_subscriber_offering_compression_gets_plain_frames(client: Client) -> None:
    """Deflating every notification for each subscriber that asks would let strangers spend the
    node's event loop (a block of 20,000 txs is a megabyte of JSON per subscriber), and inflating
    their frames would let one send a small frame that expands on the node: no extension is
    negotiated, whatever the client offers."""
    async with client.ws_connect("/v1/ws", compress=15) as sock:
        assert sock.compress == 0
        reply = await _call(sock, "unsubscribe_all")
        assert reply["result"] is True


async def test_many_subscribers_share_one_index_build_per_block(
    chain: LiveChain, aiohttp_client: AiohttpClient
) -> None:
    """A stranger with 8 sockets of 16 subscriptions must not make the node rebuild a block's
    tx list, its JSON, or walk every receipt once per subscription on the consensus loop: each
    topic's index of a committed block is built once, whatever the number of subscribers."""
    app = create_app(chain.context(), ApiLimits(max_websockets_per_address=8))
    client = await aiohttp_client(app)
    socks = [await client.ws_connect("/v1/ws") for _ in range(8)]
    carol = CAROL.address.to_text(HRP)
    for sock in socks:
        for i in range(ws_module.MAX_SUBSCRIPTIONS):
            params = [{"topic": "blocks"}, {"topic": "txs", "account": carol}]
            params.append({"topic": "events", "kind": "transfer"})
            assert "result" in await _call(sock, "subscribe", **params[i % 3])
    to_carol = chain.builder.transfer(BOB, CAROL, 2)
    block = chain.commit([chain.builder.transfer(ALICE, BOB, 1), to_carol])
    for sock in socks:  # 6 blocks, 5 txs (one tx names Carol), 5 events (two transfers each)
        notes = [await sock.receive_json(timeout=30) for _ in range(6 + 5 + 5 * 2)]
        assert Counter(note["topic"] for note in notes) == {"blocks": 6, "txs": 5, "events": 10}
        for note in notes:
            result = note["result"]
            if note["topic"] == "blocks":
                assert result["hash"] == block.hash().hex()
            elif note["topic"] == "txs":
                assert result["tx"]["hash"] == to_carol.hash.hex()
            else:
                assert result["kind"] == "transfer"
        await sock.close()
    text = await (await client.get("/metrics")).text()
    for index in ("blocks", "txs", "events"):
        assert f'coterie_ws_block_index_builds_total{{index="{index}"}} 1.0' in text


async def test_a_client_whose_subscriptions_match_too_much_of_a_block_is_dropped(
    chain: LiveChain, aiohttp_client: AiohttpClient
) -> None:
    """A subscription to an event every tx emits would make the node write one notification per
    tx per subscriber: past `api.max_ws_notifications_per_block` for one client and one block,
    the client is closed as one that fell behind (4008), and reads the block over REST."""
    app = create_app(chain.context(), ApiLimits(max_ws_notifications_per_block=3))
    client = await aiohttp_client(app)
    async with client.ws_connect("/v1/ws") as modest, client.ws_connect("/v1/ws") as greedy:
        await _call(modest, "subscribe", topic="events", kind="transfer")
        await _call(greedy, "subscribe", topic="events", kind="transfer")
        await _call(greedy, "subscribe", topic="blocks")
        chain.commit([chain.builder.transfer(ALICE, BOB, n) for n in (1, 2, 3)])
        amounts = [(await modest.receive_json(timeout=30))["result"] for _ in range(3)]
        assert [a["attributes"]["amount"] for a in amounts] == [1, 2, 3]
        msg = await greedy.receive(timeout=30)  # 3 events and the block: 4 notifications
        assert (msg.type, msg.data) == (WSMsgType.CLOSE, ws_module.CLOSE_TOO_SLOW)
        assert "too many" in msg.extra


async def test_a_crowd_of_greedy_clients_shares_one_budget_and_a_modest_one_keeps_its_share(
    chain: LiveChain, aiohttp_client: AiohttpClient
) -> None:
    """Each client under its own cap, 100 of them still cost 100 x 1,000 notifications per block:
    `api.max_ws_notifications_per_block_all` is shared equally by the clients connected, so a
    crowd is closed past its share while a client that asks little is served whatever the crowd."""
    limits = ApiLimits(max_ws_notifications_per_block=1000, max_ws_notifications_per_block_all=7)
    client = await aiohttp_client(create_app(chain.context(), limits))
    async with client.ws_connect("/v1/ws") as alone:  # alone: a share of 7
        await _call(alone, "subscribe", topic="events", kind="transfer")
        chain.commit([chain.builder.transfer(ALICE, BOB, n) for n in (1, 2, 3)])
        assert len([await alone.receive_json(timeout=30) for _ in range(3)]) == 3
        async with client.ws_connect("/v1/ws") as greedy, client.ws_connect("/v1/ws") as modest:
            await _call(greedy, "subscribe", topic="events", kind="transfer")
            await _call(modest, "subscribe", topic="blocks")
            chain.commit([chain.builder.transfer(ALICE, BOB, n) for n in (4, 5, 6)])
            block = await modest.receive_json(timeout=30)  # 3 clients: a share of 2 each
            assert block["topic"] == "blocks"
            for crowd in (alone, greedy):  # 3 notifications each: over the share
                msg = await crowd.receive(timeout=30)
                assert (msg.type, msg.data) == (WSMsgType.CLOSE, ws_module.CLOSE_TOO_SLOW)
                assert "too many" in (msg.extra or "")


def test_a_client_share_is_the_budget_over_the_clients_and_never_past_its_own_cap() -> None:
    limits = ApiLimits(
        max_ws_notifications_per_block=1000, max_ws_notifications_per_block_all=20_000
    )
    shares = {n: limits.notifications_per_client(n) for n in (0, 1, 10, 20, 100, 30_000)}
    assert shares == {0: 1000, 1: 1000, 10: 1000, 20: 1000, 100: 200, 30_000: 1}
    for clients in range(1, 300):
        share = limits.notifications_per_client(clients)
        assert share * clients <= 20_000 or share == 1
