"""The Cartridge Keepers: a retro-game restoration collective vets two newcomers, funds a
restoration from its treasury, lets a member leave with a fair share and expels a spammer."""

from __future__ import annotations

from ledger.collectives import treasury
from ledger.collectives.exit import RageKick, Ragequit
from ledger.collectives.holdings import holding
from ledger.collectives.ids import NATIVE
from ledger.collectives.membership import MembershipApply
from ledger.collectives.params import DAY, CollectiveParams
from ledger.collectives.roster import member_count
from ledger.collectives.store import get_member, require_member
from ledger.collectives.treasury_deposit import TreasuryDeposit
from ledger.errors import ErrorCode
from ledger.governance.core_actions import Expel, TreasurySpend
from ledger.governance.proposal import Status, require_proposal
from ledger.governance.proposal_txs import ProposalSponsor, ProposalSubmit
from ledger.governance.vote_txs import Vote
from ledger.state.accounts import get_account
from tests.ledger.conftest import (
    ALICE,
    BOB,
    BRAND,
    CAROL,
    DAVE,
    ERIN,
    MALLORY,
    NO,
    START_BALANCE,
    YES,
    Chain,
    proposal_id,
)


def balance(chain: Chain, key: object) -> int:
    return get_account(chain.view, key.address).balance  # type: ignore[attr-defined]


def wait(chain: Chain, *periods: int) -> None:
    for period in periods:
        chain.next_block(period)
    chain.next_block()


def test_the_cartridge_keepers(chain: Chain) -> None:
    # Alice restores boards, Bob archives manuals, Carol streams the playthroughs; Mallory
    # joined early for the memes.
    keepers = chain.create_collective(
        ALICE,
        [(ALICE, (10, 0)), (BOB, (6, 0)), (CAROL, (4, 0)), (MALLORY, (2, 0))],
        params=CollectiveParams(proposal_deposit=20),
        name="Cartridge Keepers",
    )
    chain.send(BRAND, TreasuryDeposit(keepers, NATIVE, 2_000, "sponsored stream", b"INV-031"))
    chain.next_block()

    # Two newcomers apply with a statement; Dave offers a tribute. Members sponsor and vote.
    dave = MembershipApply(keepers, ((0, 4),), NATIVE, 150, "I reflow SNES boards, see my work")
    erin = MembershipApply(keepers, ((0, 2),), NATIVE, 0, "I scan and OCR game manuals")
    dave_pid = proposal_id(chain.send(DAVE, dave))
    erin_pid = proposal_id(chain.send(ERIN, erin))
    chain.send(BOB, ProposalSponsor(dave_pid))
    chain.send(CAROL, ProposalSponsor(erin_pid))
    for pid in (dave_pid, erin_pid):
        chain.send(ALICE, Vote(pid, YES))
        chain.send(BOB, Vote(pid, YES))
    chain.send(MALLORY, Vote(dave_pid, NO))
    wait(chain, 3 * DAY, 2 * DAY)  # voting, then the grace period in which anyone may leave
    assert get_member(chain.view, keepers, DAVE.address) is not None
    assert holding(chain.view, keepers, 0, ERIN.address) == 2
    assert treasury.balance(chain.view, keepers, NATIVE) == 2_150
    chain.next_block()

    # Alice proposes to fund Dave's restoration of a prototype console; it is decided early.
    restore = TreasurySpend(NATIVE, DAVE.address, 200, "restore the PlayStation prototype")
    fund = proposal_id(chain.send(ALICE, ProposalSubmit(keepers, (restore,))))
    for key in (ALICE, BOB, DAVE):
        chain.send(key, Vote(fund, YES))
    assert require_proposal(chain.view, fund).status is Status.GRACE
    wait(chain, 2 * DAY)
    assert require_proposal(chain.view, fund).status is Status.EXECUTED
    assert balance(chain, DAVE) == START_BALANCE - 150 + 200
    assert balance(chain, ALICE) == START_BALANCE  # the deposit came back

    # Carol moves on: her 4 of 28 shares take the floor of 4/28 of the treasury.
    chain.send(CAROL, Ragequit(keepers, ((0, 4),)))
    assert balance(chain, CAROL) == START_BALANCE + 1_950 * 4 // 28
    assert get_member(chain.view, keepers, CAROL.address) is None
    left = 1_950 - 1_950 * 4 // 28
    assert treasury.balance(chain.view, keepers, NATIVE) == left
    chain.next_block()

    # Mallory floods the collective with polls; Bob moves to expel her, and she cannot vote.
    chain.send(MALLORY, ProposalSubmit(keepers, (), metadata="buy my NFT cartridges"))
    expel = proposal_id(chain.send(BOB, ProposalSubmit(keepers, (Expel(MALLORY.address),))))
    assert chain.reject(MALLORY, Vote(expel, NO)) is ErrorCode.UNAUTHORIZED
    for key in (ALICE, BOB, DAVE):
        chain.send(key, Vote(expel, YES))
    wait(chain, 3 * DAY, 2 * DAY)
    assert require_member(chain.view, keepers, MALLORY.address).jailed

    # Anyone pays the jailed member her fair share and closes her membership.
    chain.send(ERIN, RageKick(keepers, MALLORY.address))
    assert balance(chain, MALLORY) == START_BALANCE - 20 + 20 + left * 2 // 24
    assert get_member(chain.view, keepers, MALLORY.address) is None
    again = MembershipApply(keepers, ((0, 2),), NATIVE, 0, "I changed")
    assert chain.reject(MALLORY, again) is ErrorCode.UNAUTHORIZED
    assert member_count(chain.view, keepers) == 4  # Alice, Bob, Dave, Erin
