"""Invariants of standing as voting weight over random histories: each ballot counts its shares
plus the bonus of the standing held when the vote opened (whatever is earned later), never
more than the cap, only while some of its shares are still held, and the vote's total power is
the shares plus every bonus."""

from __future__ import annotations

from hypothesis import example, given, settings
from hypothesis import strategies as st

from ledger.collectives.exit import Ragequit
from ledger.collectives.ids import NATIVE
from ledger.economics.reputation import (
    Act,
    ReputationPolicy,
    award,
    set_policy,
    standing_micro,
)
from ledger.economics.vote_weight import bonus_for
from ledger.governance.core_actions import TreasurySpend
from ledger.governance.running import cast_weight
from tests.ledger.conftest import ABSTAIN, ALICE, BOB, CAROL, DAVE, Chain
from tests.ledger.treasury.conftest import make_coop, proposal, submit, vote

SHARES = {ALICE: 10, BOB: 10, CAROL: 5}
HOUR_MS = 3600 * 1000
acts = st.lists(st.tuples(st.sampled_from(list(SHARES)), st.sampled_from(list(Act))), max_size=12)


exits = st.lists(st.tuples(st.sampled_from(list(SHARES)), st.sampled_from([1, 5, 10])), max_size=4)


# Carol, with standing, leaves during the vote: her bonus must go with her last share
CAROL_LEAVES = ([(CAROL, Act.PROPOSAL_PASSED)] * 3, [], 1_000_000, 5, 1, [(CAROL, 5)])


@settings(max_examples=25, deadline=None)
@example(*CAROL_LEAVES)
@given(acts, acts, st.integers(1, 2_000_000), st.integers(1, 40), st.integers(0, 2000), exits)
def test_ballots_count_the_standing_frozen_at_the_opening(  # noqa: PLR0917
    before: list[tuple[object, Act]],
    after: list[tuple[object, Act]],
    weight_ppm: int,
    cap: int,
    hours: int,
    leaving: list[tuple[object, int]],
) -> None:
    chain = Chain(check_signatures=False)
    coop = make_coop(chain)
    policy = ReputationPolicy(3, 7, 11, 24 * 3600, 40, 13, 17, weight_ppm, cap)
    set_policy(chain.view, coop.cid, policy)
    for who, act in before:
        award(chain.view, coop.cid, who.address, act, chain.time_ms)  # type: ignore[attr-defined]
    chain.next_block(hours * HOUR_MS)
    pid = submit(coop, [TreasurySpend(NATIVE, DAVE.address, 1)], proposer=BOB)
    opened_ms = chain.time_ms
    expected = {
        key: bonus_for(policy, standing_micro(chain.view, coop.cid, key.address, opened_ms))
        for key in SHARES
    }
    assert proposal(coop, pid).total_power == sum(SHARES.values()) + sum(expected.values())
    for who, act in after:  # acts during the vote
        award(chain.view, coop.cid, who.address, act, chain.time_ms)  # type: ignore[attr-defined]
    chain.next_block()
    vote(coop, pid, list(SHARES), ABSTAIN)  # abstaining: no early execution
    for key, shares in SHARES.items():
        assert 0 <= expected[key] <= cap
        assert cast_weight(chain.view, pid, key.address) == (shares + expected[key],) * 2
    held = dict(SHARES)
    for key, amount in leaving:  # exits during the vote: the bonus goes with the last share
        burn = min(amount, held[key])  # type: ignore[index]
        if burn:
            chain.send(key, Ragequit(coop.cid, ((0, burn),)))  # type: ignore[arg-type]
            held[key] -= burn  # type: ignore[index]
    for key, left in held.items():
        extra = expected[key] if left else 0
        assert cast_weight(chain.view, pid, key.address) == (left + extra,) * 2


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 10**15), st.integers(0, 10**15), st.integers(0, 10**9), st.integers(1, 10**6))
def test_the_bonus_is_monotone_in_standing_and_capped(a: int, b: int, ppm: int, cap: int) -> None:
    policy = ReputationPolicy(0, 0, 0, 3600, 0, vote_weight_ppm=ppm, max_vote_bonus=cap)
    low, high = sorted((a, b))
    assert 0 <= bonus_for(policy, low) <= bonus_for(policy, high) <= cap
