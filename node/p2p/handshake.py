"""The authenticated handshake: both sides prove their node key over fresh nonces and bind a
fresh key exchange to it.

1. Each side sends `HELLO [version, chain_id, genesis_hash, node_public_key, nonce, ephemeral]`
   at once, with 32 fresh random bytes as its nonce and a fresh X25519 public key.
2. Each side checks the other's hello (version, chain id, genesis hash, that the key is not its
   own, that it is the key it dialed, that the key is allowed and not banned), then sends
   `AUTH [signature]`, its node key's Ed25519 signature of the transcript
   `HANDSHAKE_TAG + canonical([version, chain_id, genesis_hash,
                               dialer_key, dialer_nonce, dialer_ephemeral,
                               listener_key, listener_nonce, listener_ephemeral, role])`
   where `role` is 0 when the signer dialed and 1 when it listened.
3. Each side verifies the other's signature against the transcript with the other's role, then
   derives the session keys from the X25519 secret (node/p2p/session.py): every later frame is
   sealed, so a relay of the handshake can neither read nor inject frames.

Both nonces make every transcript fresh, so a recorded signature is worthless in a new session;
the role and the fixed dialer/listener order stop a signature from being reflected back to its
signer or replayed in the other direction; the chain id and genesis hash stop it from being used on
another chain; the ephemeral keys in the signed transcript stop a relay from putting its own
keys in. Any failure raises `HandshakeError` with a WebSocket close code and a reason.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable
from dataclasses import dataclass
from enum import IntEnum

from aiohttp import WSMsgType

from ledger import codec
from ledger.keys import PrivateKey, verify
from node.p2p.messages import (
    NONCE_LEN,
    Auth,
    Hello,
    MalformedMessageError,
    MessageType,
    decode_frame,
    encode_frame,
    message_limits,
)
from node.p2p.session import EphemeralKey, Session, SessionError, derive_session
from node.p2p.wire import WebSocket

PROTOCOL_VERSION = 2
HANDSHAKE_TAG = b"coterie/p2p-handshake/v2\x00"
_LIMITS = message_limits()


class Direction(IntEnum):
    """Who opened the connection; also the signer's role in the transcript."""

    OUTBOUND = 0  # we dialed
    INBOUND = 1  # they dialed


class CloseCode(IntEnum):
    """WebSocket close codes (4000-4999 are free for applications) with the reason we close."""

    GOING_AWAY = 1001
    PROTOCOL = 4000
    WRONG_CHAIN = 4001
    NOT_ALLOWED = 4002
    BANNED = 4003
    BAD_SIGNATURE = 4004
    DUPLICATE = 4005
    SLOW_PEER = 4006
    TIMEOUT = 4007
    SELF = 4008
    UNEXPECTED_KEY = 4009
    BUSY = 4010
    BAD_FRAME = 4011  # a frame failed the session's authentication


class HandshakeError(Exception):
    """The handshake failed; `remote` is True when the other side refused us."""

    def __init__(self, code: int, reason: str, remote: bool = False) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason
        self.remote = remote


@dataclass(frozen=True, slots=True)
class Identity:
    """What this node proves and expects: its node key, and the chain it is on."""

    key: PrivateKey
    chain_id: str
    genesis_hash: bytes


def _fields(
    chain_id: str, genesis_hash: bytes, dialer: Hello, listener: Hello, version: int
) -> list[codec.Value]:
    return [
        version,
        chain_id,
        genesis_hash,
        dialer.public_key,
        dialer.nonce,
        dialer.ephemeral,
        listener.public_key,
        listener.nonce,
        listener.ephemeral,
    ]


def transcript(
    *,
    chain_id: str,
    genesis_hash: bytes,
    dialer: Hello,
    listener: Hello,
    signer: Direction | None,
    version: int = PROTOCOL_VERSION,
) -> bytes:
    """The bytes each side signs; identical on both sides except for the signer's role.
    With `signer=None`: the role-free transcript the session keys are derived from."""
    fields = _fields(chain_id, genesis_hash, dialer, listener, version)
    if signer is not None:
        fields.append(int(signer))
    return HANDSHAKE_TAG + codec.encode(fields)


async def receive_message(ws: WebSocket, expected: MessageType) -> bytes:
    """The payload of the next frame, which must be of type `expected`."""
    msg = await ws.receive()
    if msg.type is WSMsgType.CLOSE and isinstance(msg.data, int) and msg.data:
        reason = msg.extra or "closed"
        raise HandshakeError(msg.data, f"refused by peer: {reason} (code {msg.data})", remote=True)
    if msg.type in (WSMsgType.CLOSE, WSMsgType.CLOSING, WSMsgType.CLOSED, WSMsgType.ERROR):
        # no close frame with a code: the connection went away (a reset, a dead socket), which
        # any outsider can do at will; not a refusal by a node (logged rate limited)
        raise HandshakeError(CloseCode.PROTOCOL, f"connection lost: {msg.type.name.lower()}")
    if msg.type is not WSMsgType.BINARY:
        raise HandshakeError(CloseCode.PROTOCOL, f"expected a binary frame, got {msg.type.name}")
    try:
        msg_type, payload = decode_frame(msg.data, _LIMITS)
    except MalformedMessageError as exc:
        raise HandshakeError(CloseCode.PROTOCOL, f"malformed handshake: {exc}") from exc
    if msg_type is not expected:
        raise HandshakeError(CloseCode.PROTOCOL, f"expected {expected.name}, got {msg_type.name}")
    return payload


