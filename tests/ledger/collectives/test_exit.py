"""Ragequit and RageKick: floor fair shares of every treasury asset, the exit lock, jailing."""

from __future__ import annotations

import dataclasses

from ledger.collectives import treasury
from ledger.collectives.exit import RageKick, Ragequit
from ledger.collectives.holdings import holding, supply
from ledger.collectives.ids import NATIVE, Asset
from ledger.collectives.model import ClassKind, TokenClass
from ledger.collectives.roster import update
from ledger.collectives.store import get_member, require_collective, require_member
from ledger.collectives.token_transfer import TokenTransfer
from ledger.collectives.treasury_deposit import TreasuryDeposit
from ledger.errors import ErrorCode
from ledger.governance.ballots import Ballot
from ledger.governance.core_actions import TreasurySpend
from ledger.governance.kinds import BinaryOption
from ledger.governance.proposal import require_proposal
from ledger.governance.proposal_txs import ProposalSubmit
from ledger.governance.vote_txs import Vote
from ledger.state.accounts import get_account
from tests.ledger.conftest import ALICE, BOB, CAROL, DAVE, START_BALANCE, Chain, proposal_id

CLASSES = (
    TokenClass("shares", ClassKind.SHARES, transferable=True),
    TokenClass("loot", ClassKind.LOOT, transferable=True, members_only=False),
    TokenClass("badge", ClassKind.BADGE),
)
FANS = (
    TokenClass("shares", ClassKind.SHARES),
    TokenClass("fan-token", ClassKind.LOOT, transferable=True, members_only=False),
)


def funded(chain: Chain) -> tuple[bytes, Asset]:
    """Alice, Bob and Carol hold 1 share each (+ a badge); the treasury holds 1000 coin and
    7 fan tokens of another collective."""
    fans = chain.create_collective(DAVE, [(DAVE, (1, 100))], classes=FANS)
    cid = chain.create_collective(
        ALICE, [(ALICE, (1, 0, 1)), (BOB, (1, 0, 1)), (CAROL, (1, 0, 1))], classes=CLASSES
    )
    chain.send(DAVE, TreasuryDeposit(cid, NATIVE, 1000))
    chain.accept(cid, Asset(fans, 1))
    chain.send(DAVE, TreasuryDeposit(cid, Asset(fans, 1), 7))
    chain.next_block()
    return cid, Asset(fans, 1)


def test_ragequit_pays_the_floor_share_of_every_asset_and_ends_membership(chain: Chain) -> None:
    cid, token = funded(chain)
    chain.send(ALICE, Ragequit(cid, ((0, 1),)))
    assert get_account(chain.view, ALICE.address).balance == START_BALANCE + 333
    assert holding(chain.view, token.collective, 1, ALICE.address) == 2
    assert treasury.balance(chain.view, cid, NATIVE) == 667  # the remainder stays
    assert treasury.balance(chain.view, cid, token) == 5
    assert get_member(chain.view, cid, ALICE.address) is None
    assert holding(chain.view, cid, 2, ALICE.address) == 0 and supply(chain.view, cid, 2) == 2
    # the next leaver's share is computed on what remains: no one loses by an exit
    chain.send(BOB, Ragequit(cid, ((0, 1),)))
    assert get_account(chain.view, BOB.address).balance == START_BALANCE + 333


def test_a_partial_ragequit_keeps_the_membership(chain: Chain) -> None:
    cid = chain.create_collective(ALICE, [(ALICE, (3, 1, 0)), (BOB, (4, 0, 0))], classes=CLASSES)
    chain.send(DAVE, TreasuryDeposit(cid, NATIVE, 80))
    chain.send(ALICE, Ragequit(cid, ((0, 1), (1, 1))))
    assert get_account(chain.view, ALICE.address).balance == START_BALANCE + 20
    assert get_member(chain.view, cid, ALICE.address) is not None
    assert holding(chain.view, cid, 0, ALICE.address) == 2


