"""Allocation polls can be voted down (issue 23, item 2): the last choice is "none", the budget
moves only when the support for the targets clears the policy's threshold of all scores, a big
budget is decided as a large spend, and supporters are held like yes voters."""

from __future__ import annotations

from ledger.collectives.exit import Ragequit
from ledger.collectives.ids import NATIVE
from ledger.collectives.params import PPM
from ledger.errors import ErrorCode
from ledger.governance.actions_treasury import Allocate
from ledger.governance.ballots import Ballot
from ledger.governance.kinds import ProposalKind, VotingMethod
from ledger.governance.proposal import Status
from ledger.governance.proposal_txs import ProposalSubmit
from ledger.splits.parties import Party
from tests.ledger.conftest import ALICE, BOB, CAROL, DAVE, ERIN
from tests.ledger.treasury.conftest import Coop, balance, proposal, settle, submit, vote

WEIGHTED = VotingMethod.WEIGHTED


def test_alice_names_herself_as_every_target_and_bob_and_carol_vote_none(coop: Coop) -> None:
    """Before the fix a ballot could only support a choice: Alice (10 of 25) named herself as
    every target and took the whole budget whatever the others did."""
    chain = coop.chain
    herself = (Party.account(ALICE.address), Party.account(ALICE.address))
    pid = submit(
        coop, [Allocate(NATIVE, 9_000, herself)], method=WEIGHTED, choices=("a", "b", "none")
    )
    before = balance(chain, ALICE)
    vote(coop, pid, [ALICE], Ballot((0,), (PPM,)))
    vote(coop, pid, [BOB, CAROL], Ballot((2,), (PPM,)))
    settle(coop, pid)
    assert proposal(coop, pid).status is Status.REJECTED
    assert balance(chain, ALICE) == before


def test_the_none_share_of_a_passing_allocation_stays_in_the_treasury(coop: Coop) -> None:
    chain = coop.chain
    targets = (Party.account(DAVE.address), Party.account(ERIN.address))
    pid = submit(coop, [Allocate(NATIVE, 900, targets)], method=WEIGHTED, choices=("d", "e", "-"))
    vote(coop, pid, [ALICE], Ballot((0,), (PPM,)))  # 10 for Dave
    vote(coop, pid, [BOB], Ballot((1, 2), (500_000, 500_000)))  # 5 for Erin, 5 for none
    vote(coop, pid, [CAROL], Ballot((1,), (PPM,)))  # 5 for Erin
    dave, erin = balance(chain, DAVE), balance(chain, ERIN)
    settle(coop, pid)
    assert proposal(coop, pid).status is Status.EXECUTED  # 20 of 25 support it
    assert (balance(chain, DAVE) - dave, balance(chain, ERIN) - erin) == (450, 450)


def test_an_allocation_names_a_target_per_choice_and_ends_with_none(coop: Coop) -> None:
    targets = (Party.account(DAVE.address), Party.account(ERIN.address))
    payload = ProposalSubmit(coop.cid, (Allocate(NATIVE, 10, targets),), WEIGHTED, ("d", "e"))
    assert coop.chain.reject(ALICE, payload) is ErrorCode.INVALID_PAYLOAD


def test_a_big_allocation_is_decided_as_a_large_spend(coop: Coop) -> None:
    targets = (Party.account(DAVE.address), Party.account(ERIN.address))
    pid = submit(
        coop, [Allocate(NATIVE, 20_000, targets)], method=WEIGHTED, choices=("d", "e", "-")
    )
    assert proposal(coop, pid).kind == ProposalKind.SPEND_LARGE


def test_a_ballot_all_on_none_does_not_lock_the_exit(coop: Coop) -> None:
    targets = (Party.account(DAVE.address), Party.account(ERIN.address))
    pid = submit(coop, [Allocate(NATIVE, 900, targets)], method=WEIGHTED, choices=("d", "e", "-"))
    vote(coop, pid, [CAROL], Ballot((2,), (PPM,)))
    coop.chain.send(CAROL, Ragequit(coop.cid, ((0, 5),)))
    vote(coop, pid, [BOB], Ballot((0,), (PPM,)))
    assert coop.chain.reject(BOB, Ragequit(coop.cid, ((0, 10),))) is ErrorCode.EXIT_LOCKED
