"""Golden bytes of every governance payload kind and every core action encoding."""

from __future__ import annotations

import pytest

from ledger.collectives.ids import NATIVE
from ledger.collectives.params import CollectiveParams
from ledger.governance.ballots import Ballot
from ledger.governance.core_actions import (
    Admit,
    Burn,
    Expel,
    Mint,
    SetParams,
    SetPolicy,
    TreasurySpend,
)
from ledger.governance.kinds import ProposalKind, VotingMethod
from ledger.governance.policy import Policy
from ledger.governance.process_txs import MultisigApprove, ProposalProcess
from ledger.governance.proposal_txs import ProposalCancel, ProposalSponsor, ProposalSubmit
from ledger.governance.roles import LockRole, RevokeRole, SetRole
from ledger.governance.validator_set import ValidatorUpdate
from ledger.governance.vote_txs import Vote, VoteCommit, VoteReveal
from ledger.keys import Address
from ledger.tx import Payload
from tests.ledger.golden import check_golden, check_malformed

CID = bytes(range(20))
A = Address(bytes([7]) * 20)
B = Address(bytes([9]) * 20)

GOLDEN: list[tuple[Payload, str]] = [
    (
        ProposalSubmit(
            CID,
            (
                Admit(A, ((0, 5),)),
                Expel(B, False),
                Mint(0, A, 3),
                Burn(1, B, 2),
                TreasurySpend(NATIVE, A, 50, "repair"),
                SetParams(CollectiveParams()),
                SetPolicy(ProposalKind.SPEND, Policy()),
                SetRole(1, A, 99),
                RevokeRole(1, A),
                LockRole(1),
            ),
            VotingMethod.BINARY,
            (),
            True,
            "meta",
        ),
        "96c414000102030405060708090a0b0c0d0e0f101112139a920192c4140707070707070707070707"
        "07070707070707070791920005920292c4140909090909090909090909090909090909090909c292"
        "039300c41407070707070707070707070707070707070707070392049301c4140909090909090909"
        "09090909090909090909090902920594c400c4140707070707070707070707070707070707070707"
        "32a6726570616972920691dc001201009000050101ce240c8400ce48190800ce0007a12003ce000a"
        "2c2b00ce9a7ec80000cd03e8ce000186a0c292079203dc001100ce000518b0ce0007a120ce000518"
        "b000ce000186a0ce0f731400ce0a4cb800c2c2c2ce05265c00ce05265c00ce0007a120ce000a2d78"
        "900092089301c41407070707070707070707070707070707070707076392099201c4140707070707"
        "070707070707070707070707070707920a91010090c3a46d657461",
    ),
    (
        ProposalSubmit(
            CID,
            (ValidatorUpdate(bytes(32), 5, "v"),),
            VotingMethod.RANKED,
            ("a", "b"),
            False,
            "",
        ),
        "96c414000102030405060708090a0b0c0d0e0f1011121391920b93c4200000000000000000000000"
        "00000000000000000000000000000000000000000005a1760392a161a162c2a0",
    ),
    (
        ProposalSubmit(
            CID,
            (
                ValidatorUpdate(bytes(32), 5, "v", bytes([3]) * 32),
                ValidatorUpdate(bytes([1]) * 32, 0),
            ),
            VotingMethod.BINARY,
            (),
            False,
            "",
        ),
        "96c414000102030405060708090a0b0c0d0e0f1011121392920b94c4200000000000000000000000"
        "00000000000000000000000000000000000000000005a176c4200303030303030303030303030303"
        "030303030303030303030303030303030303920b93c4200101010101010101010101010101010101"
        "01010101010101010101010101010100a00090c2a0",
    ),
    (
        ProposalSponsor(1),
        "9101",
    ),
    (
        Vote(2, Ballot((0, 1), (700_000, 300_000))),
        "92029292000192ce000aae60ce000493e0",
    ),
    (
        VoteCommit(3, bytes([5]) * 32),
        "9203c4200505050505050505050505050505050505050505050505050505050505050505",
    ),
    (
        VoteReveal(4, Ballot((2,)), bytes([6]) * 32),
        "930492910290c4200606060606060606060606060606060606060606060606060606060606060606",
    ),
    (
        ProposalCancel(5),
        "9105",
    ),
    (
        ProposalProcess(6),
        "9106",
    ),
    (
        MultisigApprove(7),
        "9107",
    ),
]


@pytest.mark.parametrize(("payload", "expected"), GOLDEN, ids=lambda v: type(v).__name__)
def test_golden_bytes(payload: Payload, expected: str) -> None:
    check_golden(payload, expected)


@pytest.mark.parametrize(
    ("kind", "fields", "reason"),
    [
        (ProposalSubmit, [CID, [[99, []]], 0, [], False, ""], "unknown action tag 99"),
        (ProposalSubmit, [CID, [[5, []]] * 11, 0, [], False, ""], "exceeds 10"),
        (ProposalSubmit, [CID, [], 9, [], False, ""], "method"),
        (ProposalSubmit, [CID[:19], [], 0, [], False, ""], "collective"),
        (Vote, [1, [list(range(33)), []]], "options"),
        (Vote, [1, [[0], [-1]]], "weights"),
        (VoteCommit, [1, b"short"], "commitment"),
        (VoteReveal, [1, [[0], []], b"salt"], "salt"),
        (ProposalSponsor, [-1], "proposal_id"),
        (ProposalSubmit, [CID, [[11, [bytes(32), 1, "", b"short"]]], 0, [], False, ""], "node_key"),
        (ProposalSubmit, [CID, [[11, [bytes(32), 1, "", None]]], 0, [], False, ""], "node_key"),
        (
            ProposalSubmit,
            [CID, [[11, [bytes(32), 1, "", bytes(32), 0]]], 0, [], False, ""],
            "3 fields",
        ),
    ],
)
def test_out_of_bounds_fields_are_malformed(
    kind: type[Payload], fields: object, reason: str
) -> None:
    check_malformed(kind, fields, reason)
