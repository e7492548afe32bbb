"""Scoring and bans against a live node: garbage, oversized and invalid messages from an
authenticated peer cost score and end in a ban, while the node keeps serving its other peers."""

from __future__ import annotations

import asyncio

import pytest
from aiohttp import WSMsgType

from ledger import codec
from ledger.codec import MalformedError
from node.p2p import CloseCode, HandshakeError, MessageType, Penalty
from node.p2p.messages import encode_frame
from tests.node.p2p.conftest import KEYS, SealedSocket, connect_as

SMALL_LIMITS = dict.fromkeys(MessageType, 4096)


async def closed_with(ws: SealedSocket) -> int | None:
    while True:
        msg = await asyncio.wait_for(ws.receive(), 5)
        if msg.type in (WSMsgType.CLOSE, WSMsgType.CLOSED, WSMsgType.CLOSING):
            return ws.close_code


async def still_serving(node, friend, wait_until) -> None:
    await wait_until(lambda: node.manager.is_connected(friend.id))
    before = len(friend.handler.messages)
    assert node.manager.send(friend.id, MessageType.STATUS, b"alive")
    await wait_until(lambda: len(friend.handler.messages) == before + 1, what="node still serving")


GARBAGE = [
    b"\x00",  # not an envelope
    b"\x92\x7f\xc4\x01x",  # unknown message type
    codec.encode([1, 2, 3]),  # canonical, but not [type, bytes]
    b"\x92\x15\xc5\x00\x01x",  # a VOTE whose payload length is not minimally encoded
    b"\x92\x15\xc4\x05abc",  # truncated
]


async def test_garbage_frames_get_a_peer_banned_and_the_node_keeps_running(
    make_node, session, wait_until
):
    node = await make_node(0)
    friend = await make_node(2, peers=[node])
    ws = await connect_as(session, node)
    await wait_until(lambda: len(node.manager.peers) == 2)

    for frame in GARBAGE:
        await ws.send_bytes(frame)
    assert await closed_with(ws) == CloseCode.BANNED
    assert node.manager.stats.malformed_in == 5
    assert node.manager.stats.bans == 1
    assert node.manager.scores.is_banned(KEYS[1].public_key)
    assert node.manager.peers == [friend.id]

    with pytest.raises(HandshakeError) as refused:  # and it cannot come back while banned
        await connect_as(session, node)
    assert refused.value.remote and refused.value.code == CloseCode.BANNED
    await still_serving(node, friend, wait_until)


async def test_oversized_messages_cost_more_than_garbage(make_node, session, wait_until):
    node = await make_node(0)
    friend = await make_node(2, peers=[node])
    ws = await connect_as(session, node)
    big_vote = encode_frame(MessageType.VOTE, b"v" * 2000)  # the VOTE limit is 1 KiB

    await ws.send_bytes(big_vote)
    await wait_until(lambda: node.manager.scores.score(KEYS[1].public_key) < 1 - Penalty.OVERSIZED)
    await ws.send_bytes(big_vote)
    await ws.send_bytes(big_vote)
    assert await closed_with(ws) == CloseCode.BANNED
    assert node.handler.messages == []
    await still_serving(node, friend, wait_until)


async def test_a_frame_above_the_transport_limit_bans_at_once(make_node, session, wait_until):
    node = await make_node(0, limits=SMALL_LIMITS, tx_batch_max_bytes=4000)
    friend = await make_node(2, peers=[node], limits=SMALL_LIMITS, tx_batch_max_bytes=4000)
    ws = await connect_as(session, node)
    await ws.send_bytes(encode_frame(MessageType.STATUS, b"s" * 4096))  # the largest allowed
    await wait_until(lambda: len(node.handler.messages) == 1)
    await ws.send_bytes(encode_frame(MessageType.STATUS, b"s" * 20_000))
    assert await closed_with(ws) == 1009  # aiohttp refuses it unread: "message too big"
    await wait_until(lambda: node.manager.scores.is_banned(KEYS[1].public_key))
    await still_serving(node, friend, wait_until)


async def test_protocol_violations_and_invalid_payloads_cost_score(make_node, session, wait_until):
    node = await make_node(0)
    node.handler.reject = MalformedError("vote: expected 6 fields")
    ws = await connect_as(session, node)
    peer = KEYS[1].public_key
    score = node.manager.scores.score

    def near(value: float) -> bool:  # the score recovers a little between penalties
        return value <= score(peer) < value + 1

    await ws.send_str("text is not spoken here")
    await wait_until(lambda: near(-Penalty.PROTOCOL))
    await ws.send_bytes(encode_frame(MessageType.HELLO, b"again"))
    await wait_until(lambda: near(-2 * Penalty.PROTOCOL))
    await ws.send_bytes(encode_frame(MessageType.VOTE, b"not a vote"))  # the handler rejects it
    await wait_until(lambda: near(-2 * Penalty.PROTOCOL - Penalty.INVALID))
    assert node.manager.peers == [peer]  # not banned yet
    assert node.manager.stats.penalties == 3


async def test_score_recovers_over_time(make_node, session, wait_until):
    node = await make_node(0, score_recovery_per_second=100.0)
    ws = await connect_as(session, node)
    await ws.send_bytes(b"\x00")
    await wait_until(lambda: node.manager.stats.penalties == 1)
    await asyncio.sleep(0.3)  # 25 points at 100 points a second
    assert node.manager.scores.score(KEYS[1].public_key) == 0


async def test_a_ban_from_the_runner_expires_and_the_peer_reconnects(make_node, wait_until):
    # the ban must outlast the peer's redial even when a loaded machine stalls the loop
    node = await make_node(0, ban_seconds=3.0)
    peer = await make_node(1, peers=[node])
    await wait_until(lambda: node.manager.peers == [peer.id])

    node.manager.penalize(peer.id, 60, "served a block with a bad commit")
    assert node.manager.peers == [peer.id]
    node.manager.penalize(peer.id, 60, "served a block with a bad commit")
    await wait_until(lambda: node.manager.peers == [] and peer.manager.peers == [])
    await wait_until(lambda: node.manager.stats.disconnects[CloseCode.BANNED.name] == 1)
    refused = node.manager.stats.handshakes_refused
    await wait_until(lambda: refused[CloseCode.BANNED.name] >= 1, what="redial refused")
    await wait_until(lambda: node.manager.peers == [peer.id], what="back after the ban")


async def test_a_dialer_waits_out_the_ban_of_the_peer_it_dials(make_node, wait_until):
    target = await make_node(1)
    # long enough that the check below falls inside the ban even on a stalled, loaded loop
    node = await make_node(0, peers=[target], ban_seconds=3.0)
    await wait_until(lambda: node.manager.peers == [target.id])
    opened = target.manager.stats.connections_opened

    node.manager.ban(target.id, "test")
    await wait_until(lambda: node.manager.peers == [])
    await asyncio.sleep(0.3)  # inside the ban: no dial attempts at all
    assert target.manager.stats.connections_opened == opened
    assert sum(target.manager.stats.handshakes_refused.values()) == 0
    await wait_until(lambda: node.manager.peers == [target.id], what="redial after the ban")
