"""The tx file format: a pinned example, views of any payload, and hex that is authoritative."""

from __future__ import annotations

import json
from dataclasses import dataclass
from enum import IntEnum

import pytest

from cli.wallet import txfile
from cli.wallet.txfile import TxFileError
from ledger.keys import Address, PrivateKey
from ledger.tx import Transfer, TxBody
from tests.cli.helpers import ALICE_SEED, CHAIN_ID

ALICE = PrivateKey(ALICE_SEED)
BOB = Address(bytes([7]) * 20)
GENESIS_HASH = bytes(32)


def _body(memo: str = "hi") -> TxBody:
    return TxBody(CHAIN_ID, ALICE.public_key, 0, 1, Transfer(BOB, 5, memo))


def test_unsigned_document_is_pinned() -> None:
    doc = txfile.unsigned_document(_body(), "tcot")
    assert doc == {
        "format": "coterie-tx/v1",
        "signed": False,
        "address_prefix": "tcot",
        "tx": {
            "chain_id": CHAIN_ID,
            "kind": "transfer",
            "kind_number": 1,
            "sender": ALICE.address.to_text("tcot"),
            "sender_public_key": ALICE.public_key.hex(),
            "nonce": 0,
            "fee": 1,
            "payload": {"recipient": BOB.to_text("tcot"), "amount": 5, "memo": "hi"},
        },
        # the golden bytes of tests/ledger/test_tx.py
        "body_hex": (
            "96ac636f74657269652d7465737401c42003a107bff3ce10be1d70dd18e74bc09967e4d6309ba50d5f"
            "1ddc8664125531b8000193c414070707070707070707070707070707070707070705a26869"
        ),
    }


def test_documents_parse_back() -> None:
    body = _body("ünïcode ✓")
    unsigned = txfile.parse(txfile.dumps(txfile.unsigned_document(body, "cot")))
    assert unsigned == txfile.TxDocument(body, None, "cot", None)
    signed_tx = body.sign(ALICE, GENESIS_HASH)
    signed = txfile.parse(txfile.dumps(txfile.signed_document(signed_tx, "cot", GENESIS_HASH)))
    assert signed.signed == signed_tx and signed.genesis_hash == GENESIS_HASH
    assert signed.body == body


def test_raw_hex_of_a_body_or_an_envelope() -> None:
    body = _body()
    signed = body.sign(ALICE, GENESIS_HASH)
    assert txfile.parse(body.encode().hex()) == txfile.TxDocument(body, None, None, None)
    parsed = txfile.parse(" 0x" + signed.encode().hex() + "\n")
    assert parsed.signed == signed and parsed.prefix is None


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("signature", "00" * 64),
        ("hash", "00" * 32),
        ("signed_hex", None),
        ("signed_for_genesis", "abcd"),
        ("address_prefix", "cot"),
    ],
)
def test_every_signed_field_is_checked(field: str, value: object) -> None:
    signed = _body().sign(ALICE, GENESIS_HASH)
    doc = txfile.signed_document(signed, "tcot", GENESIS_HASH)
    doc[field] = value
    with pytest.raises(TxFileError):
        txfile.parse(json.dumps(doc))


def test_a_signed_envelope_in_an_unsigned_file_is_refused() -> None:
    signed = _body().sign(ALICE, GENESIS_HASH)
    doc = txfile.unsigned_document(_body(), "tcot")
    doc["body_hex"] = signed.encode().hex()
    with pytest.raises(TxFileError, match="does not hold a bare tx"):
        txfile.parse(json.dumps(doc))


def test_oversize_input_is_refused() -> None:
    with pytest.raises(TxFileError, match="larger than"):
        txfile.parse("0" * (txfile.MAX_FILE_CHARS + 1))


def test_checked_body_catches_what_nodes_would_refuse() -> None:
    assert txfile.checked_body(_body()) == _body()
    with pytest.raises(ValueError, match="memo"):
        txfile.checked_body(_body("x" * 257))


class Colour(IntEnum):
    RED = 1


@dataclass(frozen=True)
class Inner:
    who: Address
    tag: bytes


@dataclass(frozen=True)
class FuturePayload:
    """Stands for a payload kind that does not exist yet: the view must need no new code."""

    colour: Colour
    members: tuple[Inner, ...]
    note: str | None
    flag: bool


def test_any_payload_dataclass_renders() -> None:
    value = FuturePayload(Colour.RED, (Inner(BOB, b"\x01\x02"),), None, True)
    assert txfile.render_value(value, "tcot") == {
        "colour": "red",
        "members": [{"who": BOB.to_text("tcot"), "tag": "0102"}],
        "note": None,
        "flag": True,
    }
    with pytest.raises(TypeError):
        txfile.render_value(1.5, "tcot")


def test_prefix_rule_matches_genesis() -> None:
    assert txfile.is_valid_prefix("tcot") and txfile.is_valid_prefix("cot2")
    for bad in ["", "TCOT", "t-cot", "a" * 17, "tcöt"]:
        assert not txfile.is_valid_prefix(bad)
