"""Proposals: deposits, sponsorship, cancellation, processing at the deadline, atomic execution
with retries until expiry, expedited and optimistic restarts, escalation and dilution."""

from __future__ import annotations

import dataclasses

from ledger.collectives import treasury
from ledger.collectives.exit import Ragequit
from ledger.collectives.holdings import holding
from ledger.collectives.ids import NATIVE
from ledger.collectives.params import DAY, CollectiveParams
from ledger.collectives.treasury_deposit import TreasuryDeposit
from ledger.errors import ErrorCode
from ledger.governance.core_actions import Mint, TreasurySpend
from ledger.governance.kinds import DecisionMethod, ProposalKind, Role, VotingMethod
from ledger.governance.policy import Policy
from ledger.governance.process_txs import ProposalProcess
from ledger.governance.proposal import Status, require_proposal
from ledger.governance.proposal_txs import ProposalCancel, ProposalSponsor, ProposalSubmit
from ledger.governance.roles import SetRole
from ledger.governance.vote_txs import Vote
from ledger.state.accounts import get_account
from tests.ledger.conftest import (
    ABSTAIN,
    ALICE,
    BOB,
    CAROL,
    DAVE,
    ERIN,
    NO,
    START_BALANCE,
    VETO,
    YES,
    Chain,
    proposal_id,
)


def guild(chain: Chain, policies: tuple[tuple[int, Policy], ...] = (), **params: object) -> bytes:
    """Alice 10, Bob 5, Carol 5 shares; 1000 coin in the treasury."""
    cid = chain.create_collective(
        ALICE,
        [(ALICE, (10, 0)), (BOB, (5, 0)), (CAROL, (5, 0))],
        params=dataclasses.replace(CollectiveParams(), **params),  # type: ignore[arg-type]
        policies=policies,
    )
    chain.send(DAVE, TreasuryDeposit(cid, NATIVE, 1000))
    chain.next_block()
    return cid


def spend(cid: bytes, *amounts: int, expedited: bool = False) -> ProposalSubmit:
    actions = tuple(TreasurySpend(NATIVE, ERIN.address, a) for a in amounts)
    return ProposalSubmit(cid, actions, expedited=expedited)


def status(chain: Chain, pid: int) -> Status:
    return require_proposal(chain.view, pid).status


def balance(chain: Chain, who: object) -> int:
    return get_account(chain.view, who.address).balance  # type: ignore[attr-defined]


def test_a_deposit_is_held_and_refunded_after_processing(chain: Chain) -> None:
    cid = guild(chain, proposal_deposit=100)
    pid = proposal_id(chain.send(ALICE, spend(cid, 10)))
    assert balance(chain, ALICE) == START_BALANCE - 100
    chain.send(BOB, Vote(pid, NO))
    chain.next_block(3 * DAY)
    chain.next_block()
    assert status(chain, pid) is Status.REJECTED
    assert balance(chain, ALICE) == START_BALANCE


def test_an_expedited_proposal_costs_five_deposits(chain: Chain) -> None:
    cid = guild(chain, proposal_deposit=100)
    chain.send(ALICE, spend(cid, 10, expedited=True))
    assert balance(chain, ALICE) == START_BALANCE - 500


def test_cancel_refunds_in_full_before_voting_and_half_during_it(chain: Chain) -> None:
    cid = guild(chain, proposal_deposit=100, sponsor_threshold=8)
    pid = proposal_id(chain.send(BOB, spend(cid, 10)))  # Bob (5) cannot self-sponsor
    assert status(chain, pid) is Status.SUBMITTED
    assert chain.reject(ALICE, ProposalCancel(pid)) is ErrorCode.UNAUTHORIZED
    assert chain.reject(BOB, ProposalSponsor(pid)) is ErrorCode.NO_VOTING_POWER
    chain.send(BOB, ProposalCancel(pid))
    assert balance(chain, BOB) == START_BALANCE
    pid = proposal_id(chain.send(BOB, spend(cid, 10)))
    chain.send(ALICE, ProposalSponsor(pid))
    assert chain.reject(CAROL, ProposalCancel(pid)) is ErrorCode.UNAUTHORIZED
    chain.send(BOB, ProposalCancel(pid))
    assert status(chain, pid) is Status.CANCELLED
    assert balance(chain, BOB) == START_BALANCE - 50
    assert treasury.balance(chain.view, cid, NATIVE) == 1050
    assert chain.reject(BOB, ProposalCancel(pid)) is ErrorCode.INVALID_STATE


