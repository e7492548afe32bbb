"""Every collectives payload decodes back to itself, and refuses what it cannot be: a collective
id of another length, a token class, scope or policy kind out of range, a delegate share above
the whole. Bad bytes are a MalformedError before any handler sees them."""

from __future__ import annotations

from typing import Any

import pytest

from ledger import codec
from ledger.codec import MalformedError
from ledger.collectives.create import CollectiveCreate, Founder
from ledger.collectives.delegation import Delegate
from ledger.collectives.exit import RageKick, Ragequit
from ledger.collectives.ids import COLLECTIVE_ID_LEN, MAX_TOKEN_CLASSES, NATIVE, Asset
from ledger.collectives.membership import MembershipApply, MembershipRenew
from ledger.collectives.model import DEFAULT_CLASSES
from ledger.collectives.params import PPM, CollectiveParams
from ledger.collectives.token_transfer import TokenTransfer
from ledger.collectives.treasury_deposit import TreasuryDeposit
from ledger.governance.policy import Policy
from ledger.keys import Address
from ledger.tx import Payload

CID = bytes(range(COLLECTIVE_ID_LEN))
WHO = Address(bytes([9]) * 20)
TOKEN = Asset(bytes([5]) * COLLECTIVE_ID_LEN, 1)
NAMING_A_COLLECTIVE_FIRST: list[Payload] = [
    TokenTransfer(CID, 2, WHO, 7),
    TreasuryDeposit(CID, TOKEN, 5, "brand deal", b"inv-1"),
    MembershipApply(CID, ((0, 1), (2, 1)), NATIVE, 10, "let me in"),
    MembershipRenew(CID, WHO),
    RageKick(CID, WHO),
    Ragequit(CID, ((0, 1), (1, 2))),
    Delegate(CID, 3, ((WHO, PPM // 2),)),
]


def roundtrip(payload: Payload, fields: list[Any] | None = None) -> object:
    raw = codec.decode(codec.encode(payload.to_fields() if fields is None else fields))
    return type(payload).from_fields(raw)


@pytest.mark.parametrize("payload", NAMING_A_COLLECTIVE_FIRST, ids=lambda p: type(p).__name__)
def test_a_payload_decodes_to_itself_and_only_with_a_whole_collective_id(
    payload: Payload,
) -> None:
    assert roundtrip(payload) == payload
    for wrong in (CID[:-1], CID + b"\x00", b""):
        fields = payload.to_fields()
        fields[0] = wrong
        with pytest.raises(MalformedError):
            roundtrip(payload, fields)


@pytest.mark.parametrize("token_class", [0, MAX_TOKEN_CLASSES - 1])
def test_a_transfer_names_any_class_a_collective_can_have(token_class: int) -> None:
    transfer = TokenTransfer(CID, token_class, WHO, 1)
    assert roundtrip(transfer) == transfer
    with pytest.raises(MalformedError):
        roundtrip(transfer, [CID, MAX_TOKEN_CLASSES, WHO.raw, 1])


def test_a_transfer_names_a_whole_address() -> None:
    with pytest.raises(MalformedError):
        roundtrip(TokenTransfer(CID, 0, WHO, 1), [CID, 0, WHO.raw[:-1], 1])


@pytest.mark.parametrize("scope", [0, 0xFFFF])
def test_a_delegation_scope_is_a_16_bit_kind_and_a_share_at_most_the_whole(scope: int) -> None:
    whole = Delegate(CID, scope, ((WHO, PPM),))
    assert roundtrip(whole) == whole
    nothing = Delegate(CID, scope, ((WHO, 0),))
    assert roundtrip(nothing) == nothing
    for bad in ([CID, 0x10000, []], [CID, scope, [[WHO.raw, PPM + 1]]]):
        with pytest.raises(MalformedError):
            roundtrip(whole, bad)


@pytest.mark.parametrize("kind", [0, 0xFFFF])
def test_a_policy_override_names_a_16_bit_proposal_kind(kind: int) -> None:
    create = CollectiveCreate(
        "pixel",
        "ipfs://meta",
        DEFAULT_CLASSES,
        (Founder(WHO, (1, 0, 1)),),
        CollectiveParams(),
        ((kind, Policy()),),
    )
    assert roundtrip(create) == create
    fields = create.to_fields()
    fields[5] = [[0x10000, Policy().to_fields()]]
    with pytest.raises(MalformedError):
        roundtrip(create, fields)
