"""A multisig proposal approved out of queue order waits in grace: the event says which proposal
waits and why, and it is rescheduled to its expiry (when it would give up), not dropped."""

from __future__ import annotations

from ledger.collectives.ids import NATIVE
from ledger.governance.core_actions import TreasurySpend
from ledger.governance.kinds import DecisionMethod, ProposalKind
from ledger.governance.policy import Policy
from ledger.governance.process_txs import MultisigApprove
from ledger.governance.proposal import Status
from tests.ledger.conftest import ALICE, BOB, CAROL, ERIN, Chain
from tests.ledger.treasury.conftest import make_coop, proposal, submit

SIGNERS = tuple(sorted((ALICE.address, BOB.address, CAROL.address), key=lambda a: a.raw))
MULTISIG = Policy(
    method=DecisionMethod.MULTISIG,
    signers=SIGNERS,
    required_approvals=2,
    grace_period_ms=0,
    expedited_period_ms=0,
)


def test_an_out_of_order_approval_waits_and_says_why(chain: Chain) -> None:
    safe = make_coop(chain, policies=((ProposalKind.SPEND, MULTISIG),))
    first = submit(safe, [TreasurySpend(NATIVE, ERIN.address, 1)], proposer=ALICE)
    second = submit(safe, [TreasurySpend(NATIVE, ERIN.address, 2)], proposer=BOB)
    chain.send(ALICE, MultisigApprove(second))
    receipt = chain.send(BOB, MultisigApprove(second))
    [waiting] = [dict(e.attributes) for e in receipt.events if e.kind == "proposal_waiting"]
    assert waiting["proposal"] == second
    assert isinstance(waiting["reason"], str) and 0 < len(waiting["reason"]) <= 200
    parked = proposal(safe, second)
    assert parked.status is Status.GRACE and parked.deadline_ms == parked.expires_ms > 0
    assert proposal(safe, first).status is Status.VOTING


def test_a_waiting_proposal_expires_at_exactly_its_expiry_behind_a_stuck_head(
    chain: Chain,
) -> None:
    """The second spend is approved first and waits; the head is then approved but cannot pay,
    so it sits READY for longer: the waiting one gives up in the block that reaches its expiry."""
    both = ((ProposalKind.SPEND, MULTISIG), (ProposalKind.SPEND_LARGE, MULTISIG))
    safe = make_coop(chain, policies=both)
    head = submit(safe, [TreasurySpend(NATIVE, ERIN.address, 10**15)], proposer=ALICE)
    behind = submit(safe, [TreasurySpend(NATIVE, ERIN.address, 2)], proposer=BOB)
    chain.send(ALICE, MultisigApprove(behind))
    chain.send(BOB, MultisigApprove(behind))
    chain.next_block()
    chain.send(ALICE, MultisigApprove(head))
    chain.send(BOB, MultisigApprove(head))  # runs at once and cannot pay: READY
    assert proposal(safe, head).status is Status.READY
    expiry = proposal(safe, behind).expires_ms
    assert proposal(safe, head).expires_ms > expiry
    chain.next_block(expiry - chain.time_ms - 1)  # the next block is 1 ms short of the expiry
    chain.next_block(1)  # it ends with the proposal still waiting; the next is exactly at it
    assert proposal(safe, behind).status is Status.GRACE
    events = chain.next_block()
    finalized = [dict(e.attributes) for e in events if e.kind == "proposal_finalized"]
    assert finalized == [{"proposal": behind, "status": "expired"}]
    assert proposal(safe, behind).status is Status.EXPIRED
    assert proposal(safe, head).status is Status.READY