def test_anyone_cancels_once_the_sponsor_lost_their_power(chain: Chain) -> None:
    cid = guild(chain)
    pid = proposal_id(chain.send(BOB, ProposalSubmit(cid, ())))
    chain.send(BOB, Ragequit(cid, ((0, 5),)))
    chain.send(CAROL, ProposalCancel(pid))
    assert status(chain, pid) is Status.CANCELLED


def test_a_governor_may_cancel_during_voting(chain: Chain) -> None:
    cid = guild(chain)
    pid = proposal_id(
        chain.send(ALICE, ProposalSubmit(cid, (SetRole(Role.GOVERNOR, CAROL.address),)))
    )
    chain.send(ALICE, Vote(pid, YES))
    chain.send(BOB, Vote(pid, YES))
    chain.next_block(5 * DAY)
    chain.next_block(2 * DAY)
    chain.next_block()
    assert status(chain, pid) is Status.EXECUTED
    other = proposal_id(chain.send(BOB, ProposalSubmit(cid, ())))
    chain.send(CAROL, ProposalCancel(other))
    assert status(chain, other) is Status.CANCELLED


def test_a_veto_sends_the_deposit_to_the_treasury(chain: Chain) -> None:
    cid = guild(chain, proposal_deposit=100)
    pid = proposal_id(chain.send(ALICE, spend(cid, 10)))
    chain.send(ALICE, Vote(pid, YES))
    chain.send(BOB, Vote(pid, VETO))
    chain.send(CAROL, Vote(pid, VETO))
    chain.next_block(3 * DAY)
    chain.next_block()
    assert status(chain, pid) is Status.VETOED
    assert treasury.balance(chain.view, cid, NATIVE) == 1100


def test_the_block_that_crosses_the_deadline_tallies_and_grace_delays_execution(
    chain: Chain,
) -> None:
    cid = guild(chain)
    pid = proposal_id(chain.send(BOB, spend(cid, 10)))
    chain.send(BOB, Vote(pid, YES))
    chain.send(CAROL, Vote(pid, ABSTAIN))
    end = require_proposal(chain.view, pid).end_ms
    chain.next_block(end - chain.time_ms - 1)  # this block is 1 ms before the end
    assert chain.reject(CAROL, ProposalProcess(pid)) is ErrorCode.INVALID_STATE
    chain.next_block(1)  # this block's time reaches the end
    assert status(chain, pid) is Status.VOTING
    chain.next_block()  # ... and its end-block tallied
    assert status(chain, pid) is Status.GRACE
    assert chain.reject(CAROL, Vote(pid, NO)) is ErrorCode.VOTING_CLOSED
    chain.next_block(2 * DAY)
    assert status(chain, pid) is Status.GRACE
    chain.send(DAVE, ProposalProcess(pid))  # anyone may process once due, before the hook
    assert status(chain, pid) is Status.EXECUTED
    assert balance(chain, ERIN) == START_BALANCE + 10
    chain.next_block()
    assert chain.reject(DAVE, ProposalProcess(pid)) is ErrorCode.INVALID_STATE


