"""The admission and renewal rules one by one: what an open join reports and pays in kind, what
each refusal is called, and that an application without a tribute escrows nothing."""

from __future__ import annotations

import dataclasses

from ledger.collectives import treasury
from ledger.collectives.checkpoints import NO_POWER, point_at
from ledger.collectives.exit import RageKick
from ledger.collectives.holdings import holding
from ledger.collectives.ids import NATIVE, Asset
from ledger.collectives.membership import MembershipApply, MembershipRenew
from ledger.collectives.model import ClassKind, TokenClass
from ledger.collectives.params import DAY, AdmissionMode, CollectiveParams
from ledger.collectives.roster import leave, member_count, update
from ledger.collectives.store import require_collective, require_member
from ledger.collectives.token_transfer import TokenTransfer
from ledger.collectives.treasury_deposit import TreasuryDeposit
from ledger.errors import ErrorCode
from ledger.governance import escrow
from ledger.governance.core_actions import Expel, TreasurySpend
from ledger.governance.proposal import require_proposal
from ledger.governance.proposal_txs import ProposalSubmit
from ledger.governance.vote_txs import Vote
from ledger.state.accounts import get_account
from tests.ledger.conftest import (
    ALICE,
    BOB,
    BRAND,
    CAROL,
    DAVE,
    ERIN,
    START_BALANCE,
    YES,
    Chain,
    proposal_id,
)
from tests.ledger.treasury.conftest import make_coop, submit, vote

CLASSES = (
    TokenClass("shares", ClassKind.SHARES),
    TokenClass("loot", ClassKind.LOOT, transferable=True, members_only=False),
)
OPEN_SHARES = (
    TokenClass("shares", ClassKind.SHARES, transferable=True, members_only=False),
    TokenClass("fan-token", ClassKind.LOOT, transferable=True, members_only=False),
)


def door(chain: Chain, **params: object) -> bytes:
    """Alice and Bob, 10 shares each, behind an OPEN door granting 1 share and 2 loot."""
    base = CollectiveParams(admission_mode=AdmissionMode.OPEN, open_tribute=10, open_grant=(1, 2))
    return chain.create_collective(
        ALICE,
        [(ALICE, (10, 0)), (BOB, (10, 0))],
        classes=CLASSES,
        params=dataclasses.replace(base, **params),  # type: ignore[arg-type]
        name="door",
    )


def tokens_of_two_fan_clubs(chain: Chain, cid: bytes) -> tuple[Asset, Asset]:
    """The treasury of `cid` holds 22 native coin, 11 voting shares of one club and 33 fan
    tokens of another; Dave holds 100 of each."""
    clubs = [
        chain.create_collective(DAVE, [(DAVE, (100, 100))], classes=OPEN_SHARES, name=name)
        for name in ("club-a", "club-b")
    ]
    shares, fans = Asset(clubs[0], 0), Asset(clubs[1], 1)
    for asset, amount in ((NATIVE, 22), (shares, 11), (fans, 33)):
        chain.accept(cid, asset)
        chain.send(DAVE, TreasuryDeposit(cid, asset, amount))
    return shares, fans


def test_an_open_join_reports_the_member_the_units_minted_and_each_payment(chain: Chain) -> None:
    """3 exit units join 20 (+0): the price is ceil(balance x 3 / 20) of every asset, paid in
    kind, and the receipt says who joined, what was minted and what was paid, in that order.
    The voting shares paid in leave Dave's power in that club from this very block."""
    cid = door(chain, membership_term_ms=30 * DAY)
    shares, fans = tokens_of_two_fan_clubs(chain, cid)
    chain.next_block()
    receipt = chain.send(DAVE, MembershipApply(cid, (), NATIVE, 10, ""))
    assert [(e.kind, dict(e.attributes)) for e in receipt.events] == [
        ("member_joined", {"collective": cid, "member": DAVE.address.raw}),
        ("mint", {"collective": cid, "token_class": 0, "to": DAVE.address.raw, "amount": 1}),
        ("mint", {"collective": cid, "token_class": 1, "to": DAVE.address.raw, "amount": 2}),
        ("admission_paid", {"collective": cid, "asset": NATIVE.raw, "amount": 10}),
        *(
            ("admission_paid", {"collective": cid, "asset": asset.raw, "amount": amount})
            for asset, amount in sorted([(shares, 2), (fans, 5)], key=lambda p: p[0].raw)
        ),
    ]
    assert dict(treasury.balances(chain.view, cid)) == {NATIVE: 32, shares: 13, fans: 38}
    club = shares.collective
    assert point_at(chain.view, club, DAVE.address, chain.height - 1).power == 100 - 11
    assert point_at(chain.view, club, DAVE.address, chain.height).power == 100 - 13
    joined = point_at(chain.view, cid, DAVE.address, chain.height)
    assert (joined.power, joined.voting_until > 0) == (1, True)


