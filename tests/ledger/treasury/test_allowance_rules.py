"""The allowance rules at their edges: a window resets at exactly its end, aligned to the first
one whatever its offset; what is left never goes below nothing; the spend rule refuses an
overspend on its own; a grantee may empty the treasury to the last unit; a spend says who paid
whom how much; a member who leaves loses the allowance; a role's spend follows its grant."""

from __future__ import annotations

import pytest

from ledger.codec import MalformedError
from ledger.collectives import treasury
from ledger.collectives.exit import Ragequit
from ledger.collectives.ids import NATIVE, Asset
from ledger.collectives.params import CollectiveParams
from ledger.collectives.treasury_deposit import TreasuryDeposit
from ledger.errors import ErrorCode, TxError
from ledger.governance.actions_treasury import SetAllowance
from ledger.governance.kinds import Role
from ledger.governance.proposal_txs import ProposalSubmit
from ledger.governance.roles import SetRole
from ledger.treasury import allowances
from ledger.treasury.allowance_spend import AllowanceSpend
from ledger.treasury.allowances import Allowance, Grantee, allowances_of, get_allowance
from tests.ledger.conftest import ALICE, BOB, CAROL, DAVE, Chain
from tests.ledger.treasury.conftest import CLASSES, FUNDS, Coop, enact

WEEK_S = 7 * 24 * 3600
WEEK = WEEK_S * 1000
BOB_NATIVE = Grantee.member(BOB.address)


def grant(coop: Coop, grantee: Grantee, amount: int, period_s: int) -> None:
    enact(coop, [SetAllowance(grantee, NATIVE, amount, period_s)])


def pay_dave(coop: Coop, grantee: Grantee, amount: int) -> AllowanceSpend:
    return AllowanceSpend(coop.cid, grantee, NATIVE, DAVE.address, amount, "props")


def test_a_window_resets_at_exactly_its_end_and_stays_aligned_to_an_offset_start() -> None:
    """Windows start 0.6 weeks into the epoch: one period later the first reset lands exactly
    there (a start added instead of subtracted would skip a window)."""
    start = 6 * WEEK // 10
    spent = Allowance(100, WEEK_S, 70, window_start_ms=start)
    assert spent.at(start + WEEK - 1) == spent
    assert spent.at(start + WEEK) == Allowance(100, WEEK_S, 0, start + WEEK)
    assert spent.at(start + 2 * WEEK - 1).window_start_ms == start + WEEK


def test_what_is_left_is_the_amount_less_the_spent_and_never_below_nothing() -> None:
    assert Allowance(100, WEEK_S, 30, 0).available(0) == 70
    assert Allowance(100, WEEK_S, 100, 0).available(0) == 0
    assert Allowance(50, WEEK_S, 80, 0).available(0) == 0  # lowered below what was spent


def test_the_spend_rule_refuses_an_overspend_on_its_own(coop: Coop) -> None:
    """`allowances.spend` is the last word, whatever checked the tx before it."""
    chain = coop.chain
    grant(coop, BOB_NATIVE, 100, WEEK_S)
    allowances.spend(chain.view, chain.time_ms, coop.cid, BOB_NATIVE, NATIVE, amount=60)
    with pytest.raises(TxError) as refused:
        allowances.spend(chain.view, chain.time_ms, coop.cid, BOB_NATIVE, NATIVE, amount=41)
    assert refused.value.code is ErrorCode.ALLOWANCE_EXCEEDED
    left = allowances.spend(chain.view, chain.time_ms, coop.cid, BOB_NATIVE, NATIVE, amount=40)
    assert (left.spent, left.available(chain.time_ms)) == (100, 0)


def test_a_grantee_may_spend_the_treasury_to_its_last_unit_and_the_spend_says_so(
    coop: Coop,
) -> None:
    chain = coop.chain
    grant(coop, BOB_NATIVE, FUNDS + 500, 0)
    receipt = chain.send(BOB, pay_dave(coop, BOB_NATIVE, FUNDS))
    assert [(e.kind, dict(e.attributes)) for e in receipt.events] == [
        (
            "allowance_spend",
            {
                "collective": coop.cid,
                "spender": BOB.address.raw,
                "grantee_kind": 0,
                "grantee": BOB.address.raw,
                "asset": b"",
                "to": DAVE.address.raw,
                "amount": FUNDS,
                "left": 500,
                "memo": "props",
            },
        )
    ]
    assert treasury.balance(chain.view, coop.cid, NATIVE) == 0


