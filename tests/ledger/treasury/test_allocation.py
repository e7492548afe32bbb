"""Allocation proposals: a budget divided over a poll's choices by weighted or quadratic votes,
paid on execution with exact rounding."""

from __future__ import annotations

from math import isqrt

from hypothesis import given
from hypothesis import strategies as st

from ledger.collectives import treasury
from ledger.collectives.ids import NATIVE
from ledger.errors import ErrorCode
from ledger.governance.actions_treasury import Allocate
from ledger.governance.ballots import Ballot
from ledger.governance.core_actions import TreasurySpend as Spend
from ledger.governance.kinds import VotingMethod
from ledger.governance.proposal import Status
from ledger.governance.proposal_txs import ProposalSubmit
from ledger.splits.parties import Party
from ledger.splits.payloads import SplitCreate
from ledger.splits.store import split_id_for
from ledger.treasury.allocation import allocate
from tests.ledger.conftest import ALICE, BOB, CAROL, DAVE, ERIN, MALLORY
from tests.ledger.treasury.conftest import (
    FUNDS,
    Coop,
    balance,
    kinds,
    proposal,
    settle,
    submit,
    terms,
    vote,
)

CHOICES = ("restoration video", "repair guide", "podcast", "none")  # the last one rejects
TARGETS = (Party.account(DAVE.address), Party.account(ERIN.address), Party.account(MALLORY.address))


def run_allocation(coop: Coop, method: VotingMethod, budget: int = 1_000) -> int:
    pid = submit(
        coop, [Allocate(NATIVE, budget, TARGETS, "spring round")], method=method, choices=CHOICES
    )
    vote(coop, pid, [ALICE], Ballot((0, 1), (500_000, 500_000)))  # 10 power
    vote(coop, pid, [BOB], Ballot((0,), (1_000_000,)))  # 10 power
    vote(coop, pid, [CAROL], Ballot((2,), (1_000_000,)))  # 5 power
    settle(coop, pid)
    return pid


def test_quadratic_votes_divide_the_budget_by_square_roots(coop: Coop) -> None:
    chain = coop.chain
    before = {k: balance(chain, k) for k in (DAVE, ERIN, MALLORY)}
    pid = run_allocation(coop, VotingMethod.QUADRATIC)
    p = proposal(coop, pid)
    assert p.status is Status.EXECUTED
    unit = 10**6  # quadratic scores are square roots in thousandths of a unit
    expected_scores = [isqrt(5 * unit) + isqrt(10 * unit), isqrt(5 * unit), isqrt(5 * unit)]
    assert list(p.tally) == [*expected_scores, 0] == [2_236 + 3_162, 2_236, 2_236, 0]
    got = [balance(chain, k) - before[k] for k in (DAVE, ERIN, MALLORY)]
    assert got == [547, 227, 226] and sum(got) == 1_000
    assert treasury.balance(chain.view, coop.cid, NATIVE) == FUNDS - 1_000


def test_weighted_votes_divide_the_budget_linearly(coop: Coop) -> None:
    chain = coop.chain
    before = {k: balance(chain, k) for k in (DAVE, ERIN, MALLORY)}
    pid = run_allocation(coop, VotingMethod.WEIGHTED, budget=999)
    assert list(proposal(coop, pid).tally) == [15, 5, 5, 0]
    got = [balance(chain, k) - before[k] for k in (DAVE, ERIN, MALLORY)]
    assert got == [600, 200, 199]  # apportion: leftover units by time-to-next-unit, ties by order


def test_a_choice_can_pay_a_split_which_shares_it_on(coop: Coop) -> None:
    chain = coop.chain
    split_id = split_id_for(DAVE.address, chain.nonces.get(DAVE.public_key, 0))
    chain.send(DAVE, SplitCreate(None, terms([(DAVE, 1), (ERIN, 1)])))
    targets = (Party.split(split_id), Party.account(MALLORY.address))
    pid = submit(
        coop,
        [Allocate(NATIVE, 100, targets)],
        method=VotingMethod.WEIGHTED,
        choices=(*CHOICES[:2], "none"),
    )
    before = {k: balance(chain, k) for k in (DAVE, ERIN, MALLORY)}
    vote(coop, pid, [ALICE, BOB], Ballot((0, 1), (500_000, 500_000)))
    events = settle(coop, pid)
    assert proposal(coop, pid).status is Status.EXECUTED, events
    got = [balance(chain, k) - before[k] for k in (DAVE, ERIN, MALLORY)]
    assert got == [25, 25, 50]
    assert "split_paid" in kinds(events)


def test_without_support_nothing_is_paid(coop: Coop) -> None:
    pid = submit(
        coop, [Allocate(NATIVE, 100, TARGETS)], method=VotingMethod.QUADRATIC, choices=CHOICES
    )
    settle(coop, pid)
    assert proposal(coop, pid).status is Status.REJECTED
    assert treasury.balance(coop.chain.view, coop.cid, NATIVE) == FUNDS


def test_allocations_ride_only_on_weighted_or_quadratic_polls(coop: Coop) -> None:
    chain = coop.chain
    allocate_ = Allocate(NATIVE, 100, TARGETS)
    cases = [
        ProposalSubmit(coop.cid, (allocate_,)),
        ProposalSubmit(coop.cid, (allocate_,), VotingMethod.SINGLE, CHOICES),
        ProposalSubmit(coop.cid, (allocate_,), VotingMethod.WEIGHTED, CHOICES[:2]),
        ProposalSubmit(coop.cid, (allocate_, allocate_), VotingMethod.WEIGHTED, CHOICES),
        ProposalSubmit(coop.cid, (Spend(NATIVE, DAVE.address, 1),), VotingMethod.WEIGHTED, CHOICES),
    ]
    for payload in cases:
        assert chain.reject(ALICE, payload) is ErrorCode.INVALID_PAYLOAD, payload
    bad = Allocate(NATIVE, 0, TARGETS)
    assert (
        chain.reject(ALICE, ProposalSubmit(coop.cid, (bad,), VotingMethod.WEIGHTED, CHOICES))
        is ErrorCode.INVALID_ACTION
    )
    ghost = Allocate(NATIVE, 5, (Party.split(bytes(32)), *TARGETS[1:]))
    assert (
        chain.reject(ALICE, ProposalSubmit(coop.cid, (ghost,), VotingMethod.WEIGHTED, CHOICES))
        is ErrorCode.NOT_FOUND
    )


def test_allocate_skips_unsupported_choices() -> None:
    assert allocate(10, [0, 3, 0, 1]) == [0, 8, 0, 2]
    assert allocate(10, [0, 0]) == [0, 0]


@given(st.integers(0, 10**12), st.lists(st.integers(0, 10**6), min_size=1, max_size=32))
def test_allocations_sum_exactly_to_the_budget(budget: int, scores: list[int]) -> None:
    payouts = allocate(budget, scores)
    assert all(p >= 0 for p in payouts)
    assert all(p == 0 for p, s in zip(payouts, scores, strict=True) if s == 0)
    assert sum(payouts) == (budget if any(scores) else 0)
    total = sum(scores)
    for p, s in zip(payouts, scores, strict=True):
        if total:
            assert abs(p - budget * s / total) < 1
