"""The handshake against a live node: who is refused, why, and that the node keeps serving."""

from __future__ import annotations

import asyncio
import logging
import os

import aiohttp
import pytest
from aiohttp import WSMsgType

from ledger.codec import MalformedError
from ledger.keys import PrivateKey
from node.p2p import CloseCode, Direction, MessageType, PeerAddress
from node.p2p.handshake import PROTOCOL_VERSION, transcript
from node.p2p.messages import Auth, Hello, decode_frame, encode_frame, message_limits
from node.p2p.session import EphemeralKey
from tests.node.p2p.conftest import CHAIN_ID, GENESIS_HASH, KEYS, STRANGER

LIMITS = message_limits()


def hello_for(key: PrivateKey, nonce: bytes | None = None, **changes: object) -> Hello:
    fields: dict[str, object] = {
        "version": PROTOCOL_VERSION,
        "chain_id": CHAIN_ID,
        "genesis_hash": GENESIS_HASH,
        "public_key": key.public_key,
        "nonce": nonce or os.urandom(32),
        "ephemeral": EphemeralKey().public,
    }
    fields.update(changes)
    return Hello(**fields)  # type: ignore[arg-type]


async def read_payload(ws: aiohttp.ClientWebSocketResponse, expected: MessageType) -> bytes:
    msg = await ws.receive()
    assert msg.type is WSMsgType.BINARY, (msg.type, msg.data, msg.extra)
    msg_type, payload = decode_frame(msg.data, LIMITS)
    assert msg_type is expected
    return payload


async def close_code_after(ws: aiohttp.ClientWebSocketResponse) -> int | None:
    """Read until the server closes the socket; return its close code."""
    while True:
        msg = await asyncio.wait_for(ws.receive(), 15)
        if msg.type in (WSMsgType.CLOSE, WSMsgType.CLOSED, WSMsgType.CLOSING):
            return ws.close_code


async def manual_handshake(session, url, key, *, claimed=None, nonce=None, signature=None):
    """Dial as `claimed` (default: `key`'s own public key), signing with `key` unless a
    `signature` is given. Returns (socket, our hello, server hello, signature sent)."""
    claimed_key = claimed or key.public_key
    ws = await session.ws_connect(url)
    ours = hello_for(key, nonce, public_key=claimed_key)
    await ws.send_bytes(encode_frame(MessageType.HELLO, ours.encode()))
    theirs = Hello.decode(await read_payload(ws, MessageType.HELLO))
    if signature is None:
        signed = transcript(
            chain_id=CHAIN_ID,
            genesis_hash=GENESIS_HASH,
            dialer=ours,
            listener=theirs,
            signer=Direction.OUTBOUND,
        )
        signature = key.sign(signed)
    await ws.send_bytes(encode_frame(MessageType.AUTH, Auth(signature).encode()))
    return ws, ours, theirs, signature


async def test_an_unknown_node_key_is_refused_and_logged(make_node, wait_until, caplog):
    caplog.set_level(logging.WARNING, logger="node.p2p")
    node = await make_node(0, allow=[k.public_key for k in KEYS[:2]])
    stranger = await make_node(7, key=STRANGER, peers=[node], allow=[node.id])
    refused = node.manager.stats.handshakes_refused
    await wait_until(lambda: refused[CloseCode.NOT_ALLOWED.name] >= 2, what="two refusals")
    assert node.manager.peers == [] and stranger.manager.peers == []
    assert f"node key {STRANGER.public_key.hex()} is not in the allowlist" in caplog.text
    assert "refused our handshake" in caplog.text  # the stranger logs why it was turned away

    friend = await make_node(1, peers=[node])  # the node keeps serving allowed peers
    await wait_until(lambda: node.manager.peers == [friend.id])


@pytest.mark.parametrize(
    "field",
    [{"chain_id": "coterie-other"}, {"genesis_hash": b"\x01" * 32}],
    ids=["chain_id", "genesis_hash"],
)
async def test_a_peer_on_another_chain_is_refused(make_node, wait_until, caplog, field):
    caplog.set_level(logging.WARNING, logger="node.p2p")
    node = await make_node(0)
    other = await make_node(1, peers=[node], **field)
    refused = node.manager.stats.handshakes_refused
    await wait_until(lambda: refused[CloseCode.WRONG_CHAIN.name] >= 1)
    assert node.manager.peers == [] and other.manager.peers == []
    assert ("chain id 'coterie-other'" if "chain_id" in field else "genesis hash") in caplog.text


