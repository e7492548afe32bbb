"""Record dates at the level of the payout index: a dated distribution pays the holders of its
record moment, whatever changes hands before it executes, to within one unit, and keeps no
record of itself once every holder has settled.

The governance stories (a HolderDistribution voted, sold in grace, claimed) live in
tests/ledger/treasury/test_record_date.py; these drive `record_dates` and `payouts` directly, so
every path of the bookkeeping (notes written, kept, consumed, voided) is checked against exact
fractions."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import Phase, example, given, settings
from hypothesis import strategies as st

from ledger import codec
from ledger.collectives import keys, payouts, record_dates, tokens
from ledger.collectives.holdings import holding
from ledger.collectives.ids import NATIVE, Asset
from ledger.collectives.record_dates import Dated, dist_id
from ledger.collectives.store import require_collective
from ledger.keys import Address
from tests.ledger.collectives.loot_steps import HOLDERS, LOOT, apply_token_step, token_steps
from tests.ledger.conftest import ALICE, Chain
from tests.ledger.treasury.conftest import CLASSES

NO_SHRINK = (Phase.explicit, Phase.reuse, Phase.generate)  # a shrink of a failure takes minutes

ops = st.lists(
    st.one_of(
        *token_steps,
        st.tuples(st.just("record"), st.integers(1, 10**9)),
        st.tuples(st.just("record"), st.integers(1, 10)),
        st.tuples(st.just("execute"), st.integers(0, 3)),
        st.tuples(st.just("drop"), st.integers(0, 3)),
        st.tuples(st.just("pay"), st.integers(1, 10**9)),
        st.tuples(st.just("claim"), st.integers(0, 3)),
    ),
    min_size=10,  # long enough to hold a record, a change of hands and an execution
    max_size=40,
)


@settings(max_examples=80, deadline=None, phases=NO_SHRINK)
@example([100, 0, 0, 0], [("record", 600), ("move", 0, 1, 50), ("execute", 0), ("claim", 1)])
@given(st.lists(st.integers(0, 100), min_size=4, max_size=4), ops)
def test_a_dated_distribution_pays_the_holders_of_its_record_moment(
    start: list[int], steps: list[tuple[object, ...]]
) -> None:
    """Random mints, burns, moves, plain payments and claims around distributions recorded,
    executed (or dropped) later: each holder's paid-plus-claimable stays strictly within one
    unit of the exact sum of amount x their units at each record moment / units held then."""
    chain = Chain(check_signatures=False)
    cid = chain.create_collective(ALICE, [(ALICE, (1, 0, 0))], classes=CLASSES, name="dated")
    collective = require_collective(chain.view, cid)
    view, h, loot = chain.view, chain.height, Asset(cid, LOOT)
    exact = dict.fromkeys(HOLDERS, Fraction(0))
    paid = dict.fromkeys(HOLDERS, 0)
    came_in = 0
    recorded: list[tuple[bytes, int, dict[Address, int]]] = []  # pending: id, amount, units

    def units(who: Address) -> int:
        return holding(view, cid, LOOT, who)

    for who, amount in zip(HOLDERS, start, strict=True):
        tokens.mint(view, h, cid, collective, token_class=LOOT, to=who, amount=amount)

    def pay(amount: int, did: bytes, at: dict[Address, int]) -> None:
        nonlocal came_in
        total = sum(at.values())
        assert payouts.deposit(view, loot, NATIVE, amount, did) == total
        came_in += amount
        for who in HOLDERS:
            exact[who] += Fraction(amount * at[who], total)

    for number, (op, *args) in enumerate(steps):
        if apply_token_step(view, h, cid, collective, (op, *args)):
            continue
        if op == "record":
            held = payouts.held(view, cid, LOOT)
            did = dist_id(number, 0)
            if held and record_dates.register(view, loot, did, NATIVE, held):
                recorded.append((did, int(args[0]), {w: units(w) for w in HOLDERS}))  # type: ignore[call-overload]
        elif op in ("execute", "drop"):
            if not recorded:
                continue
            did, amount, at = recorded.pop(int(args[0]) % len(recorded))  # type: ignore[call-overload]
            if op == "execute":
                pay(amount, did, at)
            else:
                record_dates.drop(view, loot, did)
        elif op == "pay":
            if payouts.held(view, cid, LOOT):
                pay(int(args[0]), b"", {w: units(w) for w in HOLDERS})  # type: ignore[call-overload]
        else:
            who = HOLDERS[args[0]]  # type: ignore[call-overload]
            for _asset, amount in payouts.take_owed(view, loot, who, units(who)):
                paid[who] += amount
        assert payouts.held(view, cid, LOOT) == sum(units(w) for w in HOLDERS)
        assert record_dates.pending(view, loot) == [did for did, _, _ in recorded]
        pool = dict(payouts.pools(view, loot)).get(NATIVE, payouts.Pool())
        assert sum(paid.values()) + pool.balance == came_in
        due = {w: dict(payouts.owed(view, loot, w, units(w))).get(NATIVE, 0) for w in HOLDERS}
        assert sum(due.values()) <= pool.balance
        for who in HOLDERS:
            assert exact[who] - 1 < paid[who] + due[who] <= exact[who], (who, exact[who])
    for did, _, _ in list(recorded):
        record_dates.drop(view, loot, did)
    for who in HOLDERS:  # every holder settles once more: no note outlives its distribution
        for _asset, amount in payouts.take_owed(view, loot, who, units(who)):
            paid[who] += amount
        tokens.mint(view, h, cid, collective, token_class=LOOT, to=who, amount=1)
        assert view.get(keys.dated_holding(loot.raw, who.raw)) is None
    assert record_dates.pending(view, loot) == []


def test_a_class_keeps_at_most_eight_distributions_pending(chain: Chain) -> None:
    """The ninth is refused (it is divided over the holders at execution), and so is an id
    already pending; a dropped one frees its place."""
    cid = chain.create_collective(ALICE, [(ALICE, (1, 5, 0))], classes=CLASSES, name="capped")
    loot = Asset(cid, LOOT)
    ids = [dist_id(n, 0) for n in range(record_dates.MAX_PENDING + 1)]
    assert all(record_dates.register(chain.view, loot, did, NATIVE, 5) for did in ids[:-1])
    assert not record_dates.register(chain.view, loot, ids[-1], NATIVE, 5)
    assert not record_dates.register(chain.view, loot, ids[0], NATIVE, 5)
    assert record_dates.find(chain.view, loot, ids[-1]) is None
    record_dates.drop(chain.view, loot, ids[3])
    assert record_dates.find(chain.view, loot, ids[3]) is None
    assert record_dates.register(chain.view, loot, ids[-1], NATIVE, 5)
    assert record_dates.pending(chain.view, loot) == [*ids[:3], *ids[4:]]


def test_executing_or_dropping_an_unknown_distribution_changes_nothing(chain: Chain) -> None:
    cid = chain.create_collective(ALICE, [(ALICE, (1, 5, 0))], classes=CLASSES, name="none")
    loot = Asset(cid, LOOT)
    record_dates.register(chain.view, loot, dist_id(1, 0), NATIVE, 5)
    before = chain.view.changes()
    record_dates.executed(chain.view, loot, dist_id(2, 0), 7)
    record_dates.drop(chain.view, loot, dist_id(2, 0))
    assert chain.view.changes() == before


def test_two_equal_distributions_of_one_proposal_add_their_steps(chain: Chain) -> None:
    """Executing a record twice adds both steps to it and takes it off the pending list."""
    cid = chain.create_collective(ALICE, [(ALICE, (1, 5, 0))], classes=CLASSES, name="twice")
    loot, did = Asset(cid, LOOT), dist_id(1, 2)
    record_dates.register(chain.view, loot, did, NATIVE, 5)
    record_dates.executed(chain.view, loot, did, 3)
    record_dates.executed(chain.view, loot, did, 4)
    assert record_dates.find(chain.view, loot, did) == Dated(NATIVE, 5, 7)
    assert record_dates.pending(chain.view, loot) == []


@pytest.mark.parametrize("step", [0, 1, 255, 256, 2**128 * 10**6])
def test_a_dated_record_survives_encoding(step: int) -> None:
    dated = Dated(Asset(bytes([7]) * 20, 3), 12_345, step)
    assert Dated.decode(dated.encode()) == dated


def test_a_distribution_id_is_the_proposal_id_and_the_action_index() -> None:
    assert dist_id(0x0102, 3) == bytes([0, 0, 0, 0, 0, 0, 1, 2, 3])
    assert len(dist_id(2**64 - 1, 255)) == record_dates.ID_LEN


def test_a_dated_step_is_stored_in_as_few_bytes_as_it_needs() -> None:
    """The record is state: its bytes are hashed into the app hash, so the width is pinned."""
    asset = Asset(bytes([7]) * 20, 3)
    for step, width in ((0, 0), (1, 1), (255, 1), (256, 2), (2**64 - 1, 8)):
        assert Dated(asset, 5, step).encode() == codec.encode([asset.raw, 5, step.to_bytes(width)])
