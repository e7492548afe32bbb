"""Runner payloads: round trips, and every malformed input is one MalformedError."""

from __future__ import annotations

import pytest

from ledger import codec
from ledger.block import Vote, VoteType
from ledger.codec import MalformedError
from ledger.keys import PrivateKey
from node.wire import BlockRequest, BlockResponse, Status, decode_evidence, decode_vote, encode_vote

KEY = PrivateKey.from_secret(b"wire")


def test_status_and_request_round_trip() -> None:
    status = Status(7, bytes(range(32)), 3)
    assert Status.decode(status.encode()) == status
    assert Status.decode(Status(0, b"", 0).encode()).height == 0
    assert BlockRequest.decode(BlockRequest(9).encode()) == BlockRequest(9)


@pytest.mark.parametrize(
    "payload",
    [
        b"",
        b"\xc1",
        codec.encode([1, bytes(32)]),
        codec.encode([0, bytes(32), 0]),  # a hash at height 0
        codec.encode([3, b"", 0]),  # no hash above height 0
        codec.encode([-1, b"", 0]),
        codec.encode([1, bytes(32), 2**40]),
        codec.encode([1, "text", 0]),
    ],
)
def test_malformed_status_is_refused(payload: bytes) -> None:
    with pytest.raises(MalformedError):
        Status.decode(payload)


def test_vote_round_trip_and_bounds() -> None:
    vote = Vote(VoteType.PREVOTE, 3, 0, bytes(32), KEY.address, bytes(64))
    assert decode_vote(encode_vote(vote)) == vote
    with pytest.raises(MalformedError):
        decode_vote(codec.encode([1, 3, 0, bytes(31), KEY.address.raw, bytes(64)]))
    with pytest.raises(MalformedError):
        decode_vote(b"\x00" * 2000)


def test_block_requests_and_responses_refuse_garbage() -> None:
    for payload in (codec.encode([0]), codec.encode([1, 2]), b"\x90"):
        with pytest.raises(MalformedError):
            BlockRequest.decode(payload)
    for payload in (codec.encode([1, b"x", b"y"]), codec.encode([1, 2, 3]), b"\xff"):
        with pytest.raises(MalformedError):
            BlockResponse.decode(payload)


def test_evidence_that_is_not_a_double_sign_is_malformed() -> None:
    vote = Vote(VoteType.PREVOTE, 3, 0, bytes(32), KEY.address, bytes(64))
    same_twice = codec.encode([vote.to_fields(), vote.to_fields()])
    with pytest.raises(MalformedError, match="same block"):
        decode_evidence(same_twice)
