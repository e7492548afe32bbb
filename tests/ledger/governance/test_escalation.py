"""Policy bars cannot be sidestepped (issue 23, item 8): a large admission is decided as a mint,
a large stream as a large spend, and spends add up over a window."""

from __future__ import annotations

from ledger.collectives.holdings import holding
from ledger.collectives.ids import NATIVE
from ledger.collectives.params import DAY
from ledger.governance.actions_treasury import StreamCreate
from ledger.governance.core_actions import Admit, TreasurySpend
from ledger.governance.kinds import ProposalKind
from ledger.governance.proposal import Status
from ledger.treasury.vesting import Schedule
from tests.ledger.conftest import ALICE, BOB, CAROL, DAVE, ERIN, NO, YES, Chain
from tests.ledger.treasury.conftest import make_coop, proposal, settle, submit, vote


def test_alice_and_carol_cannot_admit_dave_with_a_trillion_shares_by_a_bare_majority(
    chain: Chain,
) -> None:
    """Before the fix the Admit was decided under the light admission policy (more than half),
    where the same Mint needs two thirds: 15 of 25 yes gave Dave 10^12 shares."""
    coop = make_coop(chain)
    pid = submit(coop, [Admit(DAVE.address, ((0, 10**12),))])
    assert proposal(coop, pid).kind == ProposalKind.TOKENS
    vote(coop, pid, [ALICE, CAROL], YES)
    vote(coop, pid, [BOB], NO)
    settle(coop, pid)
    assert proposal(coop, pid).status is Status.REJECTED
    assert holding(chain.view, coop.cid, 0, DAVE.address) == 0


def test_an_ordinary_admission_stays_an_admission(chain: Chain) -> None:
    coop = make_coop(chain)  # 25 shares: a third is 8.33
    pid = submit(coop, [Admit(DAVE.address, ((0, 8), (2, 1)))])
    assert proposal(coop, pid).kind == ProposalKind.ADMIT


def test_bob_cannot_split_a_large_spend_over_two_proposals(chain: Chain) -> None:
    """10 % of the 100,000 treasury is the bar: 9,000 + 9,000 in one window is a large spend."""
    coop = make_coop(chain)
    first = submit(coop, [TreasurySpend(NATIVE, ERIN.address, 9_000)], proposer=ALICE)
    second = submit(coop, [TreasurySpend(NATIVE, ERIN.address, 9_000)], proposer=BOB)
    assert proposal(coop, first).kind == ProposalKind.SPEND
    assert proposal(coop, second).kind == ProposalKind.SPEND_LARGE


def test_a_spend_that_ends_unexecuted_leaves_the_window(chain: Chain) -> None:
    coop = make_coop(chain)
    first = submit(coop, [TreasurySpend(NATIVE, ERIN.address, 9_000)], proposer=ALICE)
    vote(coop, first, [ALICE, BOB, CAROL], NO)
    settle(coop, first)
    assert proposal(coop, first).status is Status.REJECTED
    second = submit(coop, [TreasurySpend(NATIVE, ERIN.address, 9_000)], proposer=BOB)
    assert proposal(coop, second).kind == ProposalKind.SPEND


def test_the_window_forgets_spends_two_epochs_old(chain: Chain) -> None:
    coop = make_coop(chain)
    submit(coop, [TreasurySpend(NATIVE, ERIN.address, 9_000)], proposer=ALICE)
    chain.next_block(15 * DAY)
    later = submit(coop, [TreasurySpend(NATIVE, ERIN.address, 9_000)], proposer=BOB)
    assert proposal(coop, later).kind == ProposalKind.SPEND


def test_a_large_stream_is_a_large_spend(chain: Chain) -> None:
    """Before the fix StreamCreate was never escalated: 20 % of the treasury streamed away under
    the ordinary spend policy."""
    coop = make_coop(chain)
    stream = StreamCreate(ERIN.address, NATIVE, Schedule(0, 10 * DAY, DAY, 0, 20_000))
    pid = submit(coop, [stream])
    assert proposal(coop, pid).kind == ProposalKind.SPEND_LARGE
