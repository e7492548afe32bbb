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