def test_all_actions_or_none_and_a_failed_execution_is_retried(chain: Chain) -> None:
    cid = guild(chain)
    small = proposal_id(chain.send(BOB, spend(cid, 100)))  # first: the window is still empty
    large = proposal_id(chain.send(CAROL, spend(cid, 500, 450)))  # 5 d vote, no early exec
    for key in (ALICE, BOB, CAROL):
        chain.send(key, Vote(large, YES))
    chain.send(BOB, Vote(small, YES))
    chain.send(ALICE, Vote(small, YES))  # decided early: grace, then executes in 2 d
    chain.next_block(2 * DAY)
    chain.next_block()
    assert status(chain, small) is Status.EXECUTED
    chain.next_block(5 * DAY)
    chain.next_block(2 * DAY)  # tallied at the end of the first block past 5 d, then grace
    chain.next_block()
    assert status(chain, large) is Status.READY  # 900 left: the second spend cannot run
    assert balance(chain, ERIN) == START_BALANCE + 100  # and the first did not run either
    assert chain.reject(DAVE, ProposalProcess(large)) is ErrorCode.INSUFFICIENT_FUNDS
    chain.send(DAVE, TreasuryDeposit(cid, NATIVE, 50))
    chain.send(DAVE, ProposalProcess(large))
    assert status(chain, large) is Status.EXECUTED
    assert balance(chain, ERIN) == START_BALANCE + 1050
    assert chain.reject(DAVE, ProposalProcess(large)) is ErrorCode.INVALID_STATE


def test_a_proposal_that_cannot_execute_expires(chain: Chain) -> None:
    cid = guild(chain)
    pid = proposal_id(chain.send(CAROL, spend(cid, 5000)))
    for key in (ALICE, BOB, CAROL):
        chain.send(key, Vote(pid, YES))
    chain.next_block(5 * DAY)
    chain.next_block(2 * DAY)
    chain.next_block()
    assert status(chain, pid) is Status.READY
    chain.next_block(14 * DAY)
    chain.next_block()
    assert status(chain, pid) is Status.EXPIRED


def test_spending_over_a_tenth_of_the_treasury_needs_the_large_spend_policy(chain: Chain) -> None:
    cid = guild(chain)
    small = proposal_id(chain.send(ALICE, spend(cid, 100)))
    large = proposal_id(chain.send(BOB, spend(cid, 101)))
    assert require_proposal(chain.view, small).kind == ProposalKind.SPEND
    assert require_proposal(chain.view, large).kind == ProposalKind.SPEND_LARGE
    assert chain.reject(CAROL, spend(cid, 101, expedited=True)) is ErrorCode.INVALID_STATE


def test_an_expedited_proposal_that_fails_restarts_as_a_regular_one(chain: Chain) -> None:
    cid = guild(chain)
    pid = proposal_id(chain.send(ALICE, spend(cid, 10, expedited=True)))
    p = require_proposal(chain.view, pid)
    assert p.end_ms - p.start_ms == DAY
    chain.send(ALICE, Vote(pid, YES))
    chain.send(BOB, Vote(pid, NO))  # 10 of 15 = 66.7 %: not above the expedited 66.7 %
    chain.next_block(DAY)
    chain.next_block()
    p = require_proposal(chain.view, pid)
    assert p.status is Status.VOTING and p.restarted and not p.expedited
    assert p.end_ms - p.start_ms == 3 * DAY
    chain.send(ALICE, Vote(pid, YES))  # the ballot box was emptied
    chain.send(BOB, Vote(pid, NO))
    chain.next_block(3 * DAY)
    chain.next_block(2 * DAY)
    chain.next_block()
    assert status(chain, pid) is Status.EXECUTED