def test_an_open_join_needs_every_in_kind_price_and_no_more(chain: Chain) -> None:
    """The price is 2 club shares and 5 fan tokens: one short of either is refused, exactly
    the price of both is enough."""
    cid = door(chain)
    shares, fans = tokens_of_two_fan_clubs(chain, cid)
    give = {shares: 100 - 11 - 2, fans: 100 - 33 - 5}  # Dave keeps exactly the price
    for asset, amount in give.items():
        chain.send(DAVE, TokenTransfer(asset.collective, asset.token_class, ERIN.address, amount))
    for asset in (shares, fans):
        chain.send(DAVE, TokenTransfer(asset.collective, asset.token_class, ERIN.address, 1))
        assert chain.reject(DAVE, MembershipApply(cid, (), NATIVE, 10, "")) is (
            ErrorCode.INSUFFICIENT_FUNDS
        )
        chain.send(ERIN, TokenTransfer(asset.collective, asset.token_class, DAVE.address, 1))
    chain.send(DAVE, MembershipApply(cid, (), NATIVE, 10, ""))
    assert [holding(chain.view, a.collective, a.token_class, DAVE.address) for a in give] == [0, 0]


def test_open_admission_refuses_requested_holdings_and_token_tributes(chain: Chain) -> None:
    cid = door(chain)
    token = Asset(chain.create_collective(DAVE, [(DAVE, (1, 9))], classes=OPEN_SHARES), 1)
    chain.accept(cid, token)
    assert chain.reject(DAVE, MembershipApply(cid, ((0, 1),), NATIVE, 10, "")) is (
        ErrorCode.INVALID_STATE
    )
    assert chain.reject(DAVE, MembershipApply(cid, (), token, 9, "")) is ErrorCode.INVALID_STATE
    assert chain.reject(DAVE, MembershipApply(cid, (), Asset(cid, 1), 9, "")) is (
        ErrorCode.INVALID_PAYLOAD
    )


def test_an_expelled_member_cannot_apply_again(chain: Chain) -> None:
    """Expelled (jailed), kicked out with a fair share, Carol may not come back by application."""
    cid = chain.create_collective(ALICE, [(ALICE, (10, 0)), (BOB, (10, 0)), (CAROL, (1, 0))])
    chain.next_block()
    pid = proposal_id(chain.send(ALICE, ProposalSubmit(cid, (Expel(CAROL.address),))))
    for key in (ALICE, BOB):
        chain.send(key, Vote(pid, YES))
    for _ in range(4):
        chain.next_block(2 * DAY)
    assert require_member(chain.view, cid, CAROL.address).jailed
    chain.send(DAVE, RageKick(cid, CAROL.address))
    assert chain.reject(CAROL, MembershipApply(cid, ((0, 1),), NATIVE, 0, "")) is (
        ErrorCode.UNAUTHORIZED
    )


def test_an_application_without_a_tribute_escrows_nothing(chain: Chain) -> None:
    cid = chain.create_collective(ALICE, [(ALICE, (10, 0))])
    pid = proposal_id(chain.send(DAVE, MembershipApply(cid, ((0, 1),), NATIVE, 0, "")))
    assert escrow.get(chain.view, pid, escrow.Slot.TRIBUTE) is None
    assert get_account(chain.view, DAVE.address).balance == START_BALANCE


def test_a_renewal_reports_the_member_the_new_expiry_and_the_dues(chain: Chain) -> None:
    cid = chain.create_collective(
        ALICE,
        [(ALICE, (10, 0)), (BOB, (5, 0))],
        params=CollectiveParams(membership_term_ms=30 * DAY, dues=7),
    )
    receipt = chain.send(BRAND, MembershipRenew(cid, BOB.address))
    expires = require_member(chain.view, cid, BOB.address).expires_ms
    assert expires == chain.time_ms + 60 * DAY  # one more term on top of the running one
    assert [(e.kind, dict(e.attributes)) for e in receipt.events] == [
        (
            "membership_renewed",
            {"collective": cid, "member": BOB.address.raw, "expires_ms": expires, "dues": 7},
        )
    ]


