"""Quadratic funding of initiatives: the adversary's moves first (self-funding directly or
through one's split, sock puppets, splitting one's money over several payments, contributing
after the period, a pool the treasury no longer holds), then the exact, capped match."""

from __future__ import annotations

from ledger.collectives import treasury
from ledger.collectives.ids import NATIVE
from ledger.economics.actions import MatchingOpen
from ledger.economics.contribute import MatchingContribute
from ledger.economics.matching import (
    Initiative,
    MatchingStatus,
    MatchingTerms,
    require_matching,
    reserves,
)
from ledger.errors import ErrorCode
from ledger.governance.core_actions import Admit
from ledger.governance.proposal_txs import ProposalSubmit
from ledger.splits.parties import Party
from ledger.splits.payloads import SplitCreate
from ledger.splits.store import split_id_for
from ledger.state.accounts import get_account
from tests.ledger.conftest import ALICE, BOB, CAROL, DAVE, ERIN, START_BALANCE
from tests.ledger.economics.conftest import WEEK_S, open_matching
from tests.ledger.treasury.conftest import FUNDS, Coop, enact, terms

ZINE = Initiative(Party.account(ERIN.address), "a printed zine of the collective's work")


def close(coop: Coop, rid: int) -> list[str]:
    end = require_matching(coop.chain.view, rid).end_ms
    coop.chain.next_block(end - coop.chain.time_ms)
    return [e.kind for e in coop.chain.next_block()]


def test_a_member_cannot_fund_its_own_account_or_a_split_that_pays_it(coop: Coop) -> None:
    chain = coop.chain
    sid = split_id_for(CAROL.address, chain.nonces.get(CAROL.public_key, 0))
    chain.send(CAROL, SplitCreate(None, terms([(CAROL, 1), (DAVE, 1)])))
    own = Initiative(Party.account(BOB.address), "Bob's studio")
    carols = Initiative(Party.split(sid), "Carol and Dave's tour")
    rid = open_matching(coop, own, carols)
    assert chain.reject(BOB, MatchingContribute(rid, 0, 10)) is ErrorCode.SELF_FUNDING
    assert chain.reject(CAROL, MatchingContribute(rid, 1, 10)) is ErrorCode.SELF_FUNDING
    chain.send(ALICE, MatchingContribute(rid, 1, 10))


def test_sock_puppets_and_late_contributions_are_refused(coop: Coop) -> None:
    chain = coop.chain
    rid = open_matching(coop, ZINE, weeks=4)
    assert chain.reject(DAVE, MatchingContribute(rid, 0, 10)) is ErrorCode.NOT_MEMBER
    enact(coop, [Admit(DAVE.address, ((0, 1),))])
    assert chain.reject(DAVE, MatchingContribute(rid, 0, 10)) is ErrorCode.ENDORSER_NOT_ELIGIBLE
    assert chain.reject(ALICE, MatchingContribute(rid, 0, 0)) is ErrorCode.ZERO_AMOUNT
    chain.next_block(4 * WEEK_S * 1000)
    assert chain.reject(ALICE, MatchingContribute(rid, 0, 10)) is ErrorCode.ROUND_CLOSED


def test_paying_in_several_parts_counts_the_member_once(coop: Coop) -> None:
    """Alice alone gives 400 in four payments: one contributor, so no match at all."""
    chain = coop.chain
    rid = open_matching(coop, ZINE)
    for _ in range(4):
        chain.send(ALICE, MatchingContribute(rid, 0, 100))
    assert reserves(chain.view) == 1_400
    assert "matching_settled" in close(coop, rid)
    assert get_account(chain.view, ERIN.address).balance == START_BALANCE - FUNDS + 400
    assert treasury.balance(chain.view, coop.cid, NATIVE) == FUNDS  # the pool came back


def test_many_small_contributors_draw_more_match_than_one_large(coop: Coop) -> None:
    """Zine: Alice, Bob and Carol give 100 each (roots 10 each: weight 30^2 - 300 = 600). Studio:
    Bob gives 300 and Alice 1 (weight (sqrt 300 + 1)^2 - 301 = 2 sqrt 300 ~ 34.64). Pool 1000,
    cap 90 %: the zine's share 945.4... exceeds 900, so it takes 900 and the studio the 100 left."""
    chain = coop.chain
    studio = Initiative(Party.account(DAVE.address), "Dave's studio")
    rid = open_matching(coop, ZINE, studio, cap=900_000)
    for key in (ALICE, BOB, CAROL):
        chain.send(key, MatchingContribute(rid, 0, 100))
    chain.send(BOB, MatchingContribute(rid, 1, 300))
    chain.send(ALICE, MatchingContribute(rid, 1, 1))
    close(coop, rid)
    assert get_account(chain.view, ERIN.address).balance == START_BALANCE - FUNDS + 300 + 900
    assert get_account(chain.view, DAVE.address).balance == START_BALANCE + 301 + 100
    record = require_matching(chain.view, rid)
    assert record.status is MatchingStatus.SETTLED and record.matched == 1_000


def test_a_matching_round_the_treasury_cannot_fund_is_refused_at_submission(coop: Coop) -> None:
    action = MatchingOpen(MatchingTerms(FUNDS + 1, WEEK_S, 10**6, (ZINE,)))
    code = coop.chain.reject(ALICE, ProposalSubmit(coop.cid, (action,)))
    assert code is ErrorCode.INSUFFICIENT_FUNDS