def test_an_optimistic_proposal_passes_unless_objected_then_goes_to_a_vote(chain: Chain) -> None:
    lazy = Policy(method=DecisionMethod.OPTIMISTIC, grace_period_ms=0, expedited_period_ms=0)
    cid = guild(chain, policies=((ProposalKind.TOKENS, lazy),))
    quiet = proposal_id(chain.send(ALICE, ProposalSubmit(cid, (Mint(0, BOB.address, 1),))))
    chain.next_block(3 * DAY)
    chain.next_block()
    assert status(chain, quiet) is Status.EXECUTED
    assert holding(chain.view, cid, 0, BOB.address) == 6
    loud = proposal_id(chain.send(ALICE, ProposalSubmit(cid, (Mint(0, ALICE.address, 9),))))
    chain.next_block()
    chain.send(CAROL, Vote(loud, NO))  # 5 of 21 objects: over 10 %
    chain.next_block(3 * DAY)
    chain.next_block()
    p = require_proposal(chain.view, loud)
    assert p.status is Status.VOTING and p.restarted
    assert p.require_policy().method is DecisionMethod.VOTE
    chain.send(BOB, Vote(loud, NO))
    chain.send(CAROL, Vote(loud, NO))
    chain.next_block(3 * DAY)
    chain.next_block()
    assert status(chain, loud) is Status.REJECTED


def test_a_mass_exit_after_yes_votes_fails_the_proposal(chain: Chain) -> None:
    cid = chain.create_collective(
        ALICE, [(ALICE, (4, 0)), (BOB, (3, 0)), (CAROL, (3, 0)), (DAVE, (10, 0))]
    )
    chain.send(ERIN, TreasuryDeposit(cid, NATIVE, 1000))
    chain.next_block()
    pid = proposal_id(chain.send(ALICE, spend(cid, 50)))
    for key in (ALICE, BOB, CAROL):
        chain.send(key, Vote(pid, YES))
    assert status(chain, pid) is Status.VOTING  # Dave could still veto
    chain.send(DAVE, Ragequit(cid, ((0, 10),)))  # half the collective leaves
    chain.next_block(3 * DAY)
    chain.next_block(2 * DAY)
    chain.next_block()
    assert status(chain, pid) is Status.REJECTED  # 10 left of 20 at the yes votes < 2/3


def test_one_live_proposal_per_proposer_and_one_kind_per_proposal(chain: Chain) -> None:
    cid = guild(chain)
    chain.send(ALICE, spend(cid, 1))
    assert chain.reject(ALICE, spend(cid, 1)) is ErrorCode.TOO_MANY_PROPOSALS
    mixed = ProposalSubmit(cid, (TreasurySpend(NATIVE, ERIN.address, 1), Mint(0, BOB.address, 1)))
    assert chain.reject(BOB, mixed) is ErrorCode.INVALID_ACTION
    assert chain.reject(BOB, spend(cid, 0)) is ErrorCode.INVALID_ACTION
    poll = ProposalSubmit(cid, (), VotingMethod.SINGLE, ("only one",))
    assert chain.reject(BOB, poll) is ErrorCode.INVALID_PAYLOAD
    assert chain.reject(BOB, ProposalSubmit(cid, (), choices=("a", "b"))) is (
        ErrorCode.INVALID_PAYLOAD
    )
    assert chain.reject(ERIN, spend(cid, 1)) is ErrorCode.NOT_MEMBER
    assert chain.reject(BOB, ProposalSponsor(999)) is ErrorCode.NOT_FOUND


def test_a_proposal_first_tried_after_its_expiry_expires_at_once(chain: Chain) -> None:
    """The chain was silent from before the grace ended until after the execution window
    closed: the first attempt fails (the treasury cannot pay) and, being past the expiry, ends
    the proposal as EXPIRED at once instead of parking it READY for a retry nobody may make."""
    cid = guild(chain)
    pid = proposal_id(chain.send(CAROL, spend(cid, 5000)))
    for key in (ALICE, BOB, CAROL):
        chain.send(key, Vote(pid, YES))
    chain.next_block(5 * DAY)
    chain.next_block(17 * DAY)  # grace (2 d) and the execution window (14 d) both pass unseen
    chain.next_block()
    assert status(chain, pid) is Status.EXPIRED
    assert balance(chain, ERIN) == START_BALANCE
    assert chain.reject(DAVE, ProposalProcess(pid)) is ErrorCode.INVALID_STATE
