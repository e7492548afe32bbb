"""OPEN admission is priced against what the treasury holds per exit unit (issue 23, item 1):
joining pays at least the exit share it buys, so a join and a ragequit never take value from
the members who stay."""

from __future__ import annotations

import dataclasses

import pytest

from ledger.collectives import roster, treasury
from ledger.collectives.exit import Ragequit
from ledger.collectives.holdings import holding
from ledger.collectives.ids import NATIVE, Asset
from ledger.collectives.membership import MembershipApply
from ledger.collectives.model import ClassKind, TokenClass
from ledger.collectives.params import AdmissionMode, CollectiveParams
from ledger.collectives.store import require_collective
from ledger.collectives.treasury_deposit import TreasuryDeposit
from ledger.errors import ErrorCode, TxError
from ledger.governance.proposal import require_proposal
from ledger.governance.proposal_txs import ProposalSubmit
from ledger.governance.running import running_tally
from ledger.governance.vote_txs import Vote
from ledger.state.accounts import get_account
from tests.ledger.conftest import ALICE, BOB, BRAND, CAROL, DAVE, ERIN, YES, Chain, proposal_id

CLASSES = (
    TokenClass("shares", ClassKind.SHARES),
    TokenClass("loot", ClassKind.LOOT, transferable=True, members_only=False),
)


def keepers(chain: Chain, *, funds: int = 10_000, **params: object) -> bytes:
    """Cartridge Keepers: Alice, Bob and Carol hold 10 shares each; an OPEN door grants 1 share."""
    base = CollectiveParams(admission_mode=AdmissionMode.OPEN, open_tribute=10, open_grant=(1, 0))
    cid = chain.create_collective(
        ALICE,
        [(ALICE, (10, 0)), (BOB, (10, 0)), (CAROL, (10, 0))],
        classes=CLASSES,
        params=dataclasses.replace(base, **params),  # type: ignore[arg-type]
        name="Cartridge Keepers",
    )
    if funds:
        chain.send(BRAND, TreasuryDeposit(cid, NATIVE, funds, "sponsorship"))
    chain.next_block()
    return cid


def test_fifty_join_and_ragequit_cycles_in_one_block_take_nothing_from_the_keepers(
    chain: Chain,
) -> None:
    """Before the fix Dave paid the fixed 10 per share and left with 10,000/31 = 322 each time."""
    cid = keepers(chain)
    start = get_account(chain.view, DAVE.address).balance
    for _ in range(50):
        chain.send(DAVE, MembershipApply(cid, (), NATIVE, 1_000, "just visiting"))
        chain.send(DAVE, Ragequit(cid, ((0, 1),)))
    assert get_account(chain.view, DAVE.address).balance <= start
    assert treasury.balance(chain.view, cid, NATIVE) >= 10_000


def test_an_open_join_pays_the_value_per_unit_rounded_up(chain: Chain) -> None:
    cid = keepers(chain)  # 10,000 over 30 units: 333.33 per unit, so one unit costs 334
    code = chain.reject(DAVE, MembershipApply(cid, (), NATIVE, 333, "too little"))
    assert code is ErrorCode.INVALID_STATE
    chain.send(DAVE, MembershipApply(cid, (), NATIVE, 500, "at most 500"))
    assert treasury.balance(chain.view, cid, NATIVE) == 10_334
    assert holding(chain.view, cid, 0, DAVE.address) == 1


def test_the_fixed_open_tribute_is_the_floor_of_the_price(chain: Chain) -> None:
    cid = keepers(chain, funds=0, open_tribute=50)
    assert chain.reject(DAVE, MembershipApply(cid, (), NATIVE, 49, "")) is ErrorCode.INVALID_STATE
    chain.send(DAVE, MembershipApply(cid, (), NATIVE, 60, ""))
    assert treasury.balance(chain.view, cid, NATIVE) == 50


def test_an_open_join_pays_in_kind_for_every_token_the_treasury_holds(chain: Chain) -> None:
    """A join buys a share of every asset, so it pays each one pro rata, rounded up."""
    fans = chain.create_collective(ERIN, [(ERIN, (1, 100))], classes=CLASSES, name="fans")
    cid = keepers(chain, funds=3_001)
    chain.accept(cid, Asset(fans, 1))
    chain.send(ERIN, TreasuryDeposit(cid, Asset(fans, 1), 61))
    chain.next_block()
    code = chain.reject(DAVE, MembershipApply(cid, (), NATIVE, 200, "no fan loot"))
    assert code is ErrorCode.INSUFFICIENT_FUNDS
    chain.send(ERIN, MembershipApply(cid, (), NATIVE, 200, "with fan loot"))
    assert treasury.balance(chain.view, cid, Asset(fans, 1)) == 61 + 3  # ceil(61 / 30)
    assert treasury.balance(chain.view, cid, NATIVE) == 3_001 + 101  # ceil(3,001 / 30)


