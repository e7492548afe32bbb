"""Curation rounds: the budget is reserved at the open, and paid exactly, in the block that
closes the round, to the authors and the early endorsers (or returned when nothing counts)."""

from __future__ import annotations

from ledger.collectives import treasury
from ledger.collectives.ids import NATIVE
from ledger.economics.endorse import ContentEndorse
from ledger.economics.rounds import RoundStatus, RoundTerms, Weighting, require_round, reserves
from ledger.state.accounts import get_account
from tests.ledger.conftest import ALICE, BOB, CAROL
from tests.ledger.economics.conftest import WEEK_S, open_round, post
from tests.ledger.treasury.conftest import FUNDS, Coop


def balances(coop: Coop) -> dict[str, int]:
    view = coop.chain.view
    return {
        k.address.raw.hex()[:4]: get_account(view, k.address).balance for k in (ALICE, BOB, CAROL)
    }


def gains(coop: Coop, before: dict[str, int]) -> tuple[int, int, int]:
    after = balances(coop)
    a, b, c = (after[k] - before[k] for k in before)
    return a, b, c


def test_a_round_pays_two_creators_exactly_in_the_block_that_closes_it(coop: Coop) -> None:
    chain = coop.chain
    rid = open_round(coop, RoundTerms(budget=1_001, period_s=WEEK_S))
    assert treasury.balance(chain.view, coop.cid, NATIVE) == FUNDS - 1_001
    assert reserves(chain.view) == 1_001
    alice, carol = post(coop, ALICE, "alice-1"), post(coop, CAROL, "carol-1")
    chain.send(BOB, ContentEndorse(rid, alice))
    chain.send(CAROL, ContentEndorse(rid, alice))
    chain.send(BOB, ContentEndorse(rid, carol))
    before = balances(coop)
    end_ms = require_round(chain.view, rid).end_ms
    chain.next_block(end_ms - chain.time_ms - 1)  # the last block inside the period
    assert [e for e in chain.next_block() if e.kind.startswith("round_")] == []
    closing = chain.next_block()  # ends the block whose time reaches the end: it pays
    assert [e.kind for e in closing if e.kind.startswith("round_")] == [
        "round_payout",
        "round_payout",
        "round_paid",
    ]
    # Bob spreads his weight 1 over two items (1/2 each), Carol gives hers to Alice's video:
    # Alice 1.5 of 2, Carol 0.5 of 2 -> 750.75 and 250.25 -> 751 and 250 (largest remainder)
    assert gains(coop, before) == (751, 0, 250)
    record = require_round(chain.view, rid)
    assert record.status is RoundStatus.PAID and record.paid == 1_001 and reserves(chain.view) == 0


def test_early_endorsers_share_what_they_brought(coop: Coop) -> None:
    chain = coop.chain
    terms = RoundTerms(budget=1_000, period_s=WEEK_S, curator_ppm=200_000, early=1)
    rid = open_round(coop, terms)
    video = post(coop, ALICE, "alice-1")
    chain.send(BOB, ContentEndorse(rid, video))  # first: earns 20 % of the weight he brought
    chain.send(CAROL, ContentEndorse(rid, video))  # second: earns nothing
    before = balances(coop)
    chain.next_block(WEEK_S * 1000)
    chain.next_block()
    assert gains(coop, before) == (900, 100, 0)


def test_power_and_quadratic_rounds_weigh_the_shares_held_at_the_open(coop: Coop) -> None:
    """Alice holds 10 shares, Carol 5: a power round counts 10 and 5, a quadratic one 3 and 2."""
    chain = coop.chain
    power = open_round(coop, RoundTerms(budget=1_500, period_s=WEEK_S, weighting=Weighting.POWER))
    quad = open_round(
        coop, RoundTerms(budget=1_000, period_s=WEEK_S, weighting=Weighting.QUADRATIC)
    )
    bob, alice = post(coop, BOB, "bob-1"), post(coop, ALICE, "alice-1")
    weights = [
        chain.send(who, ContentEndorse(rid, item)).events[0].get("weight")
        for rid in (power, quad)
        for who, item in ((ALICE, bob), (CAROL, alice))
    ]
    assert weights == [10, 5, 3, 2]
    events = []
    for _ in range(10):
        events += chain.next_block(24 * 3600 * 1000)
    paid = {
        (e.get("round"), e.get("to"), e.get("amount")) for e in events if e.kind == "round_payout"
    }
    a, b = ALICE.address.raw, BOB.address.raw
    assert paid == {(power, b, 1_000), (power, a, 500), (quad, b, 600), (quad, a, 400)}
    assert require_round(chain.view, power).status is RoundStatus.PAID


def test_a_round_nobody_endorsed_returns_its_budget(coop: Coop) -> None:
    chain = coop.chain
    rid = open_round(coop, RoundTerms(budget=1_000, period_s=WEEK_S))
    post(coop, ALICE, "unloved")
    chain.next_block(WEEK_S * 1000)
    events = chain.next_block()
    assert [e.kind for e in events if e.kind.startswith("round_")] == ["round_refunded"]
    assert treasury.balance(chain.view, coop.cid, NATIVE) == FUNDS
    assert require_round(chain.view, rid).status is RoundStatus.REFUNDED
