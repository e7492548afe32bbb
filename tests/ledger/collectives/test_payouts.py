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

from ledger.codec import U64_MAX
from ledger.collectives import keys, payouts, tokens
from ledger.collectives.holdings import holding
from ledger.collectives.ids import NATIVE, Asset
from ledger.collectives.store import require_collective
from ledger.errors import ErrorCode, TxError
from ledger.keys import Address
from tests.ledger.collectives.loot_steps import HOLDERS, LOOT, apply_token_step, token_steps
from tests.ledger.conftest import ALICE, Chain
from tests.ledger.treasury.conftest import CLASSES

ops = st.lists(
    st.one_of(
        *token_steps,
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
        if apply_token_step(view, h, cid, collective, (op, *args)):
            continue
        if op == "pay":
            total = payouts.held(view, cid, LOOT)
            if total == 0:
                continue
            amount = int(args[0])  # type: ignore[call-overload]
            payouts.deposit(view, loot, NATIVE, amount)
            came_in += amount
            for who in HOLDERS:
                exact[who] += Fraction(amount * units(who), total)
        else:
            who = HOLDERS[args[0]]  # type: ignore[call-overload]
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


def test_a_payment_nobody_holds_units_for_is_refused_and_a_full_pool_overflows(
    chain: Chain,
) -> None:
    cid = chain.create_collective(ALICE, [(ALICE, (1, 0, 0))], classes=CLASSES, name="empty")
    loot = Asset(cid, LOOT)
    with pytest.raises(TxError) as info:
        payouts.deposit(chain.view, loot, NATIVE, 10)
    assert info.value.code is ErrorCode.NO_HOLDERS
    collective = require_collective(chain.view, cid)
    tokens.mint(chain.view, 1, cid, collective, token_class=LOOT, to=HOLDERS[0], amount=3)
    assert payouts.deposit(chain.view, loot, NATIVE, U64_MAX - 1) == 3
    payouts.deposit(chain.view, loot, NATIVE, 1)  # exactly full
    with pytest.raises(TxError) as info:
        payouts.deposit(chain.view, loot, NATIVE, 1)
    assert info.value.code is ErrorCode.OVERFLOW
    assert payouts.all_pools(chain.view) == [(NATIVE, U64_MAX)]


def test_a_holder_settled_to_nothing_leaves_no_record_behind(chain: Chain) -> None:
    """Paid out to the unit and holding nothing: the entitlement record is deleted, whether the
    holder claims last or gives up the units last."""
    cid = chain.create_collective(ALICE, [(ALICE, (1, 0, 0))], classes=CLASSES, name="tidy")
    collective, loot, view = require_collective(chain.view, cid), Asset(cid, LOOT), chain.view
    first, second = HOLDERS[0], HOLDERS[1]
    for who in (first, second):
        tokens.mint(view, 1, cid, collective, token_class=LOOT, to=who, amount=5)
    payouts.deposit(view, loot, NATIVE, 10)
    assert payouts.take_owed(view, loot, first, 5) == [(NATIVE, 5)]
    tokens.burn(view, 1, cid, collective, token_class=LOOT, holder=first, amount=5)
    tokens.burn(view, 1, cid, collective, token_class=LOOT, holder=second, amount=5)
    assert payouts.take_owed(view, loot, second, 0) == [(NATIVE, 5)]
    for who in (first, second):
        assert view.get(keys.entitlement(loot.raw, who.raw, NATIVE.raw)) is None
    assert payouts.all_pools(view) == [(NATIVE, 0)]


@pytest.mark.parametrize("value", [0, 1, 255, 256, 2**128, 2**384 - 1])
def test_pool_and_entitlement_records_survive_encoding(value: int) -> None:
    pool = payouts.Pool(value, min(value, U64_MAX))
    assert payouts.Pool.decode(pool.encode()) == pool
    entry = payouts.Entitlement(value, value // 3)
    assert payouts.Entitlement.decode(entry.encode()) == entry


def test_a_single_unit_earns_its_share_and_a_single_coin_owed_is_shown(chain: Chain) -> None:
    """Two holders of one unit each share 10 coins 5 : 5; a sole unit paid 1 coin is owed
    exactly that one coin (the smallest whole amount a holder can be shown)."""
    cid = chain.create_collective(ALICE, [(ALICE, (1, 0, 0))], classes=CLASSES, name="ones")
    collective, loot, view = require_collective(chain.view, cid), Asset(cid, LOOT), chain.view
    first, second = HOLDERS[0], HOLDERS[1]
    tokens.mint(view, 1, cid, collective, token_class=LOOT, to=first, amount=1)
    payouts.deposit(view, loot, NATIVE, 1)
    assert payouts.owed(view, loot, first, 1) == [(NATIVE, 1)]
    assert payouts.take_owed(view, loot, first, 1) == [(NATIVE, 1)]
    tokens.mint(view, 1, cid, collective, token_class=LOOT, to=second, amount=1)
    payouts.deposit(view, loot, NATIVE, 10)
    assert payouts.owed(view, loot, second, 1) == [(NATIVE, 5)]
    tokens.mint(view, 1, cid, collective, token_class=LOOT, to=second, amount=1)  # settles 1 unit
    assert payouts.take_owed(view, loot, second, 2) == [(NATIVE, 5)]
    assert payouts.take_owed(view, loot, first, 1) == [(NATIVE, 5)]


def test_a_claim_takes_every_asset_owed_after_one_that_owes_nothing_yet(chain: Chain) -> None:
    """Paid first in coin (half a coin each: nothing whole yet), then in a token: the claim
    skips the coin and still takes the token."""
    cid = chain.create_collective(ALICE, [(ALICE, (1, 0, 0))], classes=CLASSES, name="two")
    collective, loot, view = require_collective(chain.view, cid), Asset(cid, LOOT), chain.view
    token = Asset(bytes([9]) * 20, 1)
    for who in HOLDERS[:2]:
        tokens.mint(view, 1, cid, collective, token_class=LOOT, to=who, amount=1)
    payouts.deposit(view, loot, NATIVE, 1)
    payouts.deposit(view, loot, token, 10)
    assert payouts.take_owed(view, loot, HOLDERS[0], 1) == [(token, 5)]
