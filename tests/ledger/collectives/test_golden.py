"""Golden bytes of every collectives payload kind: a drift in an encoding fails here."""

from __future__ import annotations

import pytest

from ledger.collectives.create import CollectiveCreate, Founder
from ledger.collectives.delegation import Delegate
from ledger.collectives.exit import RageKick, Ragequit
from ledger.collectives.ids import NATIVE, Asset
from ledger.collectives.membership import MembershipApply, MembershipRenew, MembershipWithdraw
from ledger.collectives.model import DEFAULT_CLASSES
from ledger.collectives.params import CollectiveParams
from ledger.collectives.token_transfer import TokenTransfer
from ledger.collectives.treasury_deposit import TreasuryDeposit
from ledger.governance.kinds import ProposalKind
from ledger.governance.policy import Policy
from ledger.keys import Address
from ledger.tx import Payload
from tests.ledger.golden import check_golden

CID = bytes(range(20))
A = Address(bytes([7]) * 20)
B = Address(bytes([9]) * 20)

GOLDEN: list[tuple[Payload, str]] = [
    (
        CollectiveCreate(
            "Pixel Guild",
            "ipfs://x",
            DEFAULT_CLASSES,
            (Founder(A, (10, 2)),),
            CollectiveParams(),
            ((ProposalKind.ADMIT, Policy()),),
        ),
        "96ab506978656c204775696c64a8697066733a2f2f789294a673686172657300c2c394a46c6f6f74"
        "01c2c39192c4140707070707070707070707070707070707070707920a02dc001201009000050101"
        "ce240c8400ce48190800ce0007a12003ce000a2c2b00ce9a7ec80000cd03e8ce000186a0c2919201"
        "dc001100ce000518b0ce0007a120ce000518b000ce000186a0ce0f731400ce0a4cb800c2c2c2ce05"
        "265c00ce05265c00ce0007a120ce000a2d789000",
    ),
    (
        MembershipApply(CID, ((0, 5),), NATIVE, 100, "I restore SNES carts"),
        "95c414000102030405060708090a0b0c0d0e0f1011121391920005c40064b44920726573746f7265"
        "20534e4553206361727473",
    ),
    (
        MembershipWithdraw(3),
        "9103",
    ),
    (
        MembershipRenew(CID, A),
        "92c414000102030405060708090a0b0c0d0e0f10111213c414070707070707070707070707070707"
        "0707070707",
    ),
    (
        Ragequit(CID, ((0, 4), (1, 2))),
        "92c414000102030405060708090a0b0c0d0e0f1011121392920004920102",
    ),
    (
        RageKick(CID, A),
        "92c414000102030405060708090a0b0c0d0e0f10111213c414070707070707070707070707070707"
        "0707070707",
    ),
    (
        TokenTransfer(CID, 1, A, 9),
        "94c414000102030405060708090a0b0c0d0e0f1011121301c4140707070707070707070707070707"
        "07070707070709",
    ),
    (
        Delegate(CID, ProposalKind.SPEND, ((A, 600_000), (B, 400_000))),
        "93c414000102030405060708090a0b0c0d0e0f10111213039292c414070707070707070707070707"
        "0707070707070707ce000927c092c4140909090909090909090909090909090909090909ce00061a"
        "80",
    ),
    (
        TreasuryDeposit(CID, Asset(CID, 1), 77, "memo", b"INV-1"),
        "95c414000102030405060708090a0b0c0d0e0f10111213c415000102030405060708090a0b0c0d0e"
        "0f10111213014da46d656d6fc405494e562d31",
    ),
]


@pytest.mark.parametrize(("payload", "expected"), GOLDEN, ids=lambda v: type(v).__name__)
def test_golden_bytes(payload: Payload, expected: str) -> None:
    check_golden(payload, expected)
