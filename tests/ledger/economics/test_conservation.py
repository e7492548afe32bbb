"""Value is conserved through curation and matching rounds: the native coin in accounts,
treasuries, proposal escrows and open rounds' reserves is the same after every tx and block,
whatever members endorse and contribute (random sequences)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.economics import matching, rounds
from ledger.economics.contribute import MatchingContribute
from ledger.economics.endorse import ContentEndorse
from ledger.economics.matching import Initiative
from ledger.economics.rounds import RoundTerms, Weighting
from ledger.splits.parties import Party
from tests.ledger import custody
from tests.ledger.conftest import ALICE, BOB, CAROL, DAVE, ERIN, Chain
from tests.ledger.economics.conftest import WEEK_S, open_matching, open_round, post
from tests.ledger.treasury.conftest import make_coop

MEMBERS = (ALICE, BOB, CAROL)


def native_total(chain: Chain) -> int:
    """Every place the native coin can sit (tests/ledger/custody.py), open rounds included."""
    return custody.native_total(chain.view)


steps = st.lists(
    st.tuples(
        st.sampled_from(("endorse", "contribute", "block")), st.integers(0, 2), st.integers(0, 5)
    ),
    max_size=25,
)


@settings(max_examples=12, deadline=None)
@given(steps, st.sampled_from(list(Weighting)))
def test_rounds_neither_create_nor_destroy_coin(
    script: list[tuple[str, int, int]], weighting: Weighting
) -> None:
    chain = Chain(check_signatures=False)
    coop = make_coop(chain)
    terms = RoundTerms(997, WEEK_S, weighting, curator_ppm=100_000, early=2)
    rid = open_round(coop, terms)
    zine = Initiative(Party.account(ERIN.address), "zine")
    studio = Initiative(Party.account(DAVE.address), "studio")
    mid = open_matching(coop, zine, studio, pool=1_003, cap=600_000)
    items = [post(coop, key, f"item-{i}") for i, key in enumerate(MEMBERS)]
    start = native_total(chain)
    for action, who, n in script:
        key = MEMBERS[who]
        if action == "endorse":
            chain.attempt(key, ContentEndorse(rid, items[n % len(items)]))
        elif action == "contribute":
            chain.attempt(key, MatchingContribute(mid, n % 2, 1 + n * 37))
        else:
            chain.next_block(n * 24 * 3600 * 1000)
        assert native_total(chain) == start
    chain.next_block(WEEK_S * 1000)
    chain.next_block()
    assert native_total(chain) == start
    assert rounds.reserves(chain.view) == 0 and matching.reserves(chain.view) == 0
