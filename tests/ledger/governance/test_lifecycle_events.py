"""What the end-block hook tells the world as proposals move: an execution that fails says which
proposal and which error code and parks it READY until exactly its expiry; a diluted proposal
says how far the collective shrank; an executed one names its collective."""

from __future__ import annotations

import dataclasses

from ledger.collectives import treasury
from ledger.collectives.checkpoints import latest_power, point_at
from ledger.collectives.exit import Ragequit
from ledger.collectives.ids import NATIVE, Asset
from ledger.collectives.membership import MembershipApply
from ledger.collectives.model import ClassKind, TokenClass
from ledger.collectives.params import DAY, CollectiveParams
from ledger.collectives.treasury_deposit import TreasuryDeposit
from ledger.errors import ErrorCode
from ledger.governance import keys
from ledger.governance.core_actions import TreasurySpend
from ledger.governance.proposal import Status, put_proposal, require_proposal
from ledger.governance.proposal_txs import ProposalCancel, ProposalSubmit
from ledger.governance.vote_txs import Vote
from ledger.state.accounts import get_account
from ledger.state.events import Event
from ledger.tx import Transfer
from tests.ledger.conftest import (
    ALICE,
    BOB,
    BRAND,
    CAROL,
    DAVE,
    ERIN,
    NO,
    START_BALANCE,
    YES,
    Chain,
    proposal_id,
)

FAN_CLASSES = (  # voting shares that trade freely: a tribute others may offer
    TokenClass("shares", ClassKind.SHARES, transferable=True, members_only=False),
    TokenClass("loot", ClassKind.LOOT),
)


def guild(chain: Chain) -> bytes:
    """Alice 10, Bob 5, Carol 5 shares; 1000 coin in the treasury."""
    cid = chain.create_collective(ALICE, [(ALICE, (10, 0)), (BOB, (5, 0)), (CAROL, (5, 0))])
    chain.send(DAVE, TreasuryDeposit(cid, NATIVE, 1000))
    chain.next_block()
    return cid


def spend(cid: bytes, amount: int) -> ProposalSubmit:
    return ProposalSubmit(cid, (TreasurySpend(NATIVE, ERIN.address, amount),))


def of(events: list[Event], kind: str) -> list[dict[str, object]]:
    return [dict(e.attributes) for e in events if e.kind == kind]


def passed(chain: Chain, cid: bytes, amount: int) -> tuple[int, list[Event]]:
    pid = proposal_id(chain.send(CAROL, spend(cid, amount)))
    for key in (ALICE, BOB, CAROL):
        if require_proposal(chain.view, pid).status is Status.VOTING:  # small spends end early
            chain.send(key, Vote(pid, YES))
    events = chain.next_block(5 * DAY)
    events += chain.next_block(2 * DAY)  # tallied: grace until 2 days later
    return pid, events


def test_a_failed_execution_says_why_and_waits_until_exactly_its_expiry(chain: Chain) -> None:
    cid = guild(chain)
    pid, _ = passed(chain, cid, 5_000)
    events = chain.next_block()
    assert of(events, "proposal_execution_failed") == [
        {"proposal": pid, "code": int(ErrorCode.INSUFFICIENT_FUNDS), "reason": of_reason(events)}
    ]
    proposal = require_proposal(chain.view, pid)
    assert proposal.status is Status.READY
    chain.next_block(proposal.expires_ms - chain.time_ms - 1)  # the next block: 1 ms early
    assert of(chain.next_block(1), "proposal_finalized") == []
    assert require_proposal(chain.view, pid).status is Status.READY
    assert chain.time_ms == proposal.expires_ms
    assert of(chain.next_block(), "proposal_finalized") == [{"proposal": pid, "status": "expired"}]


def of_reason(events: list[Event]) -> object:
    [failed] = of(events, "proposal_execution_failed")
    reason = failed["reason"]
    assert isinstance(reason, str) and 0 < len(reason) <= 200
    return reason


def test_an_executed_proposal_names_its_collective(chain: Chain) -> None:
    cid = guild(chain)
    pid, events = passed(chain, cid, 10)
    events += chain.next_block()
    assert of(events, "proposal_executed") == [{"proposal": pid, "collective": cid}]
    assert of(events, "proposal_finalized") == [{"proposal": pid, "status": "executed"}]


