"""Wire format: stable numbers, golden bytes, limits checked before decoding, one error type."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ledger import codec
from ledger.codec import MalformedError
from node.p2p import MalformedMessageError, MessageType, OversizedMessageError, message_limits
from node.p2p.handshake import transcript
from node.p2p.messages import (
    ENVELOPE_OVERHEAD,
    Auth,
    Hello,
    decode_frame,
    decode_txs,
    encode_frame,
    encode_txs,
    peek_type,
)

LIMITS = message_limits()


def test_message_numbers_are_stable():
    assert {t.name: t.value for t in MessageType} == {
        "HELLO": 1,
        "AUTH": 2,
        "TXS": 10,
        "PROPOSAL": 20,
        "VOTE": 21,
        "EVIDENCE": 22,
        "STATUS": 40,
        "BLOCK_REQUEST": 41,
        "BLOCK_RESPONSE": 42,
        "SNAPSHOTS_REQUEST": 60,
        "SNAPSHOTS_RESPONSE": 61,
        "CHUNK_REQUEST": 62,
        "CHUNK_RESPONSE": 63,
    }
    assert all(t < 128 for t in MessageType)  # one-byte fixint: readable before decoding


def test_golden_bytes():
    assert encode_frame(MessageType.VOTE, b"ab").hex() == "9215c4026162"
    assert encode_txs([b"\x01", b"\x02\x03"]).hex() == "92c40101c4020203"
    hello = Hello(2, "c", b"\x11" * 32, b"\x22" * 32, b"\x33" * 32, b"\x77" * 32)
    assert hello.encode().hex() == (
        "9602a163c420" + "11" * 32 + "c420" + "22" * 32 + "c420" + "33" * 32 + "c420" + "77" * 32
    )
    assert Auth(b"\x44" * 64).encode().hex() == "91c440" + "44" * 64
    other = Hello(2, "c", b"\x11" * 32, b"\x55" * 32, b"\x66" * 32, b"\x88" * 32)
    signed = transcript(
        chain_id="c", genesis_hash=b"\x11" * 32, dialer=hello, listener=other, signer=0
    )
    assert signed.hex() == (
        b"coterie/p2p-handshake/v2\x00".hex()
        + "9a02a163c420"
        + "11" * 32
        + "c420"
        + "22" * 32
        + "c420"
        + "33" * 32
        + "c420"
        + "77" * 32
        + "c420"
        + "55" * 32
        + "c420"
        + "66" * 32
        + "c420"
        + "88" * 32
        + "00"
    )


def test_frames_round_trip_at_the_limit_of_each_type():
    for msg_type in MessageType:
        if LIMITS[msg_type] > 1 << 20:
            continue
        payload = b"x" * LIMITS[msg_type]
        frame = encode_frame(msg_type, payload)
        assert len(frame) <= LIMITS[msg_type] + ENVELOPE_OVERHEAD
        assert decode_frame(frame, LIMITS) == (msg_type, payload)
        with pytest.raises(OversizedMessageError):
            decode_frame(encode_frame(msg_type, payload + b"x"), LIMITS)


def test_the_size_limit_is_checked_before_decoding():
    # a VOTE-typed frame twice its limit, whose body is not even msgpack: refused for its size
    frame = b"\x92\x15" + b"\xc1" * 2 * LIMITS[MessageType.VOTE]
    with pytest.raises(OversizedMessageError):
        decode_frame(frame, LIMITS)
    assert peek_type(frame) is MessageType.VOTE


@pytest.mark.parametrize(
    "frame",
    [
        b"",
        b"\x92",
        b"\x93\x15\xc4\x00\x00",  # three fields
        b"\x92\x7f\xc4\x00",  # unknown type
        b"\x92\x15\xa1x",  # payload is a string
        b"\x92\x15\xc4\x02a",  # truncated
        b"\x92\x15\xc4\x01ab",  # trailing byte
        b"\x92\x15\xc5\x00\x01a",  # not minimally encoded
        b"\x92\xcc\x15\xc4\x00",  # type not a fixint
    ],
)
def test_bad_frames_raise_one_error(frame):
    with pytest.raises(MalformedMessageError):
        decode_frame(frame, LIMITS)


@given(st.binary(max_size=200))
def test_arbitrary_bytes_never_raise_anything_else(data):
    with contextlib.suppress(MalformedMessageError):
        decode_frame(data, LIMITS)
    for decoder in (Hello.decode, Auth.decode, decode_txs):
        with contextlib.suppress(MalformedMessageError):
            decoder(data)


def test_tx_batches_are_bounded():
    assert decode_txs(encode_txs([b"a", b"bc"])) == [b"a", b"bc"]
    for bad in ([], [b""], [b"x" * 70_000], ["text"], [[b"nested"]], 7):
        with pytest.raises(MalformedMessageError):
            decode_txs(codec.encode(bad))  # type: ignore[arg-type]
    with pytest.raises(MalformedMessageError):
        decode_txs(encode_txs([b"x"] * 11), max_count=10)
    assert issubclass(MalformedMessageError, MalformedError)
