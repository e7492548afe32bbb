"""A cancel charges only the proposer who withdraws their own proposal (issue 23, item 12):
when a sponsor, a governor or anyone else cancels it, the proposer gets the deposit back."""

from __future__ import annotations

from ledger.collectives import treasury
from ledger.collectives.exit import Ragequit
from ledger.collectives.ids import NATIVE
from ledger.collectives.params import CollectiveParams
from ledger.collectives.treasury_deposit import TreasuryDeposit
from ledger.governance.core_actions import TreasurySpend
from ledger.governance.proposal import Status, require_proposal
from ledger.governance.proposal_txs import ProposalCancel, ProposalSponsor, ProposalSubmit
from tests.ledger.conftest import ALICE, BOB, CAROL, ERIN, Chain, proposal_id
from tests.ledger.treasury.conftest import CLASSES, balance

DEPOSIT = 100


def pixel(chain: Chain) -> bytes:
    """Carol (5 shares) needs Alice or Bob (10 each, the sponsor threshold) to sponsor."""
    params = CollectiveParams(proposal_deposit=DEPOSIT, sponsor_threshold=10)
    cid = chain.create_collective(
        ALICE,
        [(ALICE, (10, 0, 1)), (BOB, (10, 0, 1)), (CAROL, (5, 0, 1))],
        classes=CLASSES,
        params=params,
        name="Pixel Collective",
    )
    chain.send(ERIN, TreasuryDeposit(cid, NATIVE, 10_000))
    chain.next_block()
    return cid


def carols_sponsored_proposal(chain: Chain, cid: bytes) -> int:
    pid = proposal_id(
        chain.send(CAROL, ProposalSubmit(cid, (TreasurySpend(NATIVE, ERIN.address, 5),)))
    )
    chain.send(ALICE, ProposalSponsor(pid))
    return pid


def test_alice_sponsors_carols_proposal_then_cancels_it_and_carol_keeps_her_deposit(
    chain: Chain,
) -> None:
    """Before the fix Carol lost half her deposit to a cancel she did not make."""
    cid = pixel(chain)
    before = balance(chain, CAROL)
    pid = carols_sponsored_proposal(chain, cid)
    chain.send(ALICE, ProposalCancel(pid))
    assert require_proposal(chain.view, pid).status is Status.CANCELLED
    assert balance(chain, CAROL) == before
    assert treasury.balance(chain.view, cid, NATIVE) == 10_000


def test_erin_cancels_once_the_sponsor_fell_below_the_threshold_and_carol_is_refunded(
    chain: Chain,
) -> None:
    cid = pixel(chain)
    before = balance(chain, CAROL)
    pid = carols_sponsored_proposal(chain, cid)
    chain.send(ALICE, Ragequit(cid, ((0, 1),)))  # 9 shares: below the sponsor threshold
    chain.send(ERIN, ProposalCancel(pid))
    assert balance(chain, CAROL) == before


def test_carol_withdrawing_her_own_proposal_during_the_vote_still_pays_the_burn(
    chain: Chain,
) -> None:
    cid = pixel(chain)
    before = balance(chain, CAROL)
    pid = carols_sponsored_proposal(chain, cid)
    chain.send(CAROL, ProposalCancel(pid))
    assert balance(chain, CAROL) == before - DEPOSIT // 2