async def test_a_forged_signature_is_refused(make_node, session):
    node = await make_node(0)
    # claims KEYS[1]'s identity without its private key
    ws, *_ = await manual_handshake(session, node.url, STRANGER, claimed=KEYS[1].public_key)
    assert await read_payload(ws, MessageType.AUTH)  # the node signed for the claimed key
    assert await close_code_after(ws) == CloseCode.BAD_SIGNATURE
    assert node.manager.peers == []
    assert node.manager.stats.handshakes_refused[CloseCode.BAD_SIGNATURE.name] == 1


async def test_a_replayed_handshake_is_refused(make_node, session, wait_until):
    node = await make_node(0)
    ws, ours, _, signature = await manual_handshake(session, node.url, KEYS[1])
    await read_payload(ws, MessageType.AUTH)
    await wait_until(lambda: node.manager.peers == [KEYS[1].public_key], what="first session")
    await ws.close()
    await wait_until(lambda: node.manager.peers == [])

    # the same hello and signature again: the node's fresh nonce makes the old signature useless
    replay, *_ = await manual_handshake(
        session, node.url, KEYS[1], nonce=ours.nonce, signature=signature
    )
    await read_payload(replay, MessageType.AUTH)
    assert await close_code_after(replay) == CloseCode.BAD_SIGNATURE
    assert node.manager.peers == []


async def test_the_signature_binds_the_direction(make_node, session):
    node = await make_node(0)
    ws = await session.ws_connect(node.url)
    ours = hello_for(KEYS[1])
    await ws.send_bytes(encode_frame(MessageType.HELLO, ours.encode()))
    theirs = Hello.decode(await read_payload(ws, MessageType.HELLO))
    # signed as if we were the listener: a valid signature, for the other role
    wrong_role = transcript(
        chain_id=CHAIN_ID,
        genesis_hash=GENESIS_HASH,
        dialer=ours,
        listener=theirs,
        signer=Direction.INBOUND,
    )
    await ws.send_bytes(encode_frame(MessageType.AUTH, Auth(KEYS[1].sign(wrong_role)).encode()))
    assert await close_code_after(ws) == CloseCode.BAD_SIGNATURE


async def test_a_peer_claiming_our_own_key_is_refused(make_node, session):
    node = await make_node(0)
    ws, *_ = await manual_handshake(session, node.url, KEYS[0])
    assert await close_code_after(ws) == CloseCode.SELF


async def test_a_dialed_peer_must_present_the_configured_key(make_node, wait_until):
    node = await make_node(0)
    wrong = PeerAddress("127.0.0.1", node.port, KEYS[2].public_key)
    dialer = await make_node(1, peers=[wrong])
    refused = dialer.manager.stats.handshakes_refused
    await wait_until(lambda: refused[CloseCode.UNEXPECTED_KEY.name] >= 1)
    assert dialer.manager.peers == []


async def test_silence_and_garbage_in_the_handshake_are_refused(make_node, session, wait_until):
    # garbage must arrive before the timeout, which a loaded machine can delay by a second
    node = await make_node(0, handshake_timeout=2.0)
    silent = await session.ws_connect(node.url)
    assert await close_code_after(silent) == CloseCode.TIMEOUT

    garbage = await session.ws_connect(node.url)
    await garbage.send_bytes(b"\xff\x00 not a message")
    assert await close_code_after(garbage) == CloseCode.PROTOCOL

    text = await session.ws_connect(node.url)
    await text.send_str("hello?")
    assert await close_code_after(text) == CloseCode.PROTOCOL

    friend = await make_node(1, peers=[node])
    await wait_until(lambda: node.manager.peers == [friend.id])


def test_hello_decoding_is_bounded():
    hello = hello_for(KEYS[1])
    assert Hello.decode(hello.encode()) == hello
    with pytest.raises(MalformedError):
        Hello.decode(hello_for(KEYS[1], nonce=b"short").encode())
    with pytest.raises(MalformedError):
        Hello.decode(b"\x95" + b"\x00" * 300)


async def test_plain_http_on_the_p2p_route_gets_400(make_node, session, wait_until):
    node = await make_node(0)
    async with session.get(node.url) as response:
        assert response.status == 400
    friend = await make_node(1, peers=[node])
    await wait_until(lambda: node.manager.peers == [friend.id])
