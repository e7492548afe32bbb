"""The holder payout index: exact integer bookkeeping checked against exact fractions.

Over random mints, burns, transfers, payments and claims, every holder's paid-plus-claimable is
strictly within one unit of their exact entitlement (the sum over payments of amount * their
units / units held then), what came in equals what was paid plus what the pool keeps, and the
pool always covers every holder's whole units due.
"""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.collectives import payouts, tokens
from ledger.collectives.holdings import holding
from ledger.collectives.ids import NATIVE, Asset
from ledger.collectives.store import require_collective
from ledger.errors import ErrorCode, TxError
from ledger.keys import Address
from tests.ledger.conftest import ALICE, Chain
from tests.ledger.treasury.conftest import CLASSES

HOLDERS = tuple(Address(bytes([n]) * 20) for n in range(1, 5))
LOOT = 1

ops = st.lists(
    st.one_of(
        st.tuples(st.just("mint"), st.integers(0, 3), st.integers(1, 10**6)),
        st.tuples(st.just("burn"), st.integers(0, 3), st.integers(1, 10**6)),
        st.tuples(st.just("move"), st.integers(0, 3), st.integers(0, 3), st.integers(1, 10**6)),
        st.tuples(st.just("pay"), st.integers(1, 10**9)),
        st.tuples(st.just("pay"), st.integers(1, 3)),
        st.tuples(st.just("claim"), st.integers(0, 3)),
    ),
    max_size=40,
)


@settings(max_examples=80, deadline=None)
@given(ops)
def test_payouts_are_exact_to_a_unit_and_conserve_value(steps: list[tuple[object, ...]]) -> None:
    chain = Chain(check_signatures=False)
    cid = chain.create_collective(ALICE, [(ALICE, (1, 0, 0))], classes=CLASSES, name="index")
    collective = require_collective(chain.view, cid)
    view, h, loot = chain.view, chain.height, Asset(cid, LOOT)
    exact = dict.fromkeys(HOLDERS, Fraction(0))
    paid = dict.fromkeys(HOLDERS, 0)
    came_in = 0

    def units(who: Address) -> int:
        return holding(view, cid, LOOT, who)

    for op, *args in steps:
        if op == "mint":
            to, amount = HOLDERS[int(args[0])], int(args[1])  # type: ignore[call-overload]
            tokens.mint(view, h, cid, collective, token_class=LOOT, to=to, amount=amount)
        elif op == "burn":
            who = HOLDERS[args[0]]  # type: ignore[index]
            amount = min(units(who), args[1])  # type: ignore[type-var]
            tokens.burn(view, h, cid, collective, token_class=LOOT, holder=who, amount=amount)
        elif op == "move":
            src, dst = HOLDERS[args[0]], HOLDERS[args[1]]  # type: ignore[index]
            amount = min(units(src), args[2])  # type: ignore[type-var]
            move = {"token_class": LOOT, "amount": amount}
            tokens.debit_holding(view, h, cid, collective, holder=src, **move)
            tokens.credit_holding(view, h, cid, collective, to=dst, **move)
        elif op == "pay":
            total = payouts.held(view, cid, LOOT)
            if total == 0:
                continue
            amount = int(args[0])  # type: ignore[call-overload]
            payouts.deposit(view, loot, NATIVE, amount)
            came_in += amount
            for who in HOLDERS:
                exact[who] += Fraction(amount * units(who), total)
        else:
            who = HOLDERS[args[0]]  # type: ignore[index]
            for _asset, amount in payouts.take_owed(view, loot, who, units(who)):
                paid[who] += amount
        assert payouts.held(view, cid, LOOT) == sum(units(w) for w in HOLDERS)
        pool = dict(payouts.pools(view, loot)).get(NATIVE, payouts.Pool())
        assert sum(paid.values()) + pool.balance == came_in
        due = {w: dict(payouts.owed(view, loot, w, units(w))).get(NATIVE, 0) for w in HOLDERS}
        assert sum(due.values()) <= pool.balance
        for who in HOLDERS:
            assert abs(paid[who] + due[who] - exact[who]) < 1, (who, exact[who])


def test_a_class_is_paid_in_at_most_eight_assets(chain: Chain) -> None:
    """Every holding change settles each asset ever paid to the class: the cap bounds that."""
    cid = chain.create_collective(ALICE, [(ALICE, (1, 5, 0))], classes=CLASSES, name="capped")
    loot = Asset(cid, LOOT)
    paid = [NATIVE, *(Asset(bytes([n]) * 20, 1) for n in range(1, payouts.MAX_POOL_ASSETS))]
    for asset in paid:
        payouts.deposit(chain.view, loot, asset, 10)
    payouts.deposit(chain.view, loot, paid[3], 10)  # a known asset is always accepted
    with pytest.raises(TxError) as info:
        payouts.deposit(chain.view, loot, Asset(bytes(20), 1), 10)
    assert info.value.code is ErrorCode.LIMIT_REACHED
    assert [a for a, _ in payouts.pools(chain.view, loot)] == paid
