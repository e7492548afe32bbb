"""Vetting: applications with escrowed tributes, sponsorship, admission by vote, withdrawal,
open and closed admission, and membership terms with dues."""

from __future__ import annotations

import dataclasses

from ledger.collectives import treasury
from ledger.collectives.checkpoints import current_power
from ledger.collectives.holdings import holding
from ledger.collectives.ids import NATIVE
from ledger.collectives.membership import MembershipApply, MembershipRenew, MembershipWithdraw
from ledger.collectives.params import DAY, AdmissionMode, CollectiveParams
from ledger.collectives.store import get_member, require_collective, require_member
from ledger.errors import ErrorCode
from ledger.governance import escrow
from ledger.governance.ballots import Ballot
from ledger.governance.kinds import BinaryOption
from ledger.governance.proposal import Status, require_proposal
from ledger.governance.proposal_txs import ProposalSponsor
from ledger.governance.vote_txs import Vote
from ledger.state.accounts import get_account
from tests.ledger.conftest import (
    ALICE,
    BOB,
    CAROL,
    DAVE,
    ERIN,
    START_BALANCE,
    Chain,
    proposal_id,
)

YES = Ballot.binary(BinaryOption.YES)
NO = Ballot.binary(BinaryOption.NO)


def guild(chain: Chain, **params: object) -> bytes:
    cid = chain.create_collective(
        ALICE,
        [(ALICE, (10, 0)), (BOB, (5, 0)), (CAROL, (5, 0))],
        params=dataclasses.replace(CollectiveParams(), **params),  # type: ignore[arg-type]
    )
    chain.next_block()
    return cid


def apply(chain: Chain, cid: bytes, who: object = DAVE, tribute: int = 100) -> int:
    payload = MembershipApply(cid, ((0, 4),), NATIVE, tribute, "I fix SNES cartridges")
    return proposal_id(chain.send(who, payload))  # type: ignore[arg-type]


def finish_vote(chain: Chain) -> None:
    chain.next_block(3 * DAY)  # the block after the voting period tallies
    chain.next_block(2 * DAY)  # the block after grace executes
    chain.next_block()


def test_an_applicant_is_vetted_sponsored_voted_in_and_pays_the_tribute(chain: Chain) -> None:
    cid = guild(chain)
    pid = apply(chain, cid)
    assert require_proposal(chain.view, pid).status is Status.SUBMITTED
    assert get_account(chain.view, DAVE.address).balance == START_BALANCE - 100
    held = escrow.get(chain.view, pid, escrow.Slot.TRIBUTE)
    assert held is not None and held.amount == 100
    assert chain.reject(ERIN, ProposalSponsor(pid)) is ErrorCode.NOT_MEMBER
    chain.send(BOB, ProposalSponsor(pid))
    assert chain.reject(BOB, ProposalSponsor(pid)) is ErrorCode.INVALID_STATE
    chain.next_block()
    chain.send(ALICE, Vote(pid, YES))
    chain.send(CAROL, Vote(pid, NO))
    finish_vote(chain)
    assert require_proposal(chain.view, pid).status is Status.EXECUTED
    assert holding(chain.view, cid, 0, DAVE.address) == 4
    assert get_member(chain.view, cid, DAVE.address) is not None
    assert treasury.balance(chain.view, cid, NATIVE) == 100
    assert escrow.get(chain.view, pid, escrow.Slot.TRIBUTE) is None


def test_a_rejected_applicant_gets_the_tribute_back(chain: Chain) -> None:
    cid = guild(chain)
    pid = apply(chain, cid)
    chain.send(BOB, ProposalSponsor(pid))
    chain.next_block()
    chain.send(ALICE, Vote(pid, NO))
    chain.send(BOB, Vote(pid, YES))
    finish_vote(chain)
    assert require_proposal(chain.view, pid).status is Status.REJECTED
    assert get_account(chain.view, DAVE.address).balance == START_BALANCE
    assert get_member(chain.view, cid, DAVE.address) is None


