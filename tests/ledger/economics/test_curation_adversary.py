"""The adversary's moves against a curation round (issue 22), each rejected with its own code and
changing nothing, or, where a move cannot be forbidden (rings, spam), earning nothing extra."""

from __future__ import annotations

from ledger.collectives import treasury
from ledger.collectives.ids import NATIVE
from ledger.content.payloads import ContentAnchor
from ledger.economics.actions import RoundOpen
from ledger.economics.endorse import ContentEndorse
from ledger.economics.rounds import RoundStatus, RoundTerms, get_round, require_round
from ledger.errors import ErrorCode
from ledger.governance.core_actions import Admit, TreasurySpend
from ledger.governance.proposal import Status
from ledger.state.accounts import get_account
from tests.ledger.conftest import ALICE, BOB, CAROL, DAVE, ERIN, START_BALANCE
from tests.ledger.economics.conftest import WEEK_S, open_round, post
from tests.ledger.treasury.conftest import FUNDS, Coop, enact, proposal, settle, submit, vote

TERMS = RoundTerms(budget=1_000, period_s=WEEK_S)


def test_alice_cannot_endorse_her_own_video(coop: Coop) -> None:
    rid = open_round(coop, TERMS)
    mine = post(coop, ALICE, "alice-1")
    assert coop.chain.reject(ALICE, ContentEndorse(rid, mine)) is ErrorCode.SELF_ENDORSEMENT


def test_outsiders_and_members_admitted_after_the_open_cannot_endorse(coop: Coop) -> None:
    rid = open_round(coop, RoundTerms(budget=1_000, period_s=4 * WEEK_S))
    video = post(coop, ALICE, "alice-1")
    assert coop.chain.reject(DAVE, ContentEndorse(rid, video)) is ErrorCode.NOT_MEMBER
    enact(coop, [Admit(DAVE.address, ((0, 1),))])  # a sock puppet voted in during the round
    assert require_round(coop.chain.view, rid).status is RoundStatus.OPEN
    code = coop.chain.reject(DAVE, ContentEndorse(rid, video))
    assert code is ErrorCode.ENDORSER_NOT_ELIGIBLE


def test_endorsing_after_the_period_is_rejected(coop: Coop) -> None:
    rid = open_round(coop, TERMS)
    video = post(coop, ALICE, "alice-1")
    coop.chain.next_block(WEEK_S * 1000)
    assert coop.chain.reject(BOB, ContentEndorse(rid, video)) is ErrorCode.ROUND_CLOSED


def test_old_work_and_other_collectives_content_are_not_eligible(coop: Coop) -> None:
    old = post(coop, ALICE, "before-the-round")
    coop.chain.next_block()
    rid = open_round(coop, TERMS)
    assert coop.chain.reject(BOB, ContentEndorse(rid, old)) is ErrorCode.CONTENT_NOT_ELIGIBLE
    loose = bytes([1]) * 32
    coop.chain.send(ALICE, ContentAnchor(loose, "ipfs://loose", "video"))
    assert coop.chain.reject(BOB, ContentEndorse(rid, loose)) is ErrorCode.CONTENT_NOT_ELIGIBLE


def test_an_item_is_endorsed_once_per_member_and_at_most_the_cap(coop: Coop) -> None:
    rid = open_round(coop, RoundTerms(budget=1_000, period_s=WEEK_S, max_endorsements=2))
    items = [post(coop, ALICE, f"spam-{i}") for i in range(3)]
    coop.chain.send(BOB, ContentEndorse(rid, items[0]))
    assert coop.chain.reject(BOB, ContentEndorse(rid, items[0])) is ErrorCode.ALREADY_EXISTS
    coop.chain.send(BOB, ContentEndorse(rid, items[1]))
    assert coop.chain.reject(BOB, ContentEndorse(rid, items[2])) is ErrorCode.LIMIT_REACHED


def test_a_round_the_treasury_no_longer_holds_never_opens(coop: Coop) -> None:
    """The round is proposed while the treasury holds its budget; a spend drains the treasury
    first: the round's execution fails and nothing is reserved."""
    chain = coop.chain
    drain = submit(coop, [TreasurySpend(NATIVE, ERIN.address, FUNDS)], proposer=BOB)
    round_pid = submit(coop, [RoundOpen(RoundTerms(budget=FUNDS, period_s=WEEK_S))])
    vote(coop, drain, (ALICE, BOB))
    vote(coop, round_pid, (ALICE, BOB))
    events = settle(coop, drain)
    assert proposal(coop, drain).status is Status.EXECUTED
    for _ in range(10):
        events += chain.next_block(24 * 3600 * 1000)
    assert proposal(coop, round_pid).status is not Status.EXECUTED
    assert get_round(chain.view, 1) is None
    assert treasury.balance(chain.view, coop.cid, NATIVE) == 0
    assert (
        get_account(chain.view, ERIN.address).balance == START_BALANCE
    )  # deposited FUNDS, drained back
    assert [e for e in events if e.kind == "proposal_execution_failed"]


def test_a_ring_that_endorses_more_items_earns_no_more(coop: Coop) -> None:
    """Alice and Bob endorse each other's every video; Carol endorses one of Alice's. The ring's
    extra endorsements only spread its members' own weight: each member still weighs 1."""
    chain = coop.chain
    rid = open_round(coop, RoundTerms(budget=3_000, period_s=WEEK_S))
    alice = [post(coop, ALICE, f"alice-{i}") for i in range(3)]
    bob = [post(coop, BOB, f"bob-{i}") for i in range(3)]
    for item in bob:
        chain.send(ALICE, ContentEndorse(rid, item))
    for item in alice:
        chain.send(BOB, ContentEndorse(rid, item))
    chain.send(CAROL, ContentEndorse(rid, alice[0]))
    before = {k: get_account(chain.view, k.address).balance for k in (ALICE, BOB, CAROL)}
    chain.next_block(WEEK_S * 1000)
    chain.next_block()
    gained = {k: get_account(chain.view, k.address).balance - before[k] for k in before}
    # three members, weight 1 each: Alice is endorsed by Bob (1) and Carol (1), Bob by Alice (1)
    assert gained == {ALICE: 2_000, BOB: 1_000, CAROL: 0}
    assert require_round(chain.view, rid).paid == 3_000
