"""Membership terms that governance turns on, off or changes (issue 23, item 4): turning terms
off frees everyone at once, turning them on binds every member with a full term, a new grace
applies to everyone, and renewal never turns a lifelong membership into an expiring one."""

from __future__ import annotations

import dataclasses

from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.collectives.checkpoints import current_power
from ledger.collectives.delegation import ALL_KINDS, Delegate, current_delegations
from ledger.collectives.exit import Ragequit
from ledger.collectives.ids import NATIVE
from ledger.collectives.membership import MembershipRenew
from ledger.collectives.params import DAY, PPM, CollectiveParams
from ledger.collectives.roster import update
from ledger.collectives.store import iter_members, require_collective, require_member
from ledger.collectives.terms import apply_term_change
from ledger.content.payloads import ContentAnchor
from ledger.content.records import ModerationAction
from ledger.errors import ErrorCode
from ledger.governance.actions_treasury import SetAllowance
from ledger.governance.core_actions import SetParams
from ledger.governance.kinds import Role
from ledger.governance.proposal import Status
from ledger.governance.proposal_txs import ProposalSubmit
from ledger.governance.roles import SetRole
from ledger.governance.running import running_tally
from ledger.governance.vote_txs import Vote
from ledger.hashing import digest
from ledger.moderation.act import ModerationAct
from ledger.treasury.allowance_spend import AllowanceSpend
from ledger.treasury.allowances import Grantee
from tests.ledger.conftest import ALICE, BOB, CAROL, YES, Chain, proposal_id
from tests.ledger.treasury.conftest import CLASSES, Coop, enact, make_coop, proposal

TERM = 30 * DAY
POST = digest(b"a post about cartridge batteries")


def termed_coop(chain: Chain) -> Coop:
    """The treasury tests' Alice 10, Bob 10, Carol 5, founded with a 30-day term."""
    params = CollectiveParams(membership_term_ms=TERM, renewal_grace_ms=DAY)
    founders = [(ALICE, (10, 4, 1)), (BOB, (10, 0, 1)), (CAROL, (5, 2, 1))]
    cid = chain.create_collective(ALICE, founders, classes=CLASSES, params=params)
    chain.next_block()
    return Coop(chain, cid)


def with_params(coop: Coop, **changes: object) -> None:
    """Pass a SetParams proposal changing `changes` (Alice and Bob vote yes)."""
    params = require_collective(coop.chain.view, coop.cid).params
    pid, _ = enact(coop, [SetParams(dataclasses.replace(params, **changes))])  # type: ignore[arg-type]
    assert proposal(coop, pid).status is Status.EXECUTED


def power(coop: Coop, who: object) -> int:
    view = coop.chain.view
    collective = require_collective(view, coop.cid)
    return current_power(view, coop.cid, collective, who.address, coop.chain.time_ms)  # type: ignore[attr-defined]


def test_turning_terms_off_frees_every_member_at_once(chain: Chain) -> None:
    coop = termed_coop(chain)
    with_params(coop, membership_term_ms=0)
    chain.next_block(2 * TERM)  # long past any old expiry and grace
    assert all(m.expires_ms == 0 for _, m in iter_members(chain.view, coop.cid))
    assert power(coop, ALICE) == 10 and power(coop, CAROL) == 5
    chain.send(ALICE, ProposalSubmit(coop.cid, ()))  # governance still works


def test_turning_terms_on_binds_existing_members_with_a_full_term(chain: Chain) -> None:
    coop = make_coop(chain)
    with_params(coop, membership_term_ms=TERM, renewal_grace_ms=DAY)
    since = chain.time_ms
    assert require_member(chain.view, coop.cid, BOB.address).expires_ms >= since
    chain.next_block(TERM + 2 * DAY)
    assert power(coop, BOB) == 0
    assert chain.reject(BOB, ProposalSubmit(coop.cid, ())) is ErrorCode.MEMBERSHIP_LAPSED
    chain.send(CAROL, MembershipRenew(coop.cid, BOB.address))
    assert power(coop, BOB) == 10


def test_a_lapsed_collective_is_not_bricked(chain: Chain) -> None:
    """Everyone lapsed: one renewal (anyone may pay) gives a member back the right to propose."""
    coop = make_coop(chain)
    with_params(coop, membership_term_ms=TERM, renewal_grace_ms=DAY)
    chain.next_block(3 * TERM)
    assert chain.reject(ALICE, ProposalSubmit(coop.cid, ())) is ErrorCode.MEMBERSHIP_LAPSED
    chain.send(ALICE, MembershipRenew(coop.cid, ALICE.address))
    assert proposal_id(chain.send(ALICE, ProposalSubmit(coop.cid, ())))