def check_hello(identity: Identity, hello: Hello) -> None:
    """The checks that need nothing but our own identity."""
    if hello.version != PROTOCOL_VERSION:
        raise HandshakeError(
            CloseCode.WRONG_CHAIN,
            f"protocol version {hello.version}, expected {PROTOCOL_VERSION}",
        )
    if hello.chain_id != identity.chain_id:
        raise HandshakeError(
            CloseCode.WRONG_CHAIN,
            f"chain id {hello.chain_id!r}, expected {identity.chain_id!r}",
        )
    if hello.genesis_hash != identity.genesis_hash:
        raise HandshakeError(
            CloseCode.WRONG_CHAIN,
            f"genesis hash {hello.genesis_hash.hex()[:16]}.., "
            f"expected {identity.genesis_hash.hex()[:16]}..",
        )
    if hello.public_key == identity.key.public_key:
        raise HandshakeError(CloseCode.SELF, "connected to ourselves")


async def handshake(
    ws: WebSocket,
    identity: Identity,
    direction: Direction,
    admit: Callable[[bytes], None],
    expected_key: bytes | None = None,
    *,
    hello_timeout: float | None = None,
) -> tuple[bytes, Session]:
    """Run the handshake on an open WebSocket; return the peer's proven public key and the
    session that seals every later frame (node/p2p/session.py).

    `admit(public_key)` raises `HandshakeError` for a key that is not allowed or is banned; it
    runs before we sign anything for the peer. The caller bounds the whole exchange with a timeout
    and closes the socket with the refusal's code; `hello_timeout` bounds the wait for the first
    message alone (an inbound socket that says nothing frees its slot soon).
    """
    ephemeral = EphemeralKey()
    ours = Hello(
        PROTOCOL_VERSION,
        identity.chain_id,
        identity.genesis_hash,
        identity.key.public_key,
        os.urandom(NONCE_LEN),
        ephemeral.public,
    )
    await ws.send_bytes(encode_frame(MessageType.HELLO, ours.encode()))
    try:
        async with asyncio.timeout(hello_timeout):
            theirs = Hello.decode(await receive_message(ws, MessageType.HELLO))
    except TimeoutError:
        raise HandshakeError(CloseCode.TIMEOUT, "no hello in time") from None
    except MalformedMessageError as exc:
        raise HandshakeError(CloseCode.PROTOCOL, f"malformed hello: {exc}") from exc
    check_hello(identity, theirs)
    if expected_key is not None and theirs.public_key != expected_key:
        raise HandshakeError(
            CloseCode.UNEXPECTED_KEY,
            f"peer presented key {theirs.public_key.hex()}, expected {expected_key.hex()}",
        )
    admit(theirs.public_key)

    if direction is Direction.OUTBOUND:
        dialer, listener, their_role = ours, theirs, Direction.INBOUND
    else:
        dialer, listener, their_role = theirs, ours, Direction.OUTBOUND
    chain_id, genesis_hash = identity.chain_id, identity.genesis_hash
    ours_signed = transcript(
        chain_id=chain_id,
        genesis_hash=genesis_hash,
        dialer=dialer,
        listener=listener,
        signer=direction,
    )
    await ws.send_bytes(
        encode_frame(MessageType.AUTH, Auth(identity.key.sign(ours_signed)).encode())
    )
    try:
        auth = Auth.decode(await receive_message(ws, MessageType.AUTH))
    except MalformedMessageError as exc:
        raise HandshakeError(CloseCode.PROTOCOL, f"malformed auth: {exc}") from exc
    theirs_signed = transcript(
        chain_id=chain_id,
        genesis_hash=genesis_hash,
        dialer=dialer,
        listener=listener,
        signer=their_role,
    )
    if not verify(theirs.public_key, theirs_signed, auth.signature):
        raise HandshakeError(CloseCode.BAD_SIGNATURE, "handshake signature does not verify")
    try:
        shared = ephemeral.shared(theirs.ephemeral)
    except SessionError as exc:
        raise HandshakeError(CloseCode.PROTOCOL, str(exc)) from exc
    base = transcript(
        chain_id=chain_id, genesis_hash=genesis_hash, dialer=dialer, listener=listener, signer=None
    )
    session = derive_session(shared, base, dialer=direction is Direction.OUTBOUND)
    return theirs.public_key, session
