"""Allowances: granted by proposal, spent without a vote, reset lazily per period."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.collectives import treasury
from ledger.collectives.ids import NATIVE
from ledger.errors import ErrorCode
from ledger.governance.actions_treasury import SetAllowance
from ledger.governance.kinds import Role
from ledger.governance.roles import RevokeRole, SetRole
from ledger.state.accounts import get_account
from ledger.treasury.allowance_spend import AllowanceSpend
from ledger.treasury.allowances import Allowance, Grantee, allowances_of, get_allowance
from tests.ledger.conftest import ALICE, BOB, CAROL, DAVE, START_BALANCE, Chain
from tests.ledger.treasury.conftest import FUNDS, Coop, enact, make_coop

WEEK_S = 7 * 24 * 3600
BOB_NATIVE = Grantee.member(BOB.address)


def grant(coop: Coop, grantee: Grantee, amount: int, period_s: int) -> None:
    enact(coop, [SetAllowance(grantee, NATIVE, amount, period_s)])


def spend(grantee: Grantee, amount: int, coop: Coop) -> AllowanceSpend:
    return AllowanceSpend(coop.cid, grantee, NATIVE, DAVE.address, amount, "groceries")


def test_a_member_spends_within_the_allowance_and_it_resets_each_period(coop: Coop) -> None:
    chain = coop.chain
    grant(coop, BOB_NATIVE, 1_000, WEEK_S)
    receipt = chain.send(BOB, spend(BOB_NATIVE, 600, coop))
    assert receipt.events[0].get("left") == 400
    assert chain.reject(BOB, spend(BOB_NATIVE, 401, coop)) is ErrorCode.ALLOWANCE_EXCEEDED
    chain.send(BOB, spend(BOB_NATIVE, 400, coop))
    assert chain.reject(BOB, spend(BOB_NATIVE, 1, coop)) is ErrorCode.ALLOWANCE_EXCEEDED
    chain.next_block(WEEK_S * 1000)  # the next window: spent resets lazily
    chain.send(BOB, spend(BOB_NATIVE, 1_000, coop))
    assert get_account(chain.view, DAVE.address).balance == START_BALANCE + 2_000
    assert treasury.balance(chain.view, coop.cid, NATIVE) == FUNDS - 2_000


def test_windows_stay_aligned_to_the_first_one() -> None:
    week = WEEK_S * 1000
    allowance = Allowance(100, WEEK_S, 70, window_start_ms=5_000)
    assert allowance.at(5_000 + week - 1) == allowance
    later = allowance.at(5_000 + 3 * week + 17)
    assert (later.spent, later.window_start_ms) == (0, 5_000 + 3 * week)
    assert later.next_reset_ms() == 5_000 + 4 * week
    one_off = Allowance(100, 0, 70, 5_000)
    assert one_off.at(10**15) == one_off and one_off.next_reset_ms() == 0


def test_periods_longer_than_a_safe_allows_work(coop: Coop) -> None:
    quarter_s = 90 * 24 * 3600  # beyond Safe's uint16 minutes (45.5 days), safe-react #3119
    grant(coop, BOB_NATIVE, 500, quarter_s)
    coop.chain.send(BOB, spend(BOB_NATIVE, 500, coop))
    coop.chain.next_block(60 * 24 * 3600 * 1000)
    assert coop.chain.reject(BOB, spend(BOB_NATIVE, 1, coop)) is ErrorCode.ALLOWANCE_EXCEEDED
    coop.chain.next_block(31 * 24 * 3600 * 1000)
    coop.chain.send(BOB, spend(BOB_NATIVE, 500, coop))


def test_a_role_allowance_is_shared_by_the_role_holders(coop: Coop) -> None:
    chain = coop.chain
    treasurers = Grantee.role(Role.TREASURER)
    enact(coop, [SetRole(Role.TREASURER, BOB.address), SetRole(Role.TREASURER, CAROL.address)])
    grant(coop, treasurers, 300, WEEK_S)
    chain.send(BOB, spend(treasurers, 200, coop))
    assert chain.reject(CAROL, spend(treasurers, 101, coop)) is ErrorCode.ALLOWANCE_EXCEEDED
    chain.send(CAROL, spend(treasurers, 100, coop))
    assert chain.reject(ALICE, spend(treasurers, 1, coop)) is ErrorCode.UNAUTHORIZED
    enact(coop, [RevokeRole(Role.TREASURER, CAROL.address)])
    chain.next_block(WEEK_S * 1000)
    assert chain.reject(CAROL, spend(treasurers, 1, coop)) is ErrorCode.UNAUTHORIZED
    chain.send(BOB, spend(treasurers, 1, coop))


def test_changing_keeps_what_was_spent_and_removing_ends_it(coop: Coop) -> None:
    chain = coop.chain
    month_s = 30 * 24 * 3600
    grant(coop, BOB_NATIVE, 1_000, month_s)
    chain.send(BOB, spend(BOB_NATIVE, 800, coop))
    grant(coop, BOB_NATIVE, 900, month_s)  # same period, same window: 800 already spent
    assert chain.reject(BOB, spend(BOB_NATIVE, 101, coop)) is ErrorCode.ALLOWANCE_EXCEEDED
    grant(coop, BOB_NATIVE, 900, 2 * month_s)  # a new period opens its window at the change
    stored = get_allowance(chain.view, coop.cid, BOB_NATIVE, NATIVE)
    assert stored is not None and (stored.period_s, stored.spent) == (2 * month_s, 800)
    assert chain.time_ms - stored.window_start_ms < 3 * 24 * 3600 * 1000
    chain.send(BOB, spend(BOB_NATIVE, 100, coop))
    grant(coop, BOB_NATIVE, 0, 0)
    assert get_allowance(chain.view, coop.cid, BOB_NATIVE, NATIVE) is None
    assert chain.reject(BOB, spend(BOB_NATIVE, 1, coop)) is ErrorCode.NOT_FOUND
    assert list(allowances_of(chain.view, coop.cid)) == []


def test_every_refusal_names_its_reason(coop: Coop) -> None:
    chain = coop.chain
    grant(coop, BOB_NATIVE, FUNDS * 2, 0)
    assert chain.reject(BOB, spend(BOB_NATIVE, 0, coop)) is ErrorCode.ZERO_AMOUNT
    assert chain.reject(ALICE, spend(BOB_NATIVE, 5, coop)) is ErrorCode.UNAUTHORIZED
    assert chain.reject(DAVE, spend(BOB_NATIVE, 5, coop)) is ErrorCode.NOT_MEMBER
    assert chain.reject(BOB, spend(BOB_NATIVE, FUNDS + 1, coop)) is ErrorCode.INSUFFICIENT_FUNDS
    ghost = AllowanceSpend(bytes(20), BOB_NATIVE, NATIVE, DAVE.address, 5)
    assert chain.reject(BOB, ghost) is ErrorCode.NOT_FOUND
    carol = Grantee.member(CAROL.address)
    assert chain.reject(CAROL, spend(carol, 5, coop)) is ErrorCode.NOT_FOUND


@settings(max_examples=25, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 4 * 24 * 3600 * 1000), st.integers(1, 400)),
        min_size=1,
        max_size=25,
    )
)
def test_no_window_ever_spends_beyond_the_allowance(steps: list[tuple[int, int]]) -> None:
    chain = Chain(check_signatures=False)
    coop = make_coop(chain)
    grant(coop, BOB_NATIVE, 1_000, WEEK_S)
    start = get_allowance(chain.view, coop.cid, BOB_NATIVE, NATIVE)
    assert start is not None
    per_window: dict[int, int] = {}
    for advance, amount in steps:
        chain.next_block(advance + 1)
        outcome = chain.attempt(BOB, spend(BOB_NATIVE, amount, coop))
        window = (chain.time_ms - start.window_start_ms) // (WEEK_S * 1000)
        if not isinstance(outcome, ErrorCode):
            per_window[window] = per_window.get(window, 0) + amount
        else:
            assert outcome is ErrorCode.ALLOWANCE_EXCEEDED
            assert per_window.get(window, 0) + amount > 1_000
        assert per_window.get(window, 0) <= 1_000