def test_allowances_are_listed_by_grantee_then_asset(coop: Coop) -> None:
    fans = coop.chain.create_collective(DAVE, [(DAVE, (1, 5, 0))], classes=CLASSES, name="fans")
    fan_loot = Asset(fans, 1)
    enact(coop, [SetRole(Role.TREASURER, CAROL.address)])
    enact(coop, [SetAllowance(Grantee.role(Role.TREASURER), fan_loot, 3, 0)])
    grant(coop, Grantee.role(Role.TREASURER), 300, WEEK_S)
    grant(coop, BOB_NATIVE, 100, 0)
    enact(coop, [SetAllowance(BOB_NATIVE, fan_loot, 2, 0)])
    listed = [
        (g, a, (x.amount, x.period_s)) for g, a, x in allowances_of(coop.chain.view, coop.cid)
    ]
    assert listed == [
        (BOB_NATIVE, NATIVE, (100, 0)),
        (BOB_NATIVE, fan_loot, (2, 0)),
        (Grantee.role(Role.TREASURER), NATIVE, (300, WEEK_S)),
        (Grantee.role(Role.TREASURER), fan_loot, (3, 0)),
    ]


def test_an_unknown_role_cannot_be_granted_an_allowance(coop: Coop) -> None:
    action = SetAllowance(Grantee.role(99), NATIVE, 100, WEEK_S)
    refused = coop.chain.reject(ALICE, ProposalSubmit(coop.cid, (action,)))
    assert refused is ErrorCode.INVALID_ACTION


def test_a_member_who_leaves_takes_no_allowance_along(coop: Coop) -> None:
    grant(coop, BOB_NATIVE, 100, WEEK_S)
    coop.chain.send(BOB, Ragequit(coop.cid, ((0, 10),)))
    assert get_allowance(coop.chain.view, coop.cid, BOB_NATIVE, NATIVE) is None
    assert list(allowances_of(coop.chain.view, coop.cid)) == []


def test_a_role_allowance_is_spent_until_the_grant_expires(coop: Coop) -> None:
    chain = coop.chain
    expires = chain.time_ms + 30 * 24 * 3600 * 1000
    enact(coop, [SetRole(Role.TREASURER, CAROL.address, expires)])
    treasurers = Grantee.role(Role.TREASURER)
    grant(coop, treasurers, 300, WEEK_S)
    chain.send(CAROL, pay_dave(coop, treasurers, 100))
    chain.next_block(expires - chain.time_ms)
    assert chain.reject(CAROL, pay_dave(coop, treasurers, 100)) is ErrorCode.UNAUTHORIZED


def test_a_lapsed_member_spends_nothing_until_renewed(chain: Chain) -> None:
    """A collective with a membership term: Bob spends while his term runs, not once it lapsed."""
    term = 30 * 24 * 3600 * 1000
    cid = chain.create_collective(
        ALICE,
        [(ALICE, (10, 0)), (BOB, (10, 0))],
        params=CollectiveParams(membership_term_ms=term, renewal_grace_ms=0),
    )
    coop = Coop(chain, cid)
    chain.send(DAVE, TreasuryDeposit(cid, NATIVE, 1_000))
    chain.next_block()
    grant(coop, BOB_NATIVE, 100, 0)
    chain.send(BOB, pay_dave(coop, BOB_NATIVE, 10))
    chain.next_block(term)
    assert chain.reject(BOB, pay_dave(coop, BOB_NATIVE, 10)) is ErrorCode.MEMBERSHIP_LAPSED


def test_a_spend_naming_a_short_collective_id_is_malformed(coop: Coop) -> None:
    fields = pay_dave(coop, BOB_NATIVE, 5).to_fields()
    fields[0] = coop.cid[:19]
    with pytest.raises(MalformedError):
        AllowanceSpend.from_fields(fields)