def test_ragequit_refusals(chain: Chain) -> None:
    cid, _ = funded(chain)
    assert chain.reject(ALICE, Ragequit(cid, ((0, 2),))) is ErrorCode.INSUFFICIENT_FUNDS
    assert chain.reject(ALICE, Ragequit(cid, ((2, 1),))) is ErrorCode.INVALID_STATE
    assert chain.reject(ALICE, Ragequit(cid, ((0, 0),))) is ErrorCode.ZERO_AMOUNT
    assert chain.reject(ALICE, Ragequit(cid, ((0, 1), (0, 1)))) is ErrorCode.DUPLICATE_ENTRY
    assert chain.reject(ALICE, Ragequit(cid, ())) is ErrorCode.INVALID_PAYLOAD
    assert chain.reject(DAVE, Ragequit(cid, ())) is ErrorCode.INVALID_PAYLOAD


def test_a_loot_holder_outside_the_collective_can_exit(chain: Chain) -> None:
    cid = chain.create_collective(ALICE, [(ALICE, (1, 3, 0))], classes=CLASSES)
    chain.send(DAVE, TreasuryDeposit(cid, NATIVE, 40))
    chain.send(ALICE, TokenTransfer(cid, 1, DAVE.address, 1))
    chain.send(DAVE, Ragequit(cid, ((1, 1),)))
    assert get_account(chain.view, DAVE.address).balance == START_BALANCE - 40 + 10


def test_a_yes_vote_on_a_pending_spend_locks_the_exit_until_it_is_processed(chain: Chain) -> None:
    cid, _ = funded(chain)
    spend = ProposalSubmit(cid, (TreasurySpend(NATIVE, DAVE.address, 10),))
    pid = proposal_id(chain.send(ALICE, spend))
    chain.send(ALICE, Vote(pid, Ballot.binary(BinaryOption.YES)))
    chain.send(BOB, Vote(pid, Ballot.binary(BinaryOption.NO)))
    assert chain.reject(ALICE, Ragequit(cid, ((0, 1),))) is ErrorCode.EXIT_LOCKED
    assert chain.reject(ALICE, TokenTransfer(cid, 0, BOB.address, 1)) is ErrorCode.EXIT_LOCKED
    chain.send(BOB, Ragequit(cid, ((0, 1),)))  # a no vote locks nothing
    chain.next_block(3 * 86_400_000)
    chain.next_block()
    assert require_proposal(chain.view, pid).status.is_final
    chain.send(ALICE, Ragequit(cid, ((0, 1),)))


def test_a_jailed_member_is_paid_out_by_anyone_with_ragekick(chain: Chain) -> None:
    cid, token = funded(chain)
    c = require_collective(chain.view, cid)
    jailed = dataclasses.replace(require_member(chain.view, cid, CAROL.address), jailed=True)
    update(chain.view, chain.height, cid, c, CAROL.address, member=jailed)
    assert chain.reject(CAROL, Ragequit(cid, ((0, 1),))) is ErrorCode.JAILED
    assert chain.reject(DAVE, RageKick(cid, BOB.address)) is ErrorCode.INVALID_STATE
    chain.send(DAVE, RageKick(cid, CAROL.address))
    assert get_account(chain.view, CAROL.address).balance == START_BALANCE + 333
    assert holding(chain.view, token.collective, 1, CAROL.address) == 2
    assert get_member(chain.view, cid, CAROL.address) is None
    assert chain.reject(DAVE, RageKick(cid, CAROL.address)) is ErrorCode.NOT_MEMBER


def test_a_badge_only_member_leaves_with_an_empty_ragequit(chain: Chain) -> None:
    cid = chain.create_collective(ALICE, [(ALICE, (1, 0, 1)), (BOB, (1, 0, 1))], classes=CLASSES)
    chain.send(BOB, TokenTransfer(cid, 0, ALICE.address, 1))
    chain.send(BOB, Ragequit(cid, ()))
    assert get_member(chain.view, cid, BOB.address) is None
    assert supply(chain.view, cid, 2) == 1