def test_a_diluted_proposal_reports_the_collective_it_lost(chain: Chain) -> None:
    cid = chain.create_collective(
        ALICE, [(ALICE, (4, 0)), (BOB, (3, 0)), (CAROL, (3, 0)), (DAVE, (10, 0))]
    )
    chain.send(ERIN, TreasuryDeposit(cid, NATIVE, 1000))
    chain.next_block()
    pid = proposal_id(chain.send(ALICE, spend(cid, 50)))
    for key in (ALICE, BOB, CAROL):
        chain.send(key, Vote(pid, YES))
    chain.send(DAVE, Ragequit(cid, ((0, 10),)))  # half the collective leaves
    chain.next_block(3 * DAY)
    events = chain.next_block(2 * DAY) + chain.next_block()
    assert of(events, "proposal_diluted") == [{"proposal": pid, "total": 10, "peak": 20}]
    assert of(events, "proposal_finalized") == [{"proposal": pid, "status": "rejected"}]


def test_a_tally_names_its_outcome_and_a_failed_expedited_vote_restarts_clean(
    chain: Chain,
) -> None:
    """The expedited bar is missed: the tally says "fail", the proposal restarts as a regular
    vote with an empty tally, and that restart is announced."""
    cid = guild(chain)
    pid = proposal_id(
        chain.send(ALICE, ProposalSubmit(cid, spend(cid, 10).actions, expedited=True))
    )
    chain.send(ALICE, Vote(pid, YES))
    chain.send(BOB, Vote(pid, NO))  # 10 of 15: not above the expedited 66.7 %
    chain.next_block(DAY)
    events = chain.next_block()
    assert of(events, "proposal_tallied") == [{"proposal": pid, "outcome": "fail"}]
    assert of(events, "proposal_restarted") == [{"proposal": pid}]
    restarted = require_proposal(chain.view, pid)
    assert (restarted.tally, restarted.max_total_at_yes) == ((), 0)
    assert restarted.sponsor == ALICE.address and restarted.expires_ms == 0
    assert restarted.snapshot_height == chain.height - 2  # the block before the restart's block
    assert of(events, "proposal_finalized") == []


def test_a_proposal_the_hook_cannot_advance_is_unscheduled_and_reported(chain: Chain) -> None:
    """A deadline entry that points at a proposal with nothing due (a bug, never a rule) must not
    stop the block: the proposal leaves the deadline index and a `proposal_stuck` event says so."""
    cid = guild(chain)
    pid = proposal_id(chain.send(CAROL, spend(cid, 10)))
    chain.send(CAROL, Vote(pid, YES))
    proposal = require_proposal(chain.view, pid)
    assert proposal.status is Status.VOTING and proposal.deadline_ms > chain.time_ms
    early = chain.time_ms  # a corrupt entry: due now, though voting runs for days
    chain.view.put(keys.deadline(early, pid), b"")
    chain.view.delete(keys.deadline(proposal.deadline_ms, pid))
    put_proposal(chain.view, pid, proposal.with_(deadline_ms=early))
    events = chain.next_block()
    assert of(events, "proposal_stuck") == [{"proposal": pid, "code": int(ErrorCode.INVALID_STATE)}]
    assert require_proposal(chain.view, pid).deadline_ms == 0
    assert chain.view.get(keys.deadline(early, pid)) is None
    assert require_proposal(chain.view, pid).status is Status.VOTING  # nothing else changed


def test_a_deadline_for_a_missing_proposal_is_reported_once_and_dropped(chain: Chain) -> None:
    """A dangling deadline entry (no proposal behind it) is reported as stuck once and leaves the
    index, so it cannot take the steps of the proposals that are really due."""
    chain.view.put(keys.deadline(chain.time_ms, 999), b"")
    events = chain.next_block()
    assert of(events, "proposal_stuck") == [{"proposal": 999, "code": int(ErrorCode.NOT_FOUND)}]
    assert chain.view.get(keys.deadline(chain.time_ms - 1_000, 999)) is None


def test_a_cancelled_proposal_is_closed_when_cancelled(chain: Chain) -> None:
    cid = guild(chain)
    pid = proposal_id(chain.send(BOB, spend(cid, 10)))
    chain.next_block()
    chain.send(BOB, ProposalCancel(pid))
    cancelled = require_proposal(chain.view, pid)
    assert (cancelled.status, cancelled.closed_ms) == (Status.CANCELLED, chain.time_ms)


