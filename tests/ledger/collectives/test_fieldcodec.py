"""The list readers the payloads share: each item is checked (type, width, length) and a bad
one makes the whole field malformed, naming it; good items come back as they were sent."""

from __future__ import annotations

import pytest

from ledger.codec import U64_MAX, Fields, MalformedError
from ledger.collectives.fieldcodec import address_list, pairs, str_list, u64_list
from ledger.keys import ADDRESS_LEN, Address


def fields(value: object) -> Fields:
    return Fields([value], 1, "payload")


def test_an_address_list_holds_whole_addresses_only() -> None:
    raw = [bytes([1]) * ADDRESS_LEN, bytes([2]) * ADDRESS_LEN]
    assert address_list(fields(raw), "signers", 2) == tuple(Address(r) for r in raw)
    for bad in ([bytes(ADDRESS_LEN - 1)], [bytes(ADDRESS_LEN + 1)], ["x" * ADDRESS_LEN], [7]):
        with pytest.raises(MalformedError, match="signers"):
            address_list(fields(bad), "signers", 2)
    with pytest.raises(MalformedError, match="signers"):
        address_list(fields(raw), "signers", 1)


def test_a_string_list_holds_strings_up_to_their_byte_limit() -> None:
    assert str_list(fields(["abc", "é" * 2, ""]), "choices", 3, 4) == ("abc", "éé", "")
    for bad in (["abcde"], ["é" * 3], [b"abc"], [3]):
        with pytest.raises(MalformedError, match="choices"):
            str_list(fields(bad), "choices", 3, 4)


def test_a_u64_list_holds_unsigned_64_bit_integers() -> None:
    assert u64_list(fields([0, 1, U64_MAX]), "weights", 3) == (0, 1, U64_MAX)
    for bad in ([-1], [U64_MAX + 1], [True], ["1"]):
        with pytest.raises(MalformedError, match="weights"):
            u64_list(fields(bad), "weights", 3)


def test_pairs_are_two_integers_each() -> None:
    assert pairs(fields([[0, 5], [2, U64_MAX]]), "burns", 2) == ((0, 5), (2, U64_MAX))
    for bad in ([[1]], [[1, 2, 3]], [[1, -2]], [5]):
        with pytest.raises(MalformedError, match="burns"):
            pairs(fields(bad), "burns", 2)