def test_a_new_grace_reaches_every_member(chain: Chain) -> None:
    coop = termed_coop(chain)
    with_params(coop, renewal_grace_ms=300 * DAY)
    chain.next_block(TERM + 10 * DAY)
    assert power(coop, CAROL) == 5  # inside the new, longer grace
    pid = proposal_id(chain.send(ALICE, ProposalSubmit(coop.cid, ())))
    chain.send(CAROL, Vote(pid, YES))  # and her snapshot says so too


def test_dues_never_turn_a_lifelong_membership_into_an_expiring_one(chain: Chain) -> None:
    coop = make_coop(chain)
    with_params(coop, membership_term_ms=TERM)
    bob = require_member(chain.view, coop.cid, BOB.address)
    collective = require_collective(chain.view, coop.cid)
    forever = dataclasses.replace(bob, expires_ms=0)  # a record from before the rules
    update(chain.view, chain.height, coop.cid, collective, BOB.address, member=forever)
    assert chain.reject(CAROL, MembershipRenew(coop.cid, BOB.address)) is ErrorCode.INVALID_STATE


@settings(max_examples=12, deadline=None)
@given(st.lists(st.sampled_from([0, TERM, 2 * TERM]), min_size=1, max_size=4))
def test_a_term_is_set_exactly_when_the_collective_has_one(terms: list[int]) -> None:
    """Invariant over any sequence of term changes: every member has an expiry iff the
    collective has a term (so no lapse survives terms being off, and none is missing)."""
    chain = Chain(check_signatures=False)
    coop = make_coop(chain)
    for term in terms:
        with_params(coop, membership_term_ms=term)
        params: CollectiveParams = require_collective(chain.view, coop.cid).params
        members = list(iter_members(chain.view, coop.cid))
        assert members and all(
            (m.expires_ms != 0) == (params.membership_term_ms != 0) for _, m in members
        )


def test_a_lapsed_member_keeps_no_right_but_exit_and_renewal(chain: Chain) -> None:
    """Moderation, allowances, proposing and anchoring all need good standing; a lapsed member
    may still renew and ragequit."""
    coop = termed_coop(chain)
    enact(coop, [SetRole(Role.MODERATOR, CAROL.address)])
    enact(coop, [SetAllowance(Grantee.member(CAROL.address), NATIVE, 100, 0)])
    chain.send(CAROL, ContentAnchor(POST, "ipfs://post", "post", coop.cid))
    chain.send(ALICE, MembershipRenew(coop.cid, ALICE.address))
    chain.next_block(TERM + 2 * DAY)  # Carol lapses (Alice renewed: still in standing)
    lapsed = ErrorCode.MEMBERSHIP_LAPSED
    assert chain.reject(CAROL, ProposalSubmit(coop.cid, ())) is lapsed
    act = ModerationAct(coop.cid, POST, ModerationAction.HIDE)
    assert chain.reject(CAROL, act) is lapsed
    spend = AllowanceSpend(coop.cid, Grantee.member(CAROL.address), NATIVE, CAROL.address, 1)
    assert chain.reject(CAROL, spend) is lapsed
    other = ContentAnchor(digest(b"another post"), "ipfs://x", "post", coop.cid)
    assert chain.reject(CAROL, other) is ErrorCode.CONTENT_NOT_A_MEMBER
    chain.send(CAROL, Ragequit(coop.cid, ((0, 1),)))  # exits stay open
    chain.send(CAROL, MembershipRenew(coop.cid, CAROL.address))
    chain.send(CAROL, ModerationAct(coop.cid, POST, ModerationAction.HIDE))


def test_a_term_change_counts_exactly_the_member_records_it_rewrote(chain: Chain) -> None:
    """On: every member gets now + term (3 rewritten); a new grace or term length keeps every
    expiry (0); off: every expiry cleared (3); a grace change without terms touches no one."""
    coop = make_coop(chain)
    view, cid = chain.view, coop.cid
    off = require_collective(view, cid)
    on = off.with_params(dataclasses.replace(off.params, membership_term_ms=TERM))
    assert apply_term_change(view, chain.ctx, cid, off.params, on) == 3
    expiries = {w: m.expires_ms for w, m in iter_members(view, cid)}
    assert set(expiries.values()) == {chain.time_ms + TERM}
    chain.next_block()
    view = chain.view
    for change in ({"renewal_grace_ms": 7 * DAY}, {"membership_term_ms": 2 * TERM}):
        new = on.with_params(dataclasses.replace(on.params, **change))  # type: ignore[arg-type]
        assert apply_term_change(view, chain.ctx, cid, on.params, new) == 0
        assert {w: m.expires_ms for w, m in iter_members(view, cid)} == expiries
    assert apply_term_change(view, chain.ctx, cid, on.params, off) == 3
    regrace = off.with_params(dataclasses.replace(off.params, renewal_grace_ms=9 * DAY))
    assert apply_term_change(view, chain.ctx, cid, off.params, regrace) == 0
    assert all(m.expires_ms == 0 for _, m in iter_members(view, cid))


