"""Golden bytes of the economics tx kinds and of the proposal actions they add (inside a
ProposalSubmit, as the governance goldens do)."""

from __future__ import annotations

import pytest

from ledger.economics.actions import (
    MatchingOpen,
    RewardStanding,
    RoundOpen,
    SetReputationPolicy,
    SetRewardSchedule,
    SetRoleGate,
)
from ledger.economics.contribute import MatchingContribute
from ledger.economics.deliverables import AcceptDeliverable, Funded
from ledger.economics.endorse import ContentEndorse
from ledger.economics.matching import Initiative, MatchingTerms
from ledger.economics.reputation import ReputationPolicy
from ledger.economics.round_close import RoundClose
from ledger.economics.rounds import RoundTerms, Weighting
from ledger.governance.kinds import Role
from ledger.governance.proposal_txs import ProposalSubmit
from ledger.keys import Address
from ledger.splits.parties import Party
from ledger.tx import Payload
from tests.ledger.golden import check_golden, check_malformed

CID = bytes(range(20))
HASH = bytes([5]) * 32
ZINE = Initiative(Party.account(Address(bytes([7]) * 20)), "zine")
TOUR = Initiative(Party.split(bytes([9]) * 32), "tour")

GOLDEN: list[tuple[Payload, str]] = [
    (
        ContentEndorse(7, HASH),
        "9207c4200505050505050505050505050505050505050505050505050505050505050505",
    ),
    (
        ProposalSubmit(
            CID, (RoundOpen(RoundTerms(1_000, 604_800, Weighting.QUADRATIC, 200_000, 3, 8)),)
        ),
        "96c414000102030405060708090a0b0c0d0e0f101112139192289196cd03e8ce00093a8002ce00030d40"
        "03080090c2a0",
    ),
    (MatchingContribute(3, 1, 250), "930301ccfa"),
    (
        ProposalSubmit(CID, (MatchingOpen(MatchingTerms(5_000, 604_800, 250_000, (ZINE, TOUR))),)),
        "96c414000102030405060708090a0b0c0d0e0f101112139192299194cd1388ce00093a80ce0003d090"
        "92929200c4140707070707070707070707070707070707070707a47a696e65929201c420090909090909"
        "0909090909090909090909090909090909090909090909090909a4746f75720090c2a0",
    ),
    (
        ProposalSubmit(
            CID,
            (SetReputationPolicy(ReputationPolicy(5, 20, 10, 2_592_000, 50, 15, 25, 100_000, 3)),),
        ),
        "96c414000102030405060708090a0b0c0d0e0f1011121391922a919905140ace00278d00320f19ce0001"
        "86a0030090c2a0",
    ),
    (
        ProposalSubmit(CID, (SetRoleGate(Role.MODERATOR, 50),)),
        "96c414000102030405060708090a0b0c0d0e0f1011121391922b9202320090c2a0",
    ),
    (
        ProposalSubmit(CID, (RewardStanding(600),)),
        "96c414000102030405060708090a0b0c0d0e0f1011121391922c91cd02580090c2a0",
    ),
    (
        ProposalSubmit(CID, (AcceptDeliverable(Funded.STREAM, 12),)),
        "96c414000102030405060708090a0b0c0d0e0f1011121391922d92010c0090c2a0",
    ),
    (
        ProposalSubmit(CID, (SetRewardSchedule(600, 604_800),)),
        "96c414000102030405060708090a0b0c0d0e0f1011121391922e92cd0258ce00093a800090c2a0",
    ),
    (
        ProposalSubmit(CID, (RoundClose(7, call_off=True),)),
        "96c414000102030405060708090a0b0c0d0e0f1011121391922f9207c30090c2a0",
    ),
]


@pytest.mark.parametrize(("payload", "expected"), GOLDEN, ids=lambda v: type(v).__name__)
def test_golden_bytes(payload: Payload, expected: str) -> None:
    check_golden(payload, expected)


def test_malformed_economics_payloads_are_refused() -> None:
    check_malformed(ContentEndorse, [7, b"short"], "content_hash")
    check_malformed(ContentEndorse, [-1, HASH], "round_id")
    bad_weighting = [CID, [[40, [[1_000, 60, 9, 0, 0, 8]]]], 0, [], False, ""]
    check_malformed(ProposalSubmit, bad_weighting, "unknown weighting 9")
    check_malformed(MatchingContribute, [3, 256, 1], "initiative")
    unknown_funded = [CID, [[45, [2, 12]]], 0, [], False, ""]
    check_malformed(ProposalSubmit, unknown_funded, "funded")
    five_field_policy = [CID, [[42, [[5, 20, 10, 2_592_000, 50]]]], 0, [], False, ""]
    check_malformed(ProposalSubmit, five_field_policy, "expected 9 fields")
