"""Votes count only the units their voters still hold (issue 23, item 5), and every way of
supporting a value-moving proposal locks the supporter's exit and records the dilution peak
(item 7): allocation ballots, multisig approvals and optimistic passes, not only yes votes."""

from __future__ import annotations

from ledger.collectives.exit import Ragequit
from ledger.collectives.ids import NATIVE
from ledger.collectives.params import DAY, PPM, CollectiveParams
from ledger.errors import ErrorCode
from ledger.governance.actions_treasury import Allocate, StreamCreate
from ledger.governance.ballots import Ballot
from ledger.governance.core_actions import SetParams, TreasurySpend
from ledger.governance.kinds import DecisionMethod, ProposalKind, VotingMethod
from ledger.governance.policy import Policy
from ledger.governance.process_txs import MultisigApprove
from ledger.governance.proposal import Status
from ledger.splits.parties import Party
from ledger.treasury.vesting import Schedule
from tests.ledger.conftest import ALICE, BOB, CAROL, DAVE, ERIN, Chain
from tests.ledger.treasury.conftest import balance, make_coop, proposal, settle, submit, vote


def test_alice_ragequits_nine_shares_then_votes_her_ten_for_a_spend_to_herself(
    chain: Chain,
) -> None:
    """Before the fix her snapshot power (10 of 25) cleared the quorum after she had burned 9
    of those shares for her exit share, and the spend paid her 9,000 on top of it."""
    coop = make_coop(chain)
    pid = submit(coop, [TreasurySpend(NATIVE, ALICE.address, 9_000)])
    chain.send(ALICE, Ragequit(coop.cid, ((0, 9),)))
    before = balance(chain, ALICE)
    vote(coop, pid, [ALICE])
    settle(coop, pid)
    assert proposal(coop, pid).status is Status.REJECTED
    assert proposal(coop, pid).tally[0] == 1  # her ballot counts the one share she kept
    assert balance(chain, ALICE) == before


SIGNERS = tuple(sorted((ALICE.address, BOB.address, CAROL.address), key=lambda a: a.raw))
MULTISIG = Policy(method=DecisionMethod.MULTISIG, signers=SIGNERS, required_approvals=2)
OPTIMISTIC = Policy(method=DecisionMethod.OPTIMISTIC, expedited_period_ms=0)


def test_bob_cannot_ragequit_after_approving_a_multisig_spend_that_waits_in_grace(
    chain: Chain,
) -> None:
    """Before the fix an approval locked nothing: Bob approved paying Erin, then left with
    his share before the spend ran, leaving the cost to the others."""
    coop = make_coop(chain, policies=((ProposalKind.SPEND, MULTISIG),))
    pid = submit(coop, [TreasurySpend(NATIVE, ERIN.address, 5_000)])
    chain.send(ALICE, MultisigApprove(pid))
    chain.send(BOB, MultisigApprove(pid))
    assert proposal(coop, pid).status is Status.GRACE
    assert chain.reject(BOB, Ragequit(coop.cid, ((0, 10),))) is ErrorCode.EXIT_LOCKED
    chain.send(CAROL, Ragequit(coop.cid, ((0, 5),)))  # Carol did not approve: she may leave
    settle(coop, pid)
    assert proposal(coop, pid).status is Status.EXECUTED
    chain.send(BOB, Ragequit(coop.cid, ((0, 10),)))  # released once the spend is final


def test_carol_cannot_ragequit_while_her_allocation_ballot_is_live(chain: Chain) -> None:
    coop = make_coop(chain)
    targets = (Party.account(DAVE.address), Party.account(ERIN.address))
    pid = submit(
        coop,
        [Allocate(NATIVE, 1_000, targets)],
        method=VotingMethod.WEIGHTED,
        choices=("dave", "erin", "none"),
    )
    vote(coop, pid, [CAROL], Ballot((0,), (PPM,)))
    assert chain.reject(CAROL, Ragequit(coop.cid, ((0, 5),))) is ErrorCode.EXIT_LOCKED


def test_an_optimistic_spend_locks_its_proposer_and_fails_after_a_mass_exit(chain: Chain) -> None:
    """Nobody votes yes on an optimistic proposal, so before the fix neither the exit lock nor
    the dilution bound ever applied: the members who disagree leave instead of objecting, and
    the spend still ran on what remained."""
    coop = make_coop(chain, policies=((ProposalKind.STREAMS, OPTIMISTIC),))
    schedule = Schedule(0, 3 * DAY, DAY, 0, 9_000)
    pid = submit(coop, [StreamCreate(ERIN.address, NATIVE, schedule)])
    assert chain.reject(ALICE, Ragequit(coop.cid, ((0, 10),))) is ErrorCode.EXIT_LOCKED
    chain.send(BOB, Ragequit(coop.cid, ((0, 10),)))
    chain.send(CAROL, Ragequit(coop.cid, ((0, 5), (1, 2))))
    events = settle(coop, pid)
    assert "proposal_diluted" in [e.kind for e in events]
    assert proposal(coop, pid).status is Status.REJECTED


def test_bob_votes_yes_then_ragequits_and_his_ballot_shrinks_with_him(chain: Chain) -> None:
    """An exit after voting takes the ballot's weight too (on a proposal that moves no value
    nothing locks the exit): Alice's 10 and Bob's last share miss the 50 % governance quorum."""
    coop = make_coop(chain)
    pid = submit(coop, [SetParams(CollectiveParams(proposal_deposit=1))])
    vote(coop, pid, [ALICE, BOB])
    chain.send(BOB, Ragequit(coop.cid, ((0, 9),)))
    settle(coop, pid)
    assert proposal(coop, pid).status is Status.REJECTED
    assert proposal(coop, pid).tally[0] == 11
