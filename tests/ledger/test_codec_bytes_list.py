"""The fast path for flat arrays of byte strings agrees with the general codec."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ledger import codec
from ledger.codec import MalformedError, decode_bytes_list, encode_bytes_list


@given(st.lists(st.binary(max_size=300), max_size=50))
def test_encoding_matches_the_general_codec(items):
    data = encode_bytes_list(items)
    assert data == codec.encode(items)
    assert decode_bytes_list(data, 50, 300) == items


@given(st.binary(max_size=100))
def test_anything_the_fast_decoder_accepts_the_general_one_accepts_too(data):
    with contextlib.suppress(MalformedError):
        items = decode_bytes_list(data, 100, 100)
        assert codec.decode(data) == items


@pytest.mark.parametrize(
    "data",
    [
        b"\x92\xc4\x01a\xa1b",  # a string item
        b"\x91\x91\xc4\x00",  # a nested array
        b"\x91\xc5\x00\x01a",  # not minimally encoded
        b"\x91\xc4\x01ab",  # trailing byte
        b"\xc4\x01a",  # not an array
        b"\x81\xc4\x00\xc4\x00",  # a map
        b"\x93\xc4\x00\xc4\x00\xc4\x00",  # more items than allowed
        b"\x91\xc4\x05abcde",  # an item longer than allowed
    ],
)
def test_bad_input_is_malformed(data):
    with pytest.raises(MalformedError):
        decode_bytes_list(data, 2, 4)


def test_limits_and_types():
    with pytest.raises(MalformedError):
        decode_bytes_list(encode_bytes_list([b"x"]), 10, 10, max_bytes=2)
    with pytest.raises(MalformedError):
        encode_bytes_list([b"x", "y"])  # type: ignore[list-item]
