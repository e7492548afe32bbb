"""Exit payouts to the unit: RageKick pays loot as well as shares, a jailed member with nothing
leaves with nothing, a sole holder takes the whole treasury, and every payout is an event."""

from __future__ import annotations

import dataclasses

import pytest

from ledger import codec
from ledger.codec import MalformedError
from ledger.collectives import treasury
from ledger.collectives.checkpoints import point_at
from ledger.collectives.exit import RageKick, Ragequit
from ledger.collectives.holdings import exit_supply, holding, supply
from ledger.collectives.ids import COLLECTIVE_ID_LEN, NATIVE, Asset
from ledger.collectives.model import ClassKind, TokenClass
from ledger.collectives.roster import member_count, update
from ledger.collectives.store import get_member, require_collective, require_member
from ledger.collectives.token_transfer import TokenTransfer
from ledger.collectives.treasury_deposit import TreasuryDeposit
from ledger.state.accounts import get_account
from ledger.state.events import Event
from tests.ledger.conftest import ALICE, BOB, CAROL, DAVE, START_BALANCE, Chain

CLASSES = (
    TokenClass("shares", ClassKind.SHARES, transferable=True),
    TokenClass("loot", ClassKind.LOOT, transferable=True, members_only=False),
    TokenClass("badge", ClassKind.BADGE),
)
FANS = (
    TokenClass("shares", ClassKind.SHARES),
    TokenClass("fan-token", ClassKind.LOOT, transferable=True, members_only=False),
)
SHARES, LOOT, BADGE = 0, 1, 2


def jail(chain: Chain, cid: bytes, who: bytes) -> None:
    collective = require_collective(chain.view, cid)
    member = dataclasses.replace(require_member(chain.view, cid, who), jailed=True)  # type: ignore[arg-type]
    update(chain.view, chain.height, cid, collective, who, member=member)  # type: ignore[arg-type]


def payouts(events: list[Event]) -> list[dict[str, object]]:
    return [dict(e.attributes) for e in events if e.kind == "exit_payout"]


def test_ragekick_pays_a_jailed_members_loot_as_well_as_shares(chain: Chain) -> None:
    """Carol holds 1 share and 2 loot of 10 units: her exit is 3/10 of the treasury, all burned."""
    cid = chain.create_collective(
        ALICE, [(ALICE, (4, 0, 1)), (BOB, (3, 0, 1)), (CAROL, (1, 2, 1))], classes=CLASSES
    )
    chain.send(DAVE, TreasuryDeposit(cid, NATIVE, 1_000))
    jail(chain, cid, CAROL.address)
    assert exit_supply(chain.view, cid, require_collective(chain.view, cid)) == 10
    receipt = chain.send(DAVE, RageKick(cid, CAROL.address))
    assert get_account(chain.view, CAROL.address).balance == START_BALANCE + 300
    assert treasury.balance(chain.view, cid, NATIVE) == 700
    assert holding(chain.view, cid, LOOT, CAROL.address) == 0
    assert (supply(chain.view, cid, SHARES), supply(chain.view, cid, LOOT)) == (7, 0)
    assert get_member(chain.view, cid, CAROL.address) is None
    assert payouts(receipt.events) == [
        {"collective": cid, "to": CAROL.address.raw, "asset": NATIVE.raw, "amount": 300}
    ]


def test_a_jailed_member_holding_nothing_is_kicked_without_payout(chain: Chain) -> None:
    """Only a badge: no fair share to pay, but the membership ends and the badge is burned."""
    cid = chain.create_collective(
        ALICE, [(ALICE, (1, 0, 1)), (BOB, (1, 0, 1)), (CAROL, (1, 0, 1))], classes=CLASSES
    )
    chain.send(CAROL, TokenTransfer(cid, SHARES, ALICE.address, 1))  # Carol keeps her badge only
    chain.send(DAVE, TreasuryDeposit(cid, NATIVE, 999))
    jail(chain, cid, CAROL.address)
    receipt = chain.send(DAVE, RageKick(cid, CAROL.address))
    assert payouts(receipt.events) == []
    assert get_account(chain.view, CAROL.address).balance == START_BALANCE
    assert treasury.balance(chain.view, cid, NATIVE) == 999
    assert get_member(chain.view, cid, CAROL.address) is None
    assert supply(chain.view, cid, BADGE) == 2
    assert [e.kind for e in receipt.events].count("member_left") == 1


@pytest.mark.parametrize("held", [(1, 0), (0, 2), (1, 2), (0, 0)])
def test_a_kicked_member_leaves_exactly_once_whatever_they_held(
    chain: Chain, held: tuple[int, int]
) -> None:
    """RageKick burns every share and loot, so the exit itself ends the membership: one
    `member_left`, the member count down by one, the badge burned, with or without units."""
    shares, loot = held
    cid = chain.create_collective(
        ALICE, [(ALICE, (2, 0, 1)), (CAROL, (shares + 1, loot, 1))], classes=CLASSES
    )
    chain.send(CAROL, TokenTransfer(cid, SHARES, ALICE.address, 1))  # a founder needs a share
    jail(chain, cid, CAROL.address)
    receipt = chain.send(DAVE, RageKick(cid, CAROL.address))
    assert get_member(chain.view, cid, CAROL.address) is None
    assert member_count(chain.view, cid) == 1
    assert holding(chain.view, cid, SHARES, ALICE.address) == 3
    assert [e.kind for e in receipt.events].count("member_left") == 1
    assert [holding(chain.view, cid, c, CAROL.address) for c in (SHARES, LOOT, BADGE)] == [0] * 3