def shrunk_by_half(chain: Chain, **params: int) -> Status:
    """Dave holds half the shares and leaves after the yes votes: what becomes of the spend?"""
    cid = chain.create_collective(
        ALICE,
        [(ALICE, (4, 0)), (BOB, (3, 0)), (CAROL, (3, 0)), (DAVE, (10, 0))],
        params=dataclasses.replace(CollectiveParams(), **params),
    )
    chain.send(ERIN, TreasuryDeposit(cid, NATIVE, 1000))
    chain.next_block()
    pid = proposal_id(chain.send(ALICE, spend(cid, 50)))
    for key in (ALICE, BOB, CAROL):
        chain.send(key, Vote(pid, YES))
    chain.send(DAVE, Ragequit(cid, ((0, 10),)))
    chain.next_block(3 * DAY)
    chain.next_block(2 * DAY)
    chain.next_block()
    return require_proposal(chain.view, pid).status


def test_exactly_the_dilution_bound_or_the_retention_share_still_executes(chain: Chain) -> None:
    """10 of the 20 shares at the yes votes remain: a bound of 2 (10 x 2 = 20) and a retention of
    50 % are met exactly, so the spend runs; each stricter bar rejects it."""
    assert shrunk_by_half(chain, dilution_bound=2, min_retention_ppm=0) is Status.EXECUTED
    assert shrunk_by_half(chain, dilution_bound=0, min_retention_ppm=500_000) is Status.EXECUTED
    assert shrunk_by_half(chain, dilution_bound=0, min_retention_ppm=500_001) is Status.REJECTED
    assert shrunk_by_half(chain, dilution_bound=1, min_retention_ppm=0) is Status.REJECTED


def test_a_block_advances_at_most_128_deadlines_and_the_next_block_takes_the_rest(
    chain: Chain,
) -> None:
    """130 entries fall due at once (dangling ones: each still costs a step): the block takes the
    128 earliest, the next block the last 2, so no block's end-block work is unbounded."""
    for pid in range(1_000, 1_130):
        chain.view.put(keys.deadline(chain.time_ms - 1, pid), b"")
    first = of(chain.next_block(), "proposal_stuck")
    assert [e["proposal"] for e in first] == list(range(1_000, 1_128))
    assert [e["proposal"] for e in of(chain.next_block(), "proposal_stuck")] == [1_128, 1_129]


def test_an_application_nobody_sponsors_gives_its_whole_tribute_back_when_it_expires(
    chain: Chain,
) -> None:
    """Erin offers 1,000,000 (one part per million would show), Dave offers voting shares of his
    own fan club; neither is sponsored. At expiry each deposit and each tribute goes back in
    full, and Dave's shares vote again from the block that returned them."""
    cid = chain.create_collective(
        ALICE, [(ALICE, (10, 0))], params=CollectiveParams(proposal_deposit=20)
    )
    chain.send(DAVE, TreasuryDeposit(cid, NATIVE, 1000))
    chain.send(BRAND, Transfer(ERIN.address, 20))  # Erin's deposit for the application
    fans = chain.create_collective(
        DAVE, [(DAVE, (100, 0))], classes=FAN_CLASSES, name="Dave's fans"
    )
    fan_shares = Asset(fans, 0)
    chain.next_block()
    erin = proposal_id(
        chain.send(ERIN, MembershipApply(cid, ((0, 1),), NATIVE, START_BALANCE, "all in"))
    )
    dave = proposal_id(chain.send(DAVE, MembershipApply(cid, ((0, 1),), fan_shares, 60, "fans")))
    assert latest_power(chain.view, fans, DAVE.address) == 40
    events: list[Event] = []
    while not require_proposal(chain.view, dave).status.is_final:
        events += chain.next_block(DAY)
    assert require_proposal(chain.view, erin).status is Status.EXPIRED
    assert of(events, "escrow_settled") == [
        {"proposal": erin, "slot": 0, "refunded": 20, "to_treasury": 0},
        {"proposal": erin, "slot": 1, "refunded": START_BALANCE, "to_treasury": 0},
        {"proposal": dave, "slot": 0, "refunded": 20, "to_treasury": 0},
        {"proposal": dave, "slot": 1, "refunded": 60, "to_treasury": 0},
    ]
    assert get_account(chain.view, ERIN.address).balance == START_BALANCE + 20
    assert treasury.balance(chain.view, cid, NATIVE) == 1000
    assert latest_power(chain.view, fans, DAVE.address) == 100
    assert point_at(chain.view, fans, DAVE.address, chain.height - 2).power == 40
