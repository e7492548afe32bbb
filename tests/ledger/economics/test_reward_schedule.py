"""The reward budget paid by standing at the end of every period, with no proposal per period
(issue 22): exact, skipped with a reason when the treasury cannot cover it, stoppable."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.collectives import treasury
from ledger.collectives.ids import NATIVE
from ledger.economics import keys
from ledger.economics.actions import SetReputationPolicy, SetRewardSchedule
from ledger.economics.reputation import Act, ReputationPolicy, award, set_policy
from ledger.economics.reward_schedule import get_schedule, set_schedule
from ledger.errors import ErrorCode
from ledger.governance.proposal_txs import ProposalSubmit
from ledger.state.events import Event
from tests.ledger.conftest import ALICE, BOB, CAROL, ERIN, Chain
from tests.ledger.economics.conftest import DAY_MS, WEEK_S
from tests.ledger.treasury.conftest import FUNDS, Coop, balance, enact, make_coop

POLICY = ReputationPolicy(5, 20, 0, 30 * 24 * 3600, 100)
PEOPLE = (ALICE, BOB, CAROL)


def paid(events: list[Event]) -> dict[bytes, int]:
    out: dict[bytes, int] = {}
    for e in events:
        if e.kind == "standing_reward":
            member, amount = e.get("member"), e.get("amount")
            assert isinstance(member, bytes) and isinstance(amount, int)
            out[member] = out.get(member, 0) + amount
    return out


def run_days(coop: Coop, days: int) -> list[Event]:
    events: list[Event] = []
    for _ in range(days):
        events += coop.chain.next_block(DAY_MS)
    return events


def test_every_period_pays_its_budget_by_standing_exactly(coop: Coop) -> None:
    """A weekly 600 by standing: each week's end pays exactly 600 to the members with standing
    (Carol has none and gets nothing), and the treasury loses exactly what they gain."""
    enact(coop, [SetReputationPolicy(POLICY)])
    enact(coop, [SetRewardSchedule(600, WEEK_S)])
    for _week in range(2):
        treasury_before = treasury.balance(coop.chain.view, coop.cid, NATIVE)
        before = {k: balance(coop.chain, k) for k in PEOPLE}
        events = run_days(coop, 7)
        got = paid(events)
        assert sum(got.values()) == 600
        assert CAROL.address.raw not in got and got[ALICE.address.raw] > got[BOB.address.raw]
        gained = {k: balance(coop.chain, k) - before[k] for k in PEOPLE}
        assert gained[CAROL] == 0 and sum(gained.values()) == 600
        assert treasury.balance(coop.chain.view, coop.cid, NATIVE) == treasury_before - 600


def test_a_period_the_treasury_cannot_cover_is_skipped_and_said(coop: Coop) -> None:
    """60,000 a week from a treasury of 100,000: the first week pays, the second cannot (40,000
    left): it pays nothing, an event says why, and the next period is scheduled all the same."""
    enact(coop, [SetReputationPolicy(POLICY)])
    enact(coop, [SetRewardSchedule(60_000, WEEK_S)], voters=PEOPLE)
    first = run_days(coop, 7)
    assert sum(paid(first).values()) == 60_000
    held = treasury.balance(coop.chain.view, coop.cid, NATIVE)
    schedule = get_schedule(coop.chain.view, coop.cid)
    assert schedule is not None and held < 60_000
    events = run_days(coop, 7)
    skipped = [e for e in events if e.kind == "standing_reward_skipped"]
    assert skipped and skipped[0].get("reason") == "treasury" and not paid(events)
    assert treasury.balance(coop.chain.view, coop.cid, NATIVE) == held
    later = get_schedule(coop.chain.view, coop.cid)
    assert later is not None and later.due_ms == schedule.due_ms + WEEK_S * 1000


def test_without_standing_a_period_pays_nothing_and_keeps_the_budget(coop: Coop) -> None:
    enact(coop, [SetRewardSchedule(600, WEEK_S)])
    held = treasury.balance(coop.chain.view, coop.cid, NATIVE)
    events = run_days(coop, 7)
    skipped = [e for e in events if e.kind == "standing_reward_skipped"]
    assert skipped and skipped[0].get("reason") == "no standing"
    assert treasury.balance(coop.chain.view, coop.cid, NATIVE) == held


def test_a_stopped_schedule_pays_no_more(coop: Coop) -> None:
    enact(coop, [SetReputationPolicy(POLICY)])
    enact(coop, [SetRewardSchedule(600, WEEK_S)])
    enact(coop, [SetRewardSchedule(0, 0)])
    assert get_schedule(coop.chain.view, coop.cid) is None
    assert not list(coop.chain.view.iter_prefix(keys.REWARD_DUE))
    assert not paid(run_days(coop, 14))


def test_a_schedule_is_refused_when_the_treasury_cannot_pay_one_period(coop: Coop) -> None:
    submit = ProposalSubmit(coop.cid, (SetRewardSchedule(FUNDS + 1, WEEK_S),))
    assert coop.chain.reject(ALICE, submit) is ErrorCode.INSUFFICIENT_FUNDS
    hourly = ProposalSubmit(coop.cid, (SetRewardSchedule(10, 3600),))
    assert coop.chain.reject(ALICE, hourly) is ErrorCode.INVALID_ACTION


@settings(max_examples=25, deadline=None)
@given(
    st.lists(st.tuples(st.sampled_from(PEOPLE), st.sampled_from(list(Act))), max_size=12),
    st.integers(1, 10**9),
    st.integers(0, 3),
)
def test_a_period_pays_its_budget_exactly_or_nothing_and_conserves_value(
    acts: list[tuple[object, Act]], budget: int, drained: int
) -> None:
    """Invariant: a period never pays more than the budget; it pays exactly the budget when the
    treasury covers it and someone has standing, else nothing; the treasury loses exactly what
    the members gain."""
    chain = Chain(check_signatures=False)
    coop = make_coop(chain)
    set_policy(chain.view, coop.cid, ReputationPolicy(3, 7, 11, 24 * 3600, 40, 13, 17))
    for who, act in acts:
        award(chain.view, coop.cid, who.address, act, chain.time_ms)  # type: ignore[attr-defined]
    if drained:  # make the treasury hold less than, as much as or more than the budget
        held = treasury.balance(chain.view, coop.cid, NATIVE)
        treasury.debit(chain.view, coop.cid, NATIVE, held)
        treasury.credit(chain.view, coop.cid, NATIVE, budget - 2 + drained)
    set_schedule(chain.view, coop.cid, budget, 24 * 3600, now_ms=chain.time_ms, proposal_id=0)
    held = treasury.balance(chain.view, coop.cid, NATIVE)
    before = {k: balance(chain, k) for k in (*PEOPLE, ERIN)}
    events = chain.next_block(DAY_MS) + chain.next_block()
    total = sum(paid(events).values())
    someone = any(e.kind == "standing_reward" for e in events)
    assert total <= budget
    assert total == (budget if held >= budget and someone else 0)
    if acts and held >= budget:
        assert total == budget
    gained = sum(balance(chain, k) - before[k] for k in before)
    assert gained == total == held - treasury.balance(chain.view, coop.cid, NATIVE)
