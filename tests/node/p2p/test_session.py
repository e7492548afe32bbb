"""Issue 14, item 6: a session is bound to its handshake, so someone on the path who relays a
real handshake between two honest nodes can neither inject nor alter frames afterwards.

On 2010e93 the handshake proved both node keys but nothing bound the frames after it: a relay
could pass the handshake through, then speak for either side (for example, send garbage in an
honest peer's name until it was banned). Frames are now sealed with ChaCha20-Poly1305 under keys
from an ephemeral X25519 exchange that both node keys sign (docs/p2p.md, "Session").
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

import pytest

from node.p2p import MessageType
from node.p2p.messages import encode_frame
from node.p2p.session import TAG_LEN, EphemeralKey, Session, SessionError, derive_session

if TYPE_CHECKING:
    from tests.node.p2p.conftest import Relay, TestNode

INJECTED = b"\x93\x01\x02injected by the relay"


async def test_a_relayed_handshake_gives_the_relay_no_way_to_inject_frames(
    relay_between: tuple[TestNode, TestNode, Relay], wait_until
) -> None:
    dialer, listener, relay = relay_between
    await wait_until(lambda: listener.manager.peers == [dialer.id], what="a session via the relay")
    frame = encode_frame(MessageType.VOTE, INJECTED)
    for _ in range(3):
        await relay.inject(frame)
    await asyncio.sleep(0.5)
    delivered = [m for m in listener.handler.messages if m[2] == INJECTED]
    assert delivered == []  # never reaches the handler as the dialer's message
    assert listener.manager.scores.score(dialer.id) == 0  # and costs the honest dialer nothing


def _pair() -> tuple[Session, Session]:
    a, b = EphemeralKey(), EphemeralKey()
    base = b"transcript"
    return (
        derive_session(a.shared(b.public), base, dialer=True),
        derive_session(b.shared(a.public), base, dialer=False),
    )


def test_sealed_frames_open_in_order_and_nothing_else_does() -> None:
    dialer, listener = _pair()
    first, second = dialer.seal(b"one"), dialer.seal(b"two")
    assert len(first) == 3 + TAG_LEN
    assert listener.open(first) == b"one"
    with pytest.raises(SessionError):  # replayed
        listener.open(first)
    dialer2, listener2 = _pair()
    sealed = dialer2.seal(b"frame")
    with pytest.raises(SessionError):  # altered
        listener2.open(sealed[:-1] + bytes([sealed[-1] ^ 1]))
    with pytest.raises(SessionError):  # skipped: `second` was never delivered
        listener.open(dialer.seal(b"three"))
    assert second
    assert dialer.open(listener.seal(b"reply")) == b"reply"  # the other direction has its own key


def test_a_session_derived_with_another_transcript_cannot_read() -> None:
    a, b = EphemeralKey(), EphemeralKey()
    ours = derive_session(a.shared(b.public), b"transcript", dialer=True)
    theirs = derive_session(b.shared(a.public), b"another transcript", dialer=False)
    with pytest.raises(SessionError):
        theirs.open(ours.seal(b"frame"))


def test_a_low_order_ephemeral_key_is_refused() -> None:
    with pytest.raises(SessionError):
        EphemeralKey().shared(bytes(32))
