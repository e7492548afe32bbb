"""Keys, signatures and bech32m addresses with the chain's prefix."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ledger import bech32m
from ledger import keys as keys_module
from ledger.bech32m import AddressError
from ledger.hashing import digest
from ledger.keys import ADDRESS_LEN, BY_KEY_MAX, Address, PrivateKey, verify


def test_sign_and_verify_and_reject_tampering() -> None:
    key = PrivateKey.generate()
    sig = key.sign(b"hello")
    assert verify(key.public_key, b"hello", sig)
    assert not verify(key.public_key, b"hellO", sig)
    assert not verify(key.public_key, b"hello", sig[:-1] + bytes([sig[-1] ^ 1]))
    assert not verify(PrivateKey.generate().public_key, b"hello", sig)
    assert not verify(b"short", b"hello", sig)
    assert not verify(key.public_key, b"hello", b"short")


def test_seed_round_trip_gives_the_same_key() -> None:
    key = PrivateKey.generate()
    assert PrivateKey(key.seed()).public_key == key.public_key


def test_dev_keys_are_deterministic() -> None:
    alice = PrivateKey.from_secret(b"alice")
    assert alice.public_key == PrivateKey.from_secret(b"alice").public_key
    assert PrivateKey.from_secret(b"alice").address != PrivateKey.from_secret(b"bob").address


def test_address_golden_text() -> None:
    address = Address(bytes(range(20)))
    assert address.to_text("tcot") == "tcot1qqqsyqcyq5rqwzqfpg9scrgwpugpzysnps9uxt"
    assert Address.parse("tcot", "tcot1qqqsyqcyq5rqwzqfpg9scrgwpugpzysnps9uxt") == address


def test_bip350_test_vector_decodes() -> None:
    # a valid bech32m string from BIP-350
    assert bech32m.decode("a", "a1lqfn3a") == b""


def test_address_for_another_chain_is_refused() -> None:
    text = PrivateKey.from_secret(b"alice").address.to_text("cot")
    with pytest.raises(AddressError, match="prefix 'cot' is not this chain's 'tcot'"):
        Address.parse("tcot", text)


def test_address_typo_fails_the_checksum() -> None:
    text = PrivateKey.from_secret(b"alice").address.to_text("tcot")
    swapped = text[:-3] + ("q" if text[-3] != "q" else "p") + text[-2:]
    with pytest.raises(AddressError, match="checksum"):
        Address.parse("tcot", swapped)


@pytest.mark.parametrize(
    "text", ["", "tcot", "tcot1", "TCOT1Qqqq", "tcot1bbbbbbbbbbb", "x" * 100, "tcot1qqqqqqqq"]
)
def test_malformed_addresses_are_clear_errors(text: str) -> None:
    with pytest.raises(AddressError):
        Address.parse("tcot", text)


@pytest.mark.parametrize(
    "text",
    [
        "a1lqfn3a",
        "abcdef1l7aum6echk45nj3s0wdvt2fg8x9yrzpqzd3ryx",
        "split1checkupstagehandshakeupstreamerranterredcaperredlc445v",
    ],
)
def test_bip350_checksums_are_accepted(text: str) -> None:
    sep = text.rfind("1")
    values = [bech32m.CHARSET.index(c) for c in text[sep + 1 :]]
    assert bech32m._polymod(bech32m._hrp_expand(text[:sep]) + values) == bech32m._BECH32M_CONST


def _polymod_bit_by_bit(values: list[int]) -> int:
    """BIP-350's reference loop, as the specification writes it."""
    checksum = 1
    for value in values:
        top = checksum >> 25
        checksum = (checksum & 0x1FFFFFF) << 5 ^ value
        for i, gen in enumerate(bech32m._GENERATOR):
            if (top >> i) & 1:
                checksum ^= gen
    return checksum


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(0, 31), max_size=100))
def test_the_table_checksum_equals_the_specifications_loop(values: list[int]) -> None:
    assert bech32m._polymod(values) == _polymod_bit_by_bit(values)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.binary(min_size=32, max_size=32), min_size=1, max_size=40))
def test_a_remembered_address_is_the_hash_of_its_key(public_keys: list[bytes]) -> None:
    """The address cache never answers another key's address, also across its clearing."""
    for public_key in public_keys * 2:
        assert Address.from_public_key(public_key).raw == digest(public_key)[:ADDRESS_LEN]


def test_the_address_cache_stays_bounded() -> None:
    for i in range(BY_KEY_MAX + 10):
        key = i.to_bytes(32, "big")
        assert Address.from_public_key(key).raw == digest(key)[:ADDRESS_LEN]
    assert len(keys_module._BY_KEY) <= BY_KEY_MAX
