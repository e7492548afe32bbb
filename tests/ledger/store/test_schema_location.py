"""A tx's stored location is the canonical encoding of its fields, however it is built."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from ledger import codec
from ledger.store import schema
from ledger.store.schema import TxLocation

U64 = 2**64 - 1


@settings(max_examples=200, deadline=None)
@given(
    height=st.integers(1, U64),
    position=st.integers(0, 20_000),
    receipt=st.binary(max_size=40),
    offset=st.integers(1, 2**32 - 1),
    length=st.one_of(st.just(0), st.integers(1, 2**32 - 1)),
)
def test_location_bytes_is_the_canonical_encoding_and_decodes_back(
    height: int, position: int, receipt: bytes, offset: int, length: int
) -> None:
    """`location_bytes` (what a block's write puts, one per tx) equals `TxLocation.encode` and
    `codec.encode` of the fields (offset and length left out when the length is unknown)."""
    data = schema.location_bytes(height, position, receipt, offset, length)
    fields: list[int | bytes] = [height, position, receipt]
    if length:
        fields += [offset, length]
    assert data == codec.encode(fields)
    assert data == TxLocation(height, position, receipt, offset, length).encode()
    expected = TxLocation(height, position, receipt, offset if length else 0, length)
    assert TxLocation.decode(data) == expected
