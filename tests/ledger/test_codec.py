"""Canonical encoding: one encoding per value, every bound enforced while decoding."""

from __future__ import annotations

import msgpack
import pytest
from hypothesis import given
from hypothesis import strategies as st

from ledger import codec
from ledger.codec import Fields, MalformedError

values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=codec.INT_MIN, max_value=codec.INT_MAX)
    | st.binary(max_size=64)
    | st.text(max_size=32),
    lambda children: st.lists(children, max_size=5),
    max_leaves=20,
)


@given(values)
def test_round_trip_is_identity_and_canonical(value: codec.Value) -> None:
    data = codec.encode(value)
    assert codec.decode(data) == value
    assert codec.encode(codec.decode(data)) == data


def test_golden_bytes_of_a_small_array() -> None:
    assert codec.encode([1, b"\x02", "a", None, True]).hex() == "9501c40102a161c0c3"


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (msgpack.packb(1.5), "floats"),
        (msgpack.packb({"a": 1}), "undecodable"),
        (b"\xcd\x00\x01", "not canonically"),  # 1 stored as uint16
        (codec.encode(1) + b"\x00", "undecodable"),
        (b"\xc1", "undecodable"),
        (b"\xa2\xff\xfe", "undecodable"),  # invalid UTF-8
        # regression (issue 18): the length limits let these two through
        (b"\x80", "a map is not canonical"),  # an empty map
        (b"\x91\x80", "a map is not canonical"),  # inside an array
        (b"\xc7\x00\x05", "an extension type is not canonical"),  # zero-length ext 8
        (b"\xd4\x05\x00", "ext"),  # fixext 1: refused by the length limit
    ],
)
def test_decode_rejects_non_canonical_input(data: bytes, reason: str) -> None:
    with pytest.raises(MalformedError, match=reason):
        codec.decode(data)


def test_decode_rejects_oversize_input_before_parsing() -> None:
    with pytest.raises(MalformedError, match="exceeds limit"):
        codec.decode(codec.encode(b"x" * 100), max_bytes=50)


def test_encode_refuses_floats_and_maps() -> None:
    with pytest.raises(MalformedError):
        codec.encode(1.0)  # type: ignore[arg-type]
    with pytest.raises(MalformedError):
        codec.encode({"a": 1})  # type: ignore[arg-type]
    with pytest.raises(MalformedError):
        codec.encode(2**64)


def test_fields_enforce_count_type_and_bounds() -> None:
    with pytest.raises(MalformedError, match="expected 2 fields"):
        Fields([1], 2, "thing")
    f = Fields([5, b"ab", "hi", [1, 2]], 4, "thing")
    with pytest.raises(MalformedError, match=r"thing.n: 5 outside"):
        f.int("n", 0, 4)
    f = Fields([5, b"ab", "hi", [1, 2]], 4, "thing")
    assert f.int("n", 0, 5) == 5
    with pytest.raises(MalformedError, match="expected 3 bytes"):
        f.bytes("b", 3, exact=True)
    f = Fields([True, b"abc", "hello", [1, 2, 3]], 4, "thing")
    with pytest.raises(MalformedError, match="expected an integer"):
        f.int("n")  # a boolean is not an integer
    assert f.bytes("b", 3) == b"abc"
    with pytest.raises(MalformedError, match="longer than 4"):
        f.str("s", 4)
    with pytest.raises(MalformedError, match="exceeds 2"):
        f.list("l", 2)