def test_a_jailed_member_cannot_renew(chain: Chain) -> None:
    cid = chain.create_collective(
        ALICE,
        [(ALICE, (10, 0)), (BOB, (5, 0))],
        params=CollectiveParams(membership_term_ms=30 * DAY, dues=7),
    )
    collective = require_collective(chain.view, cid)
    bob = dataclasses.replace(require_member(chain.view, cid, BOB.address), jailed=True)
    update(chain.view, chain.height, cid, collective, BOB.address, member=bob)
    assert chain.reject(BRAND, MembershipRenew(cid, BOB.address)) is ErrorCode.JAILED


def test_without_terms_a_renewal_is_pointless_whoever_it_names(chain: Chain) -> None:
    """No term: nothing to renew, for a member, a jailed member or a stranger alike."""
    cid = chain.create_collective(ALICE, [(ALICE, (10, 0)), (BOB, (5, 0))])
    collective = require_collective(chain.view, cid)
    bob = dataclasses.replace(require_member(chain.view, cid, BOB.address), jailed=True)
    update(chain.view, chain.height, cid, collective, BOB.address, member=bob)
    for who in (ALICE, BOB, DAVE):
        assert chain.reject(BRAND, MembershipRenew(cid, who.address)) is ErrorCode.INVALID_STATE


def test_leaving_with_shares_burns_them_ends_the_power_at_that_block_and_counts_down(
    chain: Chain,
) -> None:
    """A member who leaves still holding voting shares (a forfeit expulsion) has them burned;
    their power and its term end in the block of the leave, and the receipt says who left."""
    params = CollectiveParams(membership_term_ms=30 * DAY)
    cid = chain.create_collective(ALICE, [(ALICE, (10, 0)), (BOB, (5, 2))], params=params)
    chain.next_block()
    collective = require_collective(chain.view, cid)
    events = leave(chain.view, chain.height, cid, collective, BOB.address)
    assert member_count(chain.view, cid) == 1
    assert [holding(chain.view, cid, c, BOB.address) for c in (0, 1)] == [0, 0]
    assert point_at(chain.view, cid, BOB.address, chain.height - 1).power == 5
    assert point_at(chain.view, cid, BOB.address, chain.height) == NO_POWER
    assert (events[-1].kind, dict(events[-1].attributes)) == (
        "member_left",
        {"collective": cid, "member": BOB.address.raw},
    )
    assert [e.kind for e in events[:-1]] == ["burn", "burn"]


def test_an_applicants_statement_is_the_admission_proposals_text(chain: Chain) -> None:
    cid = chain.create_collective(ALICE, [(ALICE, (10, 0))])
    statement = "I restore SNES cartridges"
    pid = proposal_id(chain.send(DAVE, MembershipApply(cid, ((0, 1),), NATIVE, 0, statement)))
    assert require_proposal(chain.view, pid).metadata == statement


def test_a_short_applicant_is_told_so_before_anything_is_taken_even_when_exit_locked(
    chain: Chain,
) -> None:
    """The in-kind price is checked in full before the join takes anything: Alice, without the
    coop loot the door charges and exit-locked in the coop by a yes vote, hears that she is
    short (INSUFFICIENT_FUNDS), not that her lock stopped a payment half-way."""
    coop = make_coop(chain)
    loot = Asset(coop.cid, 1)
    base = CollectiveParams(admission_mode=AdmissionMode.OPEN, open_tribute=10, open_grant=(1, 0))
    cid = chain.create_collective(BOB, [(BOB, (10, 0))], classes=CLASSES, params=base)
    chain.accept(cid, loot)
    chain.send(CAROL, TreasuryDeposit(cid, loot, 2))  # the door charges 1 coop loot per share
    chain.send(ALICE, TokenTransfer(coop.cid, 1, ERIN.address, 4))  # Alice keeps none
    pid = submit(coop, [TreasurySpend(NATIVE, ERIN.address, 500)])
    vote(coop, pid, [ALICE])
    assert chain.reject(ALICE, MembershipApply(cid, (), NATIVE, 10, "")) is (
        ErrorCode.INSUFFICIENT_FUNDS
    )
