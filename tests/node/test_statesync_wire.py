"""State sync's P2P payloads: golden bytes, round trips, and bounds checked at the boundary."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ledger import codec
from ledger.codec import MalformedError
from ledger.store.snapshot import MAX_CHUNK_BYTES
from node.p2p import MessageType, message_limits
from node.p2p.messages import MAX_OFFERS, MAX_SNAPSHOT_CHUNKS
from node.statesync_wire import (
    ChunkRequest,
    ChunkResponse,
    SnapshotOffer,
    decode_offers,
    encode_offers,
)

HASH = st.binary(min_size=32, max_size=32)
OFFER = st.builds(
    SnapshotOffer,
    st.integers(1, 2**63 - 1),
    HASH,
    st.lists(HASH, min_size=1, max_size=8).map(tuple),
)


def test_golden_bytes() -> None:
    offer = SnapshotOffer(10, b"\x11" * 32, (b"\x22" * 32,))
    assert encode_offers([offer]).hex() == "91930ac420" + "11" * 32 + "91c420" + "22" * 32
    assert ChunkRequest(10, 3).encode().hex() == "920a03"
    assert ChunkResponse(10, 3, b"ab").encode().hex() == "930a03c4026162"


@settings(max_examples=50, deadline=None)
@given(st.lists(OFFER, max_size=MAX_OFFERS))
def test_offers_round_trip_within_the_message_limit(offers: list[SnapshotOffer]) -> None:
    payload = encode_offers(offers)
    assert decode_offers(payload) == offers
    assert len(payload) <= message_limits()[MessageType.SNAPSHOTS_RESPONSE]


def test_the_largest_offers_fit_the_message_limit() -> None:
    big = SnapshotOffer(2**63 - 1, b"\x11" * 32, (b"\x22" * 32,) * MAX_SNAPSHOT_CHUNKS)
    payload = encode_offers([big] * MAX_OFFERS)
    assert len(payload) <= message_limits()[MessageType.SNAPSHOTS_RESPONSE]
    response = ChunkResponse(2**63 - 1, MAX_SNAPSHOT_CHUNKS - 1, b"x" * MAX_CHUNK_BYTES)
    assert len(response.encode()) <= message_limits()[MessageType.CHUNK_RESPONSE]


@pytest.mark.parametrize(
    "payload",
    [
        codec.encode([[10, b"\x11" * 32, []]]),  # no chunk
        codec.encode([[10, b"\x11" * 31, [b"\x22" * 32]]]),  # short root
        codec.encode([[10, b"\x11" * 32, [b"\x22" * 31]]]),  # short chunk hash
        codec.encode([[0, b"\x11" * 32, [b"\x22" * 32]]]),  # height 0
        codec.encode([[1, b"\x11" * 32, [b"\x22" * 32]]] * (MAX_OFFERS + 1)),
        codec.encode(7),
        b"\xc1",
    ],
)
def test_a_malformed_offer_is_refused_at_the_boundary(payload: bytes) -> None:
    with pytest.raises(MalformedError):
        decode_offers(payload)


def test_a_malformed_chunk_request_or_response_is_refused() -> None:
    with pytest.raises(MalformedError):
        ChunkRequest.decode(codec.encode([1, MAX_SNAPSHOT_CHUNKS]))
    with pytest.raises(MalformedError):
        ChunkResponse.decode(codec.encode([1, 0, "text"]))
