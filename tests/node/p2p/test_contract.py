"""The manager's contract with the runner: argument checks, handler errors, forgetting txs,
the bound on pending handshakes."""

from __future__ import annotations

import asyncio
import logging

import pytest
from aiohttp import WSMsgType

from ledger.hashing import digest
from node.p2p import CloseCode, MessageType, Penalty
from node.p2p.messages import encode_frame


async def test_sending_checks_type_and_size(make_node, wait_until):
    a = await make_node(0)
    b = await make_node(1, peers=[a])
    await wait_until(lambda: a.manager.peers == [b.id])
    with pytest.raises(ValueError, match="handshake only"):
        a.manager.send(b.id, MessageType.HELLO, b"")
    with pytest.raises(ValueError, match="exceeds its limit"):
        a.manager.broadcast(MessageType.VOTE, b"v" * 1025)
    with pytest.raises(ValueError, match="one hash per tx"):
        a.manager.gossip_txs([b"tx"], hashes=[])
    assert a.manager.send(b.id, MessageType.VOTE, b"v" * 1024)  # exactly at the limit


async def test_a_failing_handler_is_logged_and_costs_the_peer_nothing(
    make_node, wait_until, caplog
):
    a = await make_node(0)
    b = await make_node(1, peers=[a])
    await wait_until(lambda: a.manager.peers == [b.id] and b.manager.peers == [a.id])
    b.handler.reject = RuntimeError("a bug in the runner")
    a.manager.broadcast(MessageType.STATUS, b"one")
    await wait_until(lambda: "handler failed on STATUS" in caplog.text)
    b.handler.reject = None
    a.manager.broadcast(MessageType.STATUS, b"two")
    await wait_until(lambda: b.handler.messages == [(a.id, MessageType.STATUS, b"two")])
    assert b.manager.scores.score(a.id) == 0 and b.manager.peers == [a.id]


async def test_forgotten_txs_are_delivered_again(make_node, wait_until):
    a = await make_node(0)
    b = await make_node(1, peers=[a])
    b.handler.relay = False
    await wait_until(lambda: a.manager.peers == [b.id] and b.manager.peers == [a.id])
    a.manager.gossip_txs([b"tx-1"])
    await wait_until(lambda: [tx for _, tx in b.handler.txs] == [b"tx-1"])

    b.manager.send(a.id, MessageType.TXS, b"\x91\xc4\x04tx-1")  # a sends it back: already seen
    await wait_until(lambda: a.manager.stats.txs_in == 1)
    assert a.handler.txs == []
    # b forgets it (say, refused for a nonce gap); a's resend is delivered again
    b.manager.forget_txs([digest(b"tx-1")])
    a.manager.send(b.id, MessageType.TXS, b"\x91\xc4\x04tx-1")
    await wait_until(lambda: [tx for _, tx in b.handler.txs] == [b"tx-1", b"tx-1"])


async def test_an_undecodable_tx_batch_costs_score(make_node, wait_until):
    a = await make_node(0)
    b = await make_node(1, peers=[a])
    await wait_until(lambda: a.manager.peers == [b.id] and b.manager.peers == [a.id])
    b.manager.send(a.id, MessageType.TXS, b"\x91\xa4text")  # a string where a tx should be
    await wait_until(lambda: a.manager.stats.malformed_in == 1)
    assert -Penalty.UNDECODABLE <= a.manager.scores.score(b.id) < 1 - Penalty.UNDECODABLE
    assert a.handler.txs == []


async def test_pending_handshakes_are_bounded(make_node, session, wait_until, caplog):
    caplog.set_level(logging.WARNING, logger="node.p2p")
    # the silent socket must still hold its slot when `busy` dials, on a loaded machine too
    node = await make_node(
        0, max_pending_handshakes=1, max_pending_per_address=1, handshake_timeout=3.0
    )
    silent = await session.ws_connect(node.url)  # holds the only slot until it times out
    await asyncio.sleep(0.05)
    busy = await session.ws_connect(node.url)
    msg = await busy.receive()
    assert msg.type is WSMsgType.CLOSE and busy.close_code == CloseCode.BUSY
    assert node.manager.stats.handshakes_refused[CloseCode.BUSY.name] == 1
    msg = await asyncio.wait_for(silent.receive(), 10)
    assert msg.type is WSMsgType.BINARY  # the node's HELLO
    msg = await asyncio.wait_for(silent.receive(), 10)
    assert msg.type is WSMsgType.CLOSE and silent.close_code == CloseCode.TIMEOUT
    friend = await make_node(1, peers=[node])  # the slot is free again
    await wait_until(lambda: node.manager.peers == [friend.id])


async def test_a_newcomer_displaces_the_oldest_handshake_not_yet_authenticated(
    make_node, session, wait_until
):
    """Issue 14, item 2: a full outsiders' pool does not keep a validator out; the oldest
    pending handshake gives way (its socket is closed), the newcomer authenticates."""
    node = await make_node(0, max_pending_handshakes=1, handshake_timeout=3.0)
    silent = await session.ws_connect(node.url)
    await asyncio.sleep(0.05)
    friend = await make_node(1, peers=[node])
    await wait_until(lambda: node.manager.peers == [friend.id])
    while True:
        msg = await asyncio.wait_for(silent.receive(), 10)
        if msg.type is not WSMsgType.BINARY:  # the node's HELLO, then the end
            break
    assert msg.type in (WSMsgType.CLOSE, WSMsgType.CLOSED, WSMsgType.ERROR)
    assert silent.close_code != CloseCode.TIMEOUT  # displaced, long before its deadline


def test_frames_for_the_handshake_types_exist():
    # the session types have fixed envelope bytes too (used by the handshake)
    assert encode_frame(MessageType.AUTH, b"").hex() == "9202c400"