def test_the_last_holder_of_a_single_unit_takes_the_whole_treasury(chain: Chain) -> None:
    """One unit of one: the fair share is everything, of every asset, nothing left behind."""
    fans = chain.create_collective(DAVE, [(DAVE, (1, 100))], classes=FANS)
    cid = chain.create_collective(ALICE, [(ALICE, (1, 0, 1))], classes=CLASSES)
    token = Asset(fans, 1)
    chain.accept(cid, token)
    chain.send(DAVE, TreasuryDeposit(cid, NATIVE, 77))
    chain.send(DAVE, TreasuryDeposit(cid, token, 5))
    receipt = chain.send(ALICE, Ragequit(cid, ((SHARES, 1),)))
    assert treasury.balance(chain.view, cid, NATIVE) == 0
    assert treasury.balance(chain.view, cid, token) == 0
    assert holding(chain.view, fans, 1, ALICE.address) == 5
    assert sorted(p["amount"] for p in payouts(receipt.events)) == [5, 77]  # type: ignore[type-var]


def test_an_asset_whose_share_rounds_to_zero_pays_nothing_and_says_nothing(chain: Chain) -> None:
    """1 of 3 units of 2 fan tokens is 0: only the coin payout happens and is reported."""
    fans = chain.create_collective(DAVE, [(DAVE, (1, 100))], classes=FANS)
    cid = chain.create_collective(
        ALICE, [(ALICE, (1, 0, 1)), (BOB, (1, 0, 1)), (CAROL, (1, 0, 1))], classes=CLASSES
    )
    token = Asset(fans, 1)
    chain.accept(cid, token)
    chain.send(DAVE, TreasuryDeposit(cid, NATIVE, 1_000))
    chain.send(DAVE, TreasuryDeposit(cid, token, 2))
    receipt = chain.send(BOB, Ragequit(cid, ((SHARES, 1),)))
    assert payouts(receipt.events) == [
        {"collective": cid, "to": BOB.address.raw, "asset": NATIVE.raw, "amount": 333}
    ]
    assert treasury.balance(chain.view, cid, token) == 2
    assert holding(chain.view, fans, 1, BOB.address) == 0


def test_a_ragequit_naming_a_short_collective_id_does_not_decode() -> None:
    """An id has exactly COLLECTIVE_ID_LEN bytes: a shorter one is malformed."""
    with pytest.raises(MalformedError, match="collective"):
        Ragequit.from_fields([b"\x01" * (COLLECTIVE_ID_LEN - 1), [[0, 1]]])
    whole = Ragequit(b"\x01" * COLLECTIVE_ID_LEN, ((0, 1), (1, 2)))
    assert Ragequit.from_fields(codec.decode(codec.encode(whole.to_fields()))) == whole


def test_voting_shares_paid_out_by_an_exit_count_from_the_exit_block(chain: Chain) -> None:
    """Alice and Bob, members of both, exit a collective whose treasury holds voting shares of
    the other (Alice by Ragequit, jailed Bob by RageKick): their voting power there rises in the
    block of the exit, not before."""
    open_shares = (TokenClass("shares", ClassKind.SHARES, transferable=True, members_only=False),)
    guild = chain.create_collective(
        DAVE, [(DAVE, (10,)), (ALICE, (1,)), (BOB, (1,))], classes=open_shares
    )
    cid = chain.create_collective(ALICE, [(ALICE, (1, 0, 1)), (BOB, (1, 0, 1))], classes=CLASSES)
    chain.accept(cid, Asset(guild, SHARES))
    chain.send(DAVE, TreasuryDeposit(cid, Asset(guild, SHARES), 6))
    chain.next_block()
    exit_height = chain.height
    chain.send(ALICE, Ragequit(cid, ((SHARES, 1),)))
    assert holding(chain.view, guild, SHARES, ALICE.address) == 1 + 3
    assert point_at(chain.view, guild, ALICE.address, exit_height - 1).power == 1
    assert point_at(chain.view, guild, ALICE.address, exit_height).power == 4
    chain.next_block()
    jail(chain, cid, BOB.address)
    chain.send(DAVE, RageKick(cid, BOB.address))
    assert point_at(chain.view, guild, BOB.address, chain.height - 1).power == 1
    assert point_at(chain.view, guild, BOB.address, chain.height).power == 4


def test_a_member_who_ragequits_every_share_but_keeps_loot_stays_a_member(chain: Chain) -> None:
    """Loot is an exit unit too: only a member left with neither shares nor loot leaves."""
    cid = chain.create_collective(ALICE, [(ALICE, (4, 0, 1)), (CAROL, (1, 2, 1))], classes=CLASSES)
    receipt = chain.send(CAROL, Ragequit(cid, ((SHARES, 1),)))
    assert get_member(chain.view, cid, CAROL.address) is not None
    assert holding(chain.view, cid, LOOT, CAROL.address) == 2
    assert "member_left" not in [e.kind for e in receipt.events]
