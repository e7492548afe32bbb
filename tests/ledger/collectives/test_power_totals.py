"""The running total of voting power against a count of every member, block after block.

Over random mints, burns, joins, leaves, jailings, renewals and blocks of random length (so
points lapse at their own moments), the folded running total equals the sum of every latest
point usable now, and `total_at_start` equals the sum over current members of their point at
the end of the previous block, capped at the power they hold now."""

from __future__ import annotations

import dataclasses

from hypothesis import Phase, example, given, settings
from hypothesis import strategies as st

from ledger.collectives import power_totals, roster, tokens
from ledger.collectives.checkpoints import current_point, point_at, total_at_start
from ledger.collectives.holdings import holding
from ledger.collectives.params import DAY, CollectiveParams
from ledger.collectives.store import get_member, require_collective
from ledger.keys import Address
from tests.ledger.conftest import ALICE, BOB, Chain

PEOPLE = (ALICE.address, *(Address(bytes([n]) * 20) for n in range(1, 4)))
TERM = 10 * DAY
NO_SHRINK = (Phase.explicit, Phase.reuse, Phase.generate)  # a shrink of a failure takes minutes

ops = st.lists(
    st.one_of(
        st.tuples(st.just("mint"), st.integers(0, 3), st.integers(1, 50)),
        st.tuples(st.just("burn"), st.integers(0, 3), st.integers(1, 50)),
        st.tuples(st.just("join"), st.integers(1, 3)),
        st.tuples(st.just("leave"), st.integers(1, 3)),
        st.tuples(st.just("jail"), st.integers(0, 3), st.booleans()),
        st.tuples(st.just("renew"), st.integers(0, 3), st.integers(0, 3 * TERM)),
        st.tuples(st.just("block"), st.integers(1, 2 * TERM)),
    ),
    min_size=5,
    max_size=30,
)


@settings(max_examples=60, deadline=None, phases=NO_SHRINK)
@example([("block", TERM + 2 * DAY), ("renew", 0, TERM)])  # a lapsed point renewed: still 0
@example([("renew", 0, TERM), ("block", TERM + DAY)])  # lapses at the very moment asked
@given(ops)
def test_the_running_total_matches_a_count_of_every_member(steps: list[tuple[object, ...]]) -> None:
    chain = Chain(check_signatures=False)
    params = CollectiveParams(membership_term_ms=TERM, renewal_grace_ms=DAY)
    cid = chain.create_collective(ALICE, [(ALICE, (5, 0))], params=params, name="totals")
    collective = require_collective(chain.view, cid)
    chain.next_block()
    for op, *args in steps:
        view, h, now = chain.view, chain.height, chain.time_ms
        who = PEOPLE[int(args[0])] if op != "block" else ALICE.address  # type: ignore[call-overload]
        member = get_member(view, cid, who)
        if op == "block":
            chain.next_block(int(args[0]))  # type: ignore[call-overload]
        elif op == "join" and member is None:
            roster.join(view, h, cid, collective, who, now_ms=now)
        elif member is None:
            continue
        elif op == "mint":
            amount = int(args[1])  # type: ignore[call-overload]
            tokens.mint(view, h, cid, collective, token_class=0, to=who, amount=amount)
        elif op == "burn":
            amount = min(int(args[1]), holding(view, cid, 0, who))  # type: ignore[call-overload]
            tokens.burn(view, h, cid, collective, token_class=0, holder=who, amount=amount)
        elif op == "leave":
            roster.leave(view, h, cid, collective, who)
        elif op == "jail":
            changed = dataclasses.replace(member, jailed=bool(args[1]))
            roster.update(view, h, cid, collective, who, member=changed)
        elif op == "renew":
            changed = dataclasses.replace(member, expires_ms=now + int(args[1]))  # type: ignore[call-overload]
            roster.update(view, h, cid, collective, who, member=changed)
        view, h, now = chain.view, chain.height, chain.time_ms
        points = {w: current_point(view, cid, collective, w) for w in PEOPLE}
        assert power_totals.total_at(view, cid, now) == sum(p.at(now) for p in points.values())
        expected = sum(
            min(point_at(view, cid, w, h - 1).at(now), points[w].power)
            for w in PEOPLE
            if get_member(view, cid, w) is not None
        )
        assert total_at_start(view, cid, h, now) == expected


def test_without_terms_the_total_follows_every_change_of_a_lifelong_point(chain: Chain) -> None:
    """No term: every point is lifelong, and the total moves by exactly each change."""
    cid = chain.create_collective(ALICE, [(ALICE, (10, 0)), (BOB, (5, 0))], name="life")
    collective, view = require_collective(chain.view, cid), chain.view
    assert power_totals.total_at(view, cid, chain.time_ms) == 15
    tokens.mint(view, chain.height, cid, collective, token_class=0, to=BOB.address, amount=1)
    tokens.burn(view, chain.height, cid, collective, token_class=0, holder=ALICE.address, amount=3)
    assert power_totals.total_at(view, cid, chain.time_ms) == 13
