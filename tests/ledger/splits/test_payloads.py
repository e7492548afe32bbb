"""Golden bytes of every split payload, and the bounds their decoders enforce."""

from __future__ import annotations

import pytest

from ledger import codec
from ledger.codec import MalformedError
from ledger.keys import PrivateKey
from ledger.splits.admin import OwnerAction
from ledger.splits.consent import Consent
from ledger.splits.parties import Party, PartyKind
from ledger.splits.payloads import (
    SplitAcceptOwnership,
    SplitCreate,
    SplitDistribute,
    SplitPay,
    SplitUpdate,
)
from ledger.splits.records import SplitMode, SplitTerms, Tranche
from ledger.tx import Payload, SignedTx, TxBody

KEY = PrivateKey(bytes(range(32)))
A = Party(PartyKind.ACCOUNT, bytes([1]) * 20)
B = Party(PartyKind.ACCOUNT, bytes([2]) * 20)
SPLIT_ID = bytes([9]) * 32
TERMS = SplitTerms((A, B, Party.split(SPLIT_ID)), (1, 2, 3), 6, 500, SplitMode.ACCRUE, 7)
# every body is [chain_id, kind, sender(32), nonce=0, fee=1, payload]; the payload comes last
HEADER = (
    "96ac636f74657269652d74657374{kind:02x}"
    "c42003a107bff3ce10be1d70dd18e74bc09967e4d6309ba50d5f1ddc8664125531b80001"
)


def body_hex(payload: Payload) -> str:
    signed = TxBody("coterie-test", KEY.public_key, 0, 1, payload).sign(KEY, bytes(32))
    assert SignedTx.decode(signed.encode()) == signed
    return signed.body.encode().hex()


@pytest.mark.parametrize(
    ("payload", "payload_hex"),
    [
        (
            # [owner, [recipients, shares, total, fee, mode, lock], [[recipient, cap]]]
            SplitCreate(A, TERMS, (Tranche(B, 1000),)),
            "939200c414010101010101010101010101010101010101010196939200c41401010101010101010101010101"
            "010101010101019200c41402020202020202020202020202020202020202029201c420090909090909090909"
            "09090909090909090909090909090909090909090909099301020306cd01f4010791929200c4140202020202"
            "020202020202020202020202020202cd03e8",
        ),
        (
            # [split_id, version, terms, owner_action, new_owner, [[public_key, signature]]]
            SplitUpdate(
                SPLIT_ID,
                3,
                SplitTerms((A,), (1,), 1),
                OwnerAction.PROPOSE,
                B,
                (Consent(bytes([4]) * 32, bytes([5]) * 64),),
            ),
            "96c42009090909090909090909090909090909090909090909090909090909090909090396919200c4140101"
            "010101010101010101010101010101010101910101000000019200c414020202020202020202020202020202"
            "02020202029192c4200404040404040404040404040404040404040404040404040404040404040404c44005"
            "0505050505050505050505050505050505050505050505050505050505050505050505050505050505050505"
            "05050505050505050505050505050505050505",
        ),
        (
            # [split_id, amount, invoice_ref, memo]
            SplitPay(SPLIT_ID, 1000, b"INV-1", "hi"),
            "94c4200909090909090909090909090909090909090909090909090909090909090909cd03e8c405494e562d"
            "31a26869",
        ),
        (
            # [split_id, amount]
            SplitDistribute(SPLIT_ID, 0),
            "92c420090909090909090909090909090909090909090909090909090909090909090900",
        ),
        (
            # [split_id]
            SplitAcceptOwnership(SPLIT_ID),
            "91c4200909090909090909090909090909090909090909090909090909090909090909",
        ),
    ],
)
def test_split_payload_golden_bytes(payload: Payload, payload_hex: str) -> None:
    assert body_hex(payload) == HEADER.format(kind=int(payload.KIND)) + payload_hex


def terms_fields(**changes: object) -> list[object]:
    fields = TERMS.to_fields()
    names = ["recipients", "shares", "total", "fee_ppm", "mode", "locked_until_ms"]
    for name, value in changes.items():
        fields[names.index(name)] = value
    return fields


@pytest.mark.parametrize(
    ("cls", "fields", "reason"),
    [
        (SplitCreate, [None, terms_fields(recipients=[[9, b"x" * 20]]), []], "unknown party"),
        (SplitCreate, [None, terms_fields(recipients=[[0, b"x" * 19]]), []], "20 bytes"),
        (SplitCreate, [None, terms_fields(recipients=[[1, b"x" * 20]]), []], "32 bytes"),
        (SplitCreate, [None, terms_fields(fee_ppm=65_536), []], "fee_ppm"),
        (SplitCreate, [None, terms_fields(mode=2), []], "mode"),
        (SplitCreate, [None, terms_fields(shares=[1, 0, 3]), []], "share"),
        (SplitCreate, [None, terms_fields(shares=list(range(1, 202))), []], "exceeds 200"),
        (SplitCreate, [None, terms_fields(), [[A.to_fields(), 0]]], "cap"),
        (SplitCreate, [None, terms_fields(), [[A.to_fields(), 1]] * 17], "exceeds 16"),
        (SplitUpdate, [SPLIT_ID, 0, None, 9, None, []], "owner action"),
        (SplitUpdate, [SPLIT_ID, 0, None, 1, None, [[b"k" * 31, b"s" * 64]]], "public_key"),
        (SplitPay, [SPLIT_ID, -1, b"", ""], "amount"),
        (SplitPay, [SPLIT_ID, 1, b"i" * 65, ""], "invoice_ref"),
        (SplitPay, [SPLIT_ID[:31], 1, b"", ""], "split_id"),
        (SplitDistribute, [SPLIT_ID], "expected 2 fields"),
        (SplitAcceptOwnership, [SPLIT_ID, 0], "expected 1 fields"),
        # a short id or signature is refused, not read as another one
        (SplitUpdate, [SPLIT_ID[:31], 0, None, 1, None, []], "split_id"),
        (SplitUpdate, [SPLIT_ID, 0, None, 1, None, [[b"k" * 32, b"s" * 63]]], "signature"),
        (SplitDistribute, [SPLIT_ID[:31], 0], "split_id"),
        (SplitAcceptOwnership, [SPLIT_ID[:31]], "split_id"),
    ],
)
def test_decoders_enforce_their_bounds(cls: type[Payload], fields: object, reason: str) -> None:
    raw = codec.decode(codec.encode(fields))  # type: ignore[arg-type]
    with pytest.raises(MalformedError, match=reason):
        cls.from_fields(raw)


@pytest.mark.parametrize(
    "payload",
    [
        SplitDistribute(SPLIT_ID, 7),
        SplitPay(SPLIT_ID, 5, b"inv", "memo"),
        SplitAcceptOwnership(SPLIT_ID),
        SplitUpdate(SPLIT_ID, 2, None, OwnerAction.CANCEL),
        SplitUpdate(SPLIT_ID, 1, TERMS),  # KEEP, the lowest owner action
    ],
)
def test_every_field_survives_the_round_trip(payload: Payload) -> None:
    """Decoding gives back every field, not only those the golden cases happen to set."""
    raw = codec.decode(codec.encode(payload.to_fields()))
    assert type(payload).from_fields(raw) == payload
