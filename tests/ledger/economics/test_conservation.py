"""Value is conserved through curation and matching rounds, rounds closed early or called off,
and rewards paid by standing every period: the native coin in accounts, treasuries, proposal
escrows and open rounds' reserves is the same after every tx and block, whatever members
endorse and contribute (random sequences)."""

from __future__ import annotations

import contextlib

from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.collectives import keys as ckeys
from ledger.collectives.ids import Asset
from ledger.economics import matching, rounds
from ledger.economics.contribute import MatchingContribute
from ledger.economics.endorse import ContentEndorse
from ledger.economics.matching import Initiative
from ledger.economics.reputation import Act, ReputationPolicy, award, set_policy
from ledger.economics.reward_schedule import set_schedule
from ledger.economics.round_close import RoundClose
from ledger.economics.rounds import RoundTerms, Weighting
from ledger.errors import TxError
from ledger.governance import escrow
from ledger.governance.actions import ActionRun
from ledger.splits.parties import Party
from ledger.state import keys as skeys
from ledger.state.records import Account
from tests.ledger.conftest import ALICE, BOB, CAROL, DAVE, ERIN, Chain
from tests.ledger.economics.conftest import WEEK_S, open_matching, open_round, post
from tests.ledger.treasury.conftest import make_coop

MEMBERS = (ALICE, BOB, CAROL)


def native_total(chain: Chain) -> int:
    view = chain.view
    total = sum(Account.decode(v).balance for _, v in view.iter_prefix(skeys.ACCOUNT))
    total += sum(
        int.from_bytes(v, "big")
        for k, v in view.iter_prefix(ckeys.TREASURY)
        if Asset.parse(k[1 + 20 :]).is_native
    )
    total += sum(e.amount for e in escrow.total_held(view) if e.asset.is_native)
    return total + rounds.reserves(view) + matching.reserves(view)


steps = st.lists(
    st.tuples(
        st.sampled_from(("endorse", "contribute", "block", "close")),
        st.integers(0, 2),
        st.integers(0, 5),
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
    set_policy(chain.view, coop.cid, ReputationPolicy(3, 7, 11, 24 * 3600, 40))
    award(chain.view, coop.cid, BOB.address, Act.VOTE_CAST, chain.time_ms)
    award(chain.view, coop.cid, CAROL.address, Act.PROPOSAL_PASSED, chain.time_ms)
    set_schedule(chain.view, coop.cid, 101, 24 * 3600, now_ms=chain.time_ms, proposal_id=0)
    start = native_total(chain)
    for action, who, n in script:
        key = MEMBERS[who]
        if action == "endorse":
            chain.attempt(key, ContentEndorse(rid, items[n % len(items)]))
        elif action == "contribute":
            chain.attempt(key, MatchingContribute(mid, n % 2, 1 + n * 37))
        elif action == "close":  # a RoundClose proposal executing (in its own child view)
            child = chain.view.child()
            with contextlib.suppress(TxError):
                run = ActionRun(coop.cid, 0, ALICE.address)
                RoundClose(rid, call_off=n % 2 == 1).execute(child, chain.ctx, run)
                child.merge_into_parent()
        else:
            chain.next_block(n * 24 * 3600 * 1000)
        assert native_total(chain) == start
    chain.next_block(WEEK_S * 1000)
    chain.next_block()
    assert native_total(chain) == start
    assert rounds.reserves(chain.view) == 0 and matching.reserves(chain.view) == 0