def test_a_free_exit_bearing_grant_is_refused(chain: Chain) -> None:
    """With open_tribute 0 and an empty treasury a join would be free; free units would later
    share every deposit, so the door refuses until the collective sets a price."""
    cid = keepers(chain, funds=0, open_tribute=0)
    assert chain.reject(DAVE, MembershipApply(cid, (), NATIVE, 0, "")) is ErrorCode.INVALID_STATE


def test_a_single_exit_unit_prices_a_join_at_the_whole_treasury(chain: Chain) -> None:
    """One founder share of 1: a join of one more unit costs what the treasury holds."""
    base = CollectiveParams(admission_mode=AdmissionMode.OPEN, open_tribute=1, open_grant=(1, 0))
    cid = chain.create_collective(ALICE, [(ALICE, (1, 0))], classes=CLASSES, params=base)
    chain.send(BRAND, TreasuryDeposit(cid, NATIVE, 700))
    assert chain.reject(DAVE, MembershipApply(cid, (), NATIVE, 699, "")) is ErrorCode.INVALID_STATE
    chain.send(DAVE, MembershipApply(cid, (), NATIVE, 700, ""))
    assert treasury.balance(chain.view, cid, NATIVE) == 1_400


def test_a_treasury_without_exit_units_to_price_against_refuses_the_door(chain: Chain) -> None:
    """Everyone left and a brand paid in afterwards: there is no per-unit value to charge."""
    base = CollectiveParams(admission_mode=AdmissionMode.OPEN, open_tribute=1, open_grant=(1, 0))
    cid = chain.create_collective(ALICE, [(ALICE, (1, 0))], classes=CLASSES, params=base)
    chain.send(ALICE, Ragequit(cid, ((0, 1),)))
    chain.send(BRAND, TreasuryDeposit(cid, NATIVE, 5))
    assert chain.reject(DAVE, MembershipApply(cid, (), NATIVE, 1_000, "")) is (
        ErrorCode.INVALID_STATE
    )


def test_a_treasury_of_tokens_only_charges_no_coin_without_an_open_tribute(chain: Chain) -> None:
    """No native coin in the treasury and open_tribute 0: the join pays in kind only."""
    fans = chain.create_collective(ERIN, [(ERIN, (1, 100))], classes=CLASSES, name="fans")
    cid = keepers(chain, funds=0, open_tribute=0)
    chain.accept(cid, Asset(fans, 1))
    chain.send(ERIN, TreasuryDeposit(cid, Asset(fans, 1), 30))
    before = get_account(chain.view, ERIN.address).balance
    chain.send(ERIN, MembershipApply(cid, (), NATIVE, 0, "loot for a share"))
    assert get_account(chain.view, ERIN.address).balance == before
    assert treasury.balance(chain.view, cid, Asset(fans, 1)) == 31
    assert treasury.balance(chain.view, cid, NATIVE) == 0


def test_a_newcomer_joining_during_a_vote_leaves_its_tally_as_it_was(chain: Chain) -> None:
    """Dave comes in through the OPEN door while a proposal is in its vote: its running tally
    (Alice's yes, 10) is what it was, and Dave, who held nothing at its snapshot, has no vote
    on it (a join runs the roster's standing hook over every open vote)."""
    cid = keepers(chain)
    pid = proposal_id(chain.send(ALICE, ProposalSubmit(cid, ())))
    chain.send(ALICE, Vote(pid, YES))
    chain.send(DAVE, MembershipApply(cid, (), NATIVE, 1_000, "let me in"))
    assert chain.reject(DAVE, Vote(pid, YES)) is ErrorCode.NO_VOTING_POWER
    p = require_proposal(chain.view, pid)
    assert running_tally(chain.view, pid, p).scores == (10, 0, 0, 0)


def test_the_roster_refuses_to_make_a_member_twice(chain: Chain) -> None:
    """The roster's own guard, under every path that admits (the txs check it first)."""
    cid = keepers(chain)
    collective = require_collective(chain.view, cid)
    with pytest.raises(TxError) as refused:
        roster.join(chain.view, 1, cid, collective, ALICE.address, now_ms=chain.time_ms)
    assert refused.value.code is ErrorCode.ALREADY_EXISTS
