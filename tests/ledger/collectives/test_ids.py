"""A collective's id and a token asset's bytes are consensus data: wallets derive ids offline
and every node must agree on them byte for byte, so the derivation and the parsing rules are
pinned here against the written rule, not against the code's own output."""

from __future__ import annotations

import hashlib

import pytest

from ledger.codec import MalformedError
from ledger.collectives.ids import (
    MAX_TOKEN_CLASSES,
    NATIVE,
    Asset,
    derive_collective_id,
    genesis_collective_id,
)
from ledger.keys import Address


def test_a_collective_id_is_the_tagged_hash_of_its_creator_and_8_byte_big_endian_nonce() -> None:
    creator = Address(bytes(range(20)))
    nonce = 0x0102
    preimage = b"coterie/collective\x00" + creator.raw + bytes([0, 0, 0, 0, 0, 0, 1, 2])
    assert derive_collective_id(creator, nonce) == hashlib.sha256(preimage).digest()[:20]
    assert derive_collective_id(creator, 7).hex() == "581f26b87b10e56cfdddc44aa308563e32043a23"


def test_genesis_collectives_are_numbered_from_the_system_address() -> None:
    assert genesis_collective_id(0).hex() == "70f16be5f91f7150ca881c423665cb3bde1517ee"
    assert genesis_collective_id(0) != genesis_collective_id(1)


def test_a_token_asset_is_a_collective_id_and_a_class_below_the_limit() -> None:
    cid = bytes(range(20))
    last = Asset.parse(cid + bytes([MAX_TOKEN_CLASSES - 1]))
    assert (last.collective, last.token_class) == (cid, MAX_TOKEN_CLASSES - 1)
    assert Asset.parse(b"") is NATIVE
    with pytest.raises(MalformedError):
        Asset.parse(cid + bytes([MAX_TOKEN_CLASSES]))  # one class past the last
    for wrong_length in (cid, cid + b"\x00\x00", cid[:19] + b"\x00"):
        with pytest.raises(MalformedError):
            Asset.parse(wrong_length)  # any class byte, but not a collective id + class