def test_withdrawal_refunds_only_before_sponsorship(chain: Chain) -> None:
    cid = guild(chain)
    pid = apply(chain, cid)
    assert chain.reject(ERIN, MembershipWithdraw(pid)) is ErrorCode.UNAUTHORIZED
    chain.send(DAVE, MembershipWithdraw(pid))
    assert require_proposal(chain.view, pid).status is Status.CANCELLED
    assert get_account(chain.view, DAVE.address).balance == START_BALANCE
    again = apply(chain, cid)
    chain.send(BOB, ProposalSponsor(again))
    assert chain.reject(DAVE, MembershipWithdraw(again)) is ErrorCode.INVALID_STATE


def test_an_unsponsored_application_expires_with_a_refund(chain: Chain) -> None:
    cid = guild(chain)
    pid = apply(chain, cid)
    chain.next_block(7 * DAY)
    assert chain.reject(BOB, ProposalSponsor(pid)) is ErrorCode.PROPOSAL_EXPIRED
    chain.next_block()
    assert require_proposal(chain.view, pid).status is Status.EXPIRED
    assert get_account(chain.view, DAVE.address).balance == START_BALANCE


def test_application_refusals_name_their_reason(chain: Chain) -> None:
    closed = guild(chain, admission_mode=AdmissionMode.CLOSED)
    assert chain.reject(DAVE, MembershipApply(closed, ((0, 1),), NATIVE, 0, "")) is (
        ErrorCode.ADMISSION_CLOSED
    )
    cid = guild(chain)
    assert chain.reject(ALICE, MembershipApply(cid, ((0, 1),), NATIVE, 0, "")) is (
        ErrorCode.ALREADY_EXISTS
    )
    assert chain.reject(DAVE, MembershipApply(cid, (), NATIVE, 0, "")) is ErrorCode.INVALID_PAYLOAD
    assert chain.reject(DAVE, MembershipApply(cid, ((0, 0),), NATIVE, 0, "")) is (
        ErrorCode.INVALID_ACTION
    )
    assert chain.reject(DAVE, MembershipApply(cid, ((0, 1),), NATIVE, 2 * START_BALANCE, "")) is (
        ErrorCode.INSUFFICIENT_FUNDS
    )
    apply(chain, cid)
    assert chain.reject(DAVE, MembershipApply(cid, ((0, 1),), NATIVE, 0, "")) is (
        ErrorCode.TOO_MANY_PROPOSALS
    )


def test_open_admission_takes_the_fixed_tribute_and_grants_fixed_holdings(chain: Chain) -> None:
    cid = guild(chain, admission_mode=AdmissionMode.OPEN, open_tribute=50, open_grant=(1, 3))
    assert chain.reject(DAVE, MembershipApply(cid, (), NATIVE, 49, "")) is ErrorCode.INVALID_STATE
    chain.send(DAVE, MembershipApply(cid, (), NATIVE, 50, "hi"))
    assert holding(chain.view, cid, 0, DAVE.address) == 1
    assert holding(chain.view, cid, 1, DAVE.address) == 3
    assert treasury.balance(chain.view, cid, NATIVE) == 50


def test_expired_members_lose_their_vote_until_they_renew(chain: Chain) -> None:
    cid = guild(chain, membership_term_ms=30 * DAY, renewal_grace_ms=5 * DAY, dues=10)
    c = require_collective(chain.view, cid)
    assert current_power(chain.view, cid, c, BOB.address, chain.time_ms) == 5
    chain.next_block(36 * DAY)
    assert current_power(chain.view, cid, c, BOB.address, chain.time_ms) == 0
    assert require_member(chain.view, cid, BOB.address).expires_ms > 0  # still a member
    chain.send(CAROL, MembershipRenew(cid, BOB.address))  # anyone may pay the dues
    assert current_power(chain.view, cid, c, BOB.address, chain.time_ms) == 5
    assert treasury.balance(chain.view, cid, NATIVE) == 10
    renewed = require_member(chain.view, cid, BOB.address).expires_ms
    assert renewed == chain.time_ms + 30 * DAY
    assert chain.reject(CAROL, MembershipRenew(cid, DAVE.address)) is ErrorCode.NOT_MEMBER


def test_renewal_needs_a_term(chain: Chain) -> None:
    cid = guild(chain)
    assert chain.reject(BOB, MembershipRenew(cid, BOB.address)) is ErrorCode.INVALID_STATE