def test_a_member_freed_from_a_lapse_by_the_end_of_terms_comes_back_without_what_was_lent(
    chain: Chain,
) -> None:
    """Carol lends Bob her whole vote, and Bob's membership lapses. Turning terms off brings him
    back, but the lapse had ended Carol's delegation (as a renewal after the lapse finds it):
    Bob votes with his own 10 only, and Carol keeps her vote."""
    coop = termed_coop(chain)
    chain.send(CAROL, Delegate(coop.cid, ALL_KINDS, ((BOB.address, PPM),)))
    for key in (ALICE, CAROL):
        chain.send(key, MembershipRenew(coop.cid, key.address))
    chain.next_block(TERM + 2 * DAY)  # Bob lapses
    params = require_collective(chain.view, coop.cid).params
    pid, _ = enact(coop, [SetParams(dataclasses.replace(params, membership_term_ms=0))], [ALICE])
    assert proposal(coop, pid).status is Status.EXECUTED
    assert current_delegations(chain.view, coop.cid, CAROL.address) == []
    pid = proposal_id(chain.send(ALICE, ProposalSubmit(coop.cid, ())))
    chain.send(BOB, Vote(pid, YES))
    assert running_tally(chain.view, pid, proposal(coop, pid)).scores == (10, 0, 0, 0)


def test_a_delegate_lapsed_when_a_vote_starts_carries_nothing_on_it_even_once_renewed(
    chain: Chain,
) -> None:
    """Carol lends Bob her whole vote; Bob lets his membership lapse, a proposal opens, and only
    then does Bob renew. His own power was lapsed at the vote's start, and so is what Carol
    lent him: he has nothing to vote with there. His renewal ends Carol's delegation (the lapse
    did), so on the next proposal Bob counts his own 10 and nothing of Carol's."""
    coop = termed_coop(chain)
    chain.send(CAROL, Delegate(coop.cid, ALL_KINDS, ((BOB.address, PPM),)))
    for key in (ALICE, CAROL):
        chain.send(key, MembershipRenew(coop.cid, key.address))
    chain.next_block(TERM + DAY)  # Bob's grace ends exactly now: lapsed
    pid = proposal_id(chain.send(ALICE, ProposalSubmit(coop.cid, ())))
    chain.send(BOB, MembershipRenew(coop.cid, BOB.address))
    assert chain.reject(BOB, Vote(pid, YES)) is ErrorCode.NO_VOTING_POWER
    assert current_delegations(chain.view, coop.cid, CAROL.address) == []
    chain.next_block()
    nxt = proposal_id(chain.send(CAROL, ProposalSubmit(coop.cid, ())))  # she does not vote
    chain.send(BOB, Vote(nxt, YES))
    assert running_tally(chain.view, nxt, proposal(coop, nxt)).scores == (10, 0, 0, 0)


def test_a_renewal_in_good_standing_keeps_the_delegations_to_the_member(chain: Chain) -> None:
    """Only a lapse ends what is lent: Bob renews a day before his term ends (and again inside
    his grace), and Carol's delegation to him stays; he votes with her 5 and his 10."""
    coop = termed_coop(chain)
    chain.send(CAROL, Delegate(coop.cid, ALL_KINDS, ((BOB.address, PPM),)))
    chain.next_block(TERM - DAY)
    chain.send(BOB, MembershipRenew(coop.cid, BOB.address))
    for key in (ALICE, CAROL):
        chain.send(key, MembershipRenew(coop.cid, key.address))
    chain.next_block(TERM + DAY - 1)  # inside Bob's grace: a millisecond before the lapse
    chain.send(BOB, MembershipRenew(coop.cid, BOB.address))
    assert current_delegations(chain.view, coop.cid, CAROL.address) == [
        (ALL_KINDS, ((BOB.address, PPM),))
    ]
    chain.next_block()
    pid = proposal_id(chain.send(ALICE, ProposalSubmit(coop.cid, ())))
    chain.send(BOB, Vote(pid, YES))
    assert running_tally(chain.view, pid, proposal(coop, pid)).scores == (15, 0, 0, 0)
