"""A poll passes with a winner; an allocation passes on a tie between its targets, because its
budget is divided by the scores rather than given to one choice (its last choice, "none", is
what votes it down: issue 23)."""

from __future__ import annotations

from ledger.collectives.ids import NATIVE
from ledger.governance.actions_treasury import Allocate
from ledger.governance.ballots import Ballot
from ledger.governance.kinds import VotingMethod
from ledger.governance.proposal import Status
from ledger.splits.parties import Party
from tests.ledger.conftest import ALICE, BOB, DAVE, ERIN, Chain
from tests.ledger.treasury.conftest import make_coop, proposal, settle, submit, vote

CHOICES = ("zine", "mixtape")
FIRST, SECOND = Ballot((0,), (1_000_000,)), Ballot((1,), (1_000_000,))


def test_a_tied_poll_fails_but_a_tied_allocation_pays_out(chain: Chain) -> None:
    """Alice and Bob hold 10 each and split their votes: the plain poll has no winner and is
    rejected; the allocation with the same votes divides its budget and executes."""
    coop = make_coop(chain)
    poll = submit(coop, [], method=VotingMethod.WEIGHTED, choices=CHOICES)
    vote(coop, poll, [ALICE], FIRST)
    vote(coop, poll, [BOB], SECOND)
    settle(coop, poll)
    assert (proposal(coop, poll).status, proposal(coop, poll).winner) == (Status.REJECTED, -1)
    targets = (Party.account(DAVE.address), Party.account(ERIN.address))
    budget = submit(
        coop,
        [Allocate(NATIVE, 100, targets, "zine or mixtape")],
        method=VotingMethod.WEIGHTED,
        choices=(*CHOICES, "none"),
    )
    vote(coop, budget, [ALICE], FIRST)
    vote(coop, budget, [BOB], SECOND)
    settle(coop, budget)
    allocation = proposal(coop, budget)
    assert (allocation.status, allocation.winner) == (Status.EXECUTED, -1)
    assert list(allocation.tally) == [10, 10, 0]
