"""Invariants of the curation rule over generated endorsements (ledger.economics.curation): a
round never pays more than its budget, pays exactly its budget when any weight counts, nobody
earns from endorsing their own content, and endorsing more items never adds influence."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.economics.curation import (
    Endorsement,
    counted,
    endorsement_values,
    payouts,
    shares,
)

PEOPLE = [bytes([i]) * 20 for i in range(1, 6)]
ITEMS = [bytes([i]) * 32 for i in range(1, 5)]
AUTHOR = {item: PEOPLE[i % len(PEOPLE)] for i, item in enumerate(ITEMS)}
WEIGHT = {who: i * 7 for i, who in enumerate(PEOPLE)}  # a member's weight is one per round

endorsement_lists = st.lists(
    st.tuples(st.sampled_from(ITEMS), st.sampled_from(PEOPLE)),
    max_size=20,
    unique=True,
).map(
    lambda rows: [
        Endorsement(item, AUTHOR[item], who, WEIGHT[who], seq)
        for seq, (item, who) in enumerate(rows)
    ]
)
budgets = st.integers(0, 10**12)
curator = st.tuples(st.integers(0, 500_000), st.integers(0, 5))


@settings(max_examples=150, deadline=None)
@given(endorsement_lists, budgets, curator)
def test_a_round_pays_exactly_its_budget_or_nothing(
    rows: list[Endorsement], budget: int, cur: tuple[int, int]
) -> None:
    paid = payouts(budget, rows, *cur)
    assert all(amount > 0 for _, amount in paid)
    assert sum(amount for _, amount in paid) <= budget
    counted = any(e.weight > 0 and e.endorser != e.author for e in rows)
    assert sum(amount for _, amount in paid) == (budget if counted else 0)


@settings(max_examples=150, deadline=None)
@given(endorsement_lists, budgets, curator)
def test_self_endorsements_change_nothing(
    rows: list[Endorsement], budget: int, cur: tuple[int, int]
) -> None:
    honest = [e for e in rows if e.endorser != e.author]
    assert payouts(budget, rows, *cur) == payouts(budget, honest, *cur)


@settings(max_examples=150, deadline=None)
@given(endorsement_lists)
def test_a_member_that_endorses_more_items_gains_no_influence(rows: list[Endorsement]) -> None:
    """However many items a member endorses, its endorsements together weigh its weight (scaled
    by the common L): rings and spam endorsements spread influence, never multiply it."""
    rows = counted(rows)
    scale, values = endorsement_values(rows)
    brought: dict[bytes, int] = {}
    for e, value in zip(rows, values, strict=True):
        brought[e.endorser] = brought.get(e.endorser, 0) + value
    for e in rows:
        assert brought[e.endorser] == WEIGHT[e.endorser] * scale
    assert sum(shares(rows, 0, 0).values()) == sum(brought.values()) * 1_000_000
