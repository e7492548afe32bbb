"""Golden bytes of the treasury, multisig-queue and moderation payload kinds and of every new
proposal action encoding (inside a ProposalSubmit, as the governance goldens do)."""

from __future__ import annotations

import pytest

from ledger.codec import MalformedError
from ledger.collectives.ids import NATIVE, Asset
from ledger.content.records import ModerationAction
from ledger.governance.actions_splits import (
    CollectiveSplitAccept,
    CollectiveSplitCreate,
    CollectiveSplitUpdate,
)
from ledger.governance.actions_treasury import (
    AcceptAsset,
    Allocate,
    HolderDistribution,
    SetAllowance,
    StreamCancel,
    StreamCreate,
)
from ledger.governance.kinds import Role, VotingMethod
from ledger.governance.multisig_queue import MultisigReject
from ledger.governance.proposal_txs import ProposalSubmit
from ledger.keys import Address
from ledger.moderation.act import ModerationAct
from ledger.moderation.actions import Moderate
from ledger.splits.admin import OwnerAction
from ledger.splits.consent import Consent
from ledger.splits.parties import Party
from ledger.splits.records import SplitMode, SplitTerms, Tranche
from ledger.treasury.allowance_spend import AllowanceSpend
from ledger.treasury.allowances import Grantee
from ledger.treasury.holder_claim import HolderClaim
from ledger.treasury.stream_claim import StreamClaim
from ledger.treasury.vesting import Schedule
from ledger.tx import Payload
from tests.ledger.golden import check_golden, check_malformed

CID = bytes(range(20))
A = Address(bytes([7]) * 20)
B = Address(bytes([9]) * 20)
TOKEN = Asset(bytes([3]) * 20, 1)
TERMS = SplitTerms((Party.account(A), Party.account(B)), (1, 2), 3, 100, SplitMode.PUSH, 5)
HASH = bytes([5]) * 32

GOLDEN: list[tuple[Payload, str]] = [
    (
        AllowanceSpend(CID, Grantee.role(Role.TREASURER), TOKEN, A, 250, "snacks"),
        "96c414000102030405060708090a0b0c0d0e0f101112139201c40103c41503030303030303030303"
        "0303030303030303030301c4140707070707070707070707070707070707070707ccfaa6736e6163"
        "6b73",
    ),
    (StreamClaim(12), "910c"),
    (HolderClaim(TOKEN), "91c415030303030303030303030303030303030303030301"),
    (MultisigReject(7), "9107"),
    (
        ModerationAct(CID, HASH, ModerationAction.LABEL, "nsfw", "ipfs://why"),
        "95c414000102030405060708090a0b0c0d0e0f10111213c420050505050505050505050505050505"
        "050505050505050505050505050505050502a46e736677aa697066733a2f2f776879",
    ),
    (
        ProposalSubmit(
            CID,
            (
                AcceptAsset(TOKEN, True),
                SetAllowance(Grantee.member(A), NATIVE, 1000, 604800),
                StreamCreate(B, NATIVE, Schedule(0, 12000, 1000, 3000, 1200)),
                StreamCancel(4),
                HolderDistribution(Asset(CID, 1), NATIVE, 900, "dividend"),
            ),
            VotingMethod.BINARY,
            (),
            False,
            "",
        ),
        "96c414000102030405060708090a0b0c0d0e0f1011121395921a92c4150303030303030303030303"
        "03030303030303030301c39214949200c4140707070707070707070707070707070707070707c400"
        "cd03e8ce00093a80921593c4140909090909090909090909090909090909090909c4009500cd2ee0"
        "cd03e8cd0bb8cd04b092169104921b94c415000102030405060708090a0b0c0d0e0f1011121301c4"
        "00cd0384a86469766964656e640090c2a0",
    ),
    (
        ProposalSubmit(
            CID,
            (Allocate(NATIVE, 500, (Party.account(A), Party.split(HASH)), "round 1"),),
            VotingMethod.QUADRATIC,
            ("a", "b"),
            False,
            "",
        ),
        "96c414000102030405060708090a0b0c0d0e0f1011121391921c94c400cd01f4929200c414070707"
        "07070707070707070707070707070707079201c42005050505050505050505050505050505050505"
        "05050505050505050505050505a7726f756e6420310592a161a162c2a0",
    ),
    (
        ProposalSubmit(
            CID,
            (
                CollectiveSplitCreate(TERMS, (Tranche(Party.account(B), 10),)),
                CollectiveSplitUpdate(
                    HASH,
                    2,
                    TERMS,
                    OwnerAction.KEEP,
                    None,
                    (Consent(bytes([1]) * 32, bytes([2]) * 64),),
                ),
                CollectiveSplitAccept(HASH),
                Moderate(HASH, ModerationAction.HIDE, "", "ipfs://r"),
            ),
            VotingMethod.BINARY,
            (),
            False,
            "m",
        ),
        "96c414000102030405060708090a0b0c0d0e0f101112139492179296929200c41407070707070707"
        "070707070707070707070707079200c4140909090909090909090909090909090909090909920102"
        "0364000591929200c41409090909090909090909090909090909090909090a921896c42005050505"
        "050505050505050505050505050505050505050505050505050505050296929200c4140707070707"
        "0707070707070707070707070707079200c414090909090909090909090909090909090909090992"
        "01020364000500c09192c42001010101010101010101010101010101010101010101010101010101"
        "01010101c44002020202020202020202020202020202020202020202020202020202020202020202"
        "020202020202020202020202020202020202020202020202020202020202921d91c4200505050505"
        "050505050505050505050505050505050505050505050505050505921994c4200505050505050505"
        "05050505050505050505050505050505050505050505050501a0a8697066733a2f2f720090c2a16d",
    ),
]


@pytest.mark.parametrize(("payload", "expected"), GOLDEN, ids=lambda v: type(v).__name__)
def test_golden_bytes(payload: Payload, expected: str) -> None:
    check_golden(payload, expected)


@pytest.mark.parametrize(
    ("payload_type", "fields", "reason"),
    [
        (AllowanceSpend, [CID, [2, b"\x01"], b"", A.raw, 1, ""], "unknown kind"),
        (AllowanceSpend, [CID, [1, b"\x01\x02"], b"", A.raw, 1, ""], "expected 1 bytes"),
        (AllowanceSpend, [CID, [0, A.raw], b"\x01", A.raw, 1, ""], "asset"),
        (StreamClaim, [-1], "stream_id"),
        (HolderClaim, [b""], "name a token class"),
        (HolderClaim, [CID], "asset"),
        (ModerationAct, [CID, HASH, 9, "", ""], "unknown moderation decision"),
        (ModerationAct, [CID, HASH[:31], 1, "", ""], "content_hash"),
        (ModerationAct, [CID, HASH, 2, "x" * 65, ""], "label"),
        (MultisigReject, [], "expected 1 fields"),
    ],
)
def test_out_of_bounds_fields_are_malformed(
    payload_type: type[Payload], fields: list[object], reason: str
) -> None:
    check_malformed(payload_type, fields, reason)


def test_out_of_range_action_fields_are_malformed() -> None:
    too_long = [[0, A.raw], b"", 5, 100 * 365 * 24 * 3600 + 1]
    with pytest.raises(MalformedError, match="period_s"):
        SetAllowance.from_fields(too_long)
    with pytest.raises(MalformedError, match="schedule"):
        StreamCreate.from_fields([A.raw, b"", [0, 1, 2]])
    with pytest.raises(MalformedError, match="targets"):
        Allocate.from_fields([b"", 5, [[0, A.raw]] * 33, ""])
