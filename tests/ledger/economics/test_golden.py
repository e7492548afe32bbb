"""Golden bytes of the economics tx kinds and of the proposal actions they add (inside a
ProposalSubmit, as the governance goldens do)."""

from __future__ import annotations

import pytest

from ledger.economics.actions import RoundOpen
from ledger.economics.endorse import ContentEndorse
from ledger.economics.rounds import RoundTerms, Weighting
from ledger.governance.proposal_txs import ProposalSubmit
from ledger.tx import Payload
from tests.ledger.golden import check_golden, check_malformed

CID = bytes(range(20))
HASH = bytes([5]) * 32

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
]


@pytest.mark.parametrize(("payload", "expected"), GOLDEN, ids=lambda v: type(v).__name__)
def test_golden_bytes(payload: Payload, expected: str) -> None:
    check_golden(payload, expected)


def test_malformed_economics_payloads_are_refused() -> None:
    check_malformed(ContentEndorse, [7, b"short"], "content_hash")
    check_malformed(ContentEndorse, [-1, HASH], "round_id")
    bad_weighting = [CID, [[40, [[1_000, 60, 9, 0, 0, 8]]]], 0, [], False, ""]
    check_malformed(ProposalSubmit, bad_weighting, "unknown weighting 9")
