"""Participation standing: earned only by listed acts, bounded per day against farming, per
collective, decaying exactly by its half-life; the adversary's moves first."""

from __future__ import annotations

from ledger.collectives.ids import NATIVE
from ledger.economics.actions import RewardStanding, SetReputationPolicy, SetRoleGate
from ledger.economics.endorse import ContentEndorse
from ledger.economics.reputation import (
    MICRO,
    ReputationPolicy,
    get_standing,
    standing_micro,
)
from ledger.economics.rounds import RoundTerms
from ledger.errors import ErrorCode
from ledger.governance.core_actions import TreasurySpend
from ledger.governance.kinds import Role
from ledger.governance.process_txs import ProposalProcess
from ledger.governance.proposal import Status
from ledger.governance.proposal_txs import ProposalCancel
from ledger.governance.roles import SetRole
from ledger.state.accounts import get_account
from ledger.state.events import Event
from tests.ledger.conftest import ALICE, BOB, CAROL, DAVE
from tests.ledger.economics.conftest import WEEK_S, open_round, post
from tests.ledger.treasury.conftest import Coop, enact, proposal, settle, submit, vote

DAY_MS = 24 * 3600 * 1000
POLICY = ReputationPolicy(
    vote_cast=5, proposal_passed=20, endorsed_item=10, half_life_s=30 * 24 * 3600, daily_cap=8
)


def with_policy(coop: Coop, policy: ReputationPolicy = POLICY) -> None:
    enact(coop, [SetReputationPolicy(policy)])
    coop.chain.next_block(DAY_MS)  # a fresh day: the policy's own votes do not count against it


def test_cheap_votes_stop_at_the_daily_cap(coop: Coop) -> None:
    """Carol votes on three trivial spends in one day: 5 + 3 points, then nothing more."""
    with_policy(coop)
    pids = [
        submit(coop, [TreasurySpend(NATIVE, DAVE.address, 1)], proposer=p) for p in (ALICE, BOB)
    ]
    for pid in pids:
        vote(coop, pid, (CAROL, ALICE, BOB))
    for pid in pids:
        settle(coop, pid)
    assert get_standing(coop.chain.view, coop.cid, CAROL.address).earned_today == 8
    assert get_standing(coop.chain.view, coop.cid, CAROL.address).micro == 8 * MICRO


def test_votes_on_a_cancelled_proposal_earn_nothing(coop: Coop) -> None:
    with_policy(coop)
    pid = submit(coop, [TreasurySpend(NATIVE, DAVE.address, 1)], proposer=BOB)
    vote(coop, pid, (CAROL,))
    coop.chain.send(BOB, ProposalCancel(pid))
    settle(coop, pid)
    assert standing_micro(coop.chain.view, coop.cid, CAROL.address, coop.chain.time_ms) == 0


def test_spam_anchors_earn_standing_only_when_others_endorse_them(coop: Coop) -> None:
    chain = coop.chain
    with_policy(coop, ReputationPolicy(0, 0, 10, 30 * 24 * 3600, 100))
    rid = open_round(coop, RoundTerms(budget=100, period_s=WEEK_S))
    spam = [post(coop, ALICE, f"spam-{i}") for i in range(5)]
    chain.send(BOB, ContentEndorse(rid, spam[0]))
    chain.next_block(WEEK_S * 1000)
    events = chain.next_block()
    earned = [(e.get("member"), e.get("points")) for e in events if e.kind == "standing_earned"]
    assert earned == [(ALICE.address.raw, 10)]  # one endorsed item, not five anchors


def test_standing_halves_every_half_life_and_stays_in_its_collective(coop: Coop) -> None:
    chain = coop.chain
    with_policy(coop, ReputationPolicy(0, 64, 0, 30 * 24 * 3600, 1000))
    enact(coop, [TreasurySpend(NATIVE, DAVE.address, 1)], voters=(ALICE, BOB))
    start = standing_micro(chain.view, coop.cid, ALICE.address, chain.time_ms)
    assert start > 0
    view, now = chain.view, chain.time_ms
    month = 30 * DAY_MS
    assert standing_micro(view, coop.cid, ALICE.address, now + month) == start // 2
    assert standing_micro(view, coop.cid, ALICE.address, now + 3 * month) == start // 8
    assert standing_micro(view, bytes(20), ALICE.address, now) == 0
    assert start <= 2 * 64 * MICRO  # the policy's own proposal passed too


def test_a_role_gated_on_standing_waits_until_the_member_earned_it(coop: Coop) -> None:
    """Moderators need 15 points: Carol (no standing) cannot be made one; after a proposal of
    hers passes (20 points) she can."""
    with_policy(coop, ReputationPolicy(0, 20, 0, 30 * 24 * 3600, 100))
    enact(coop, [SetRoleGate(Role.MODERATOR, 15)], voters=(ALICE, BOB))
    grant = [SetRole(Role.MODERATOR, CAROL.address)]
    pid = submit(coop, grant, proposer=BOB)
    vote(coop, pid, (ALICE, BOB))
    events = settle_or_park(coop, pid)
    failed = [e for e in events if e.kind == "proposal_execution_failed"]
    assert failed and failed[0].get("code") == int(ErrorCode.STANDING_TOO_LOW)
    earn = submit(coop, [TreasurySpend(NATIVE, DAVE.address, 1)], proposer=CAROL)
    vote(coop, earn, (ALICE, BOB))
    settle(coop, earn)
    assert get_standing(coop.chain.view, coop.cid, CAROL.address).micro == 20 * MICRO
    receipt = coop.chain.send(CAROL, ProposalProcess(pid))  # anyone retries the parked grant
    assert [e.kind for e in receipt.events if e.kind == "role_set"] == ["role_set"]
    assert proposal(coop, pid).status is Status.EXECUTED


def settle_or_park(coop: Coop, pid: int) -> list[Event]:
    """Advance until the proposal is final or parked READY after a failed execution."""
    events: list[Event] = []
    for _ in range(30):
        events += coop.chain.next_block(DAY_MS)
        if any(e.kind == "proposal_execution_failed" for e in events):
            return events
        if proposal(coop, pid).status.is_final:
            return events
    raise AssertionError("neither executed nor parked")


def test_a_reward_budget_is_paid_by_standing_exactly(coop: Coop) -> None:
    """Alice and Bob voted on the policy (5 points each) and Alice's proposal passed (20): 25 to
    5 of 600 pays 500 and 100, exact; Carol, with no standing, gets nothing."""
    with_policy(coop, ReputationPolicy(5, 20, 0, 30 * 24 * 3600, 100))
    before = {k: get_account(coop.chain.view, k.address).balance for k in (ALICE, BOB, CAROL)}
    pid = submit(coop, [RewardStanding(600)], proposer=BOB)
    receipt_events = []
    vote(coop, pid, (ALICE, BOB))
    receipt_events += settle(coop, pid)
    paid = {e.get("member"): e.get("amount") for e in receipt_events if e.kind == "standing_reward"}
    assert sum(v for v in paid.values() if isinstance(v, int)) == 600
    gained = {k: get_account(coop.chain.view, k.address).balance - before[k] for k in before}
    assert gained[CAROL] == 0 and gained[ALICE] == 500 and gained[BOB] == 100
