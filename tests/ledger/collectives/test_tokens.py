"""TokenTransfer rules and the voting-power checkpoints that holdings changes write."""

from __future__ import annotations

import dataclasses

from ledger.collectives import checkpoints
from ledger.collectives.holdings import holding, supply
from ledger.collectives.model import ClassKind, TokenClass
from ledger.collectives.roster import update
from ledger.collectives.store import require_collective, require_member
from ledger.collectives.token_transfer import TokenTransfer
from ledger.errors import ErrorCode
from tests.ledger.conftest import ALICE, BOB, CAROL, Chain

CLASSES = (
    TokenClass("shares", ClassKind.SHARES, transferable=True),
    TokenClass("loot", ClassKind.LOOT, transferable=True, members_only=False),
    TokenClass("badge", ClassKind.BADGE),
    TokenClass("locked", ClassKind.SHARES),
)


def collective(chain: Chain) -> bytes:
    cid = chain.create_collective(
        ALICE, [(ALICE, (10, 4, 1, 3)), (BOB, (5, 0, 1, 0))], classes=CLASSES
    )
    chain.next_block()
    return cid


def test_transferable_shares_move_between_members_and_supply_stays(chain: Chain) -> None:
    cid = collective(chain)
    chain.send(ALICE, TokenTransfer(cid, 0, BOB.address, 4))
    assert holding(chain.view, cid, 0, ALICE.address) == 6
    assert holding(chain.view, cid, 0, BOB.address) == 9
    assert supply(chain.view, cid, 0) == 15


def test_transfer_rules_name_their_reason(chain: Chain) -> None:
    cid = collective(chain)
    assert chain.reject(ALICE, TokenTransfer(cid, 3, BOB.address, 1)) is ErrorCode.NOT_TRANSFERABLE
    assert chain.reject(ALICE, TokenTransfer(cid, 2, BOB.address, 1)) is ErrorCode.NOT_TRANSFERABLE
    assert chain.reject(ALICE, TokenTransfer(cid, 0, CAROL.address, 1)) is ErrorCode.NOT_MEMBER
    assert chain.reject(ALICE, TokenTransfer(cid, 0, BOB.address, 11)) is (
        ErrorCode.INSUFFICIENT_FUNDS
    )
    assert chain.reject(ALICE, TokenTransfer(cid, 0, ALICE.address, 1)) is ErrorCode.SELF_TRANSFER
    assert chain.reject(ALICE, TokenTransfer(cid, 0, BOB.address, 0)) is ErrorCode.ZERO_AMOUNT
    assert chain.reject(ALICE, TokenTransfer(cid, 7, BOB.address, 1)) is ErrorCode.NOT_FOUND
    assert chain.reject(ALICE, TokenTransfer(bytes(20), 0, BOB.address, 1)) is ErrorCode.NOT_FOUND


def test_loot_open_to_non_members_can_leave_the_collective(chain: Chain) -> None:
    cid = collective(chain)
    chain.send(ALICE, TokenTransfer(cid, 1, CAROL.address, 4))
    assert holding(chain.view, cid, 1, CAROL.address) == 4


def test_a_jailed_member_cannot_transfer(chain: Chain) -> None:
    cid = collective(chain)
    c = require_collective(chain.view, cid)
    member = require_member(chain.view, cid, ALICE.address)
    update(
        chain.view,
        chain.height,
        cid,
        c,
        ALICE.address,
        member=dataclasses.replace(member, jailed=True),
    )
    assert chain.reject(ALICE, TokenTransfer(cid, 0, BOB.address, 1)) is ErrorCode.JAILED


def test_checkpoints_answer_power_as_of_any_height(chain: Chain) -> None:
    cid = collective(chain)  # founders' power written at height 1
    created = chain.height - 1
    chain.send(ALICE, TokenTransfer(cid, 0, BOB.address, 4))
    chain.next_block()
    chain.send(BOB, TokenTransfer(cid, 0, ALICE.address, 1))
    chain.send(BOB, TokenTransfer(cid, 0, ALICE.address, 1))  # same height: one checkpoint
    chain.next_block()
    at = checkpoints.point_at

    def power(height: int) -> tuple[int, int]:
        return (
            at(chain.view, cid, ALICE.address, height).power,
            at(chain.view, cid, BOB.address, height).power,
        )

    assert power(created - 1) == (0, 0)
    assert power(created) == (13, 5)  # both SHARES classes vote
    assert power(created + 1) == (9, 9)
    assert power(created + 2) == (11, 7)
    assert power(10_000) == (11, 7)


def test_jailed_members_have_no_voting_power(chain: Chain) -> None:
    cid = collective(chain)
    c = require_collective(chain.view, cid)
    member = require_member(chain.view, cid, BOB.address)
    update(
        chain.view,
        chain.height,
        cid,
        c,
        BOB.address,
        member=dataclasses.replace(member, jailed=True),
    )
    assert checkpoints.current_power(chain.view, cid, c, BOB.address, chain.time_ms) == 0
    assert checkpoints.point_at(chain.view, cid, BOB.address, chain.height - 1).power == 5


def test_expired_members_lose_their_vote_after_the_grace(chain: Chain) -> None:
    point = checkpoints.PowerPoint(7, voting_until=1_000)
    assert point.at(999) == 7 and point.at(1_000) == 0
    assert checkpoints.PowerPoint(7).at(10**15) == 7


def test_a_transfer_receipt_names_the_class_both_parties_and_the_amount(chain: Chain) -> None:
    cid = collective(chain)
    receipt = chain.send(ALICE, TokenTransfer(cid, 1, CAROL.address, 3))
    assert [(e.kind, dict(e.attributes)) for e in receipt.events] == [
        (
            "token_transfer",
            {
                "collective": cid,
                "token_class": 1,
                "sender": ALICE.address.raw,
                "to": CAROL.address.raw,
                "amount": 3,
            },
        )
    ]
