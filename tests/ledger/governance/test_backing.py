"""Votes count only the units their voters still hold (issue 23, item 5), and every way of
supporting a value-moving proposal locks the supporter's exit and records the dilution peak
(item 7): allocation ballots, multisig approvals and optimistic passes, not only yes votes."""

from __future__ import annotations

from ledger.collectives.exit import Ragequit
from ledger.collectives.ids import NATIVE
from ledger.governance.core_actions import TreasurySpend
from ledger.governance.proposal import Status
from tests.ledger.conftest import ALICE, Chain
from tests.ledger.treasury.conftest import balance, make_coop, proposal, settle, submit, vote


def test_alice_ragequits_nine_shares_then_votes_her_ten_for_a_spend_to_herself(
    chain: Chain,
) -> None:
    """Before the fix her snapshot power (10 of 25) cleared the quorum after she had burned 9
    of those shares for her exit share, and the spend paid her 9,000 on top of it."""
    coop = make_coop(chain)
    pid = submit(coop, [TreasurySpend(NATIVE, ALICE.address, 9_000)])
    chain.send(ALICE, Ragequit(coop.cid, ((0, 9),)))
    before = balance(chain, ALICE)
    vote(coop, pid, [ALICE])
    settle(coop, pid)
    assert proposal(coop, pid).status is Status.REJECTED
    assert proposal(coop, pid).tally[0] == 1  # her ballot counts the one share she kept
    assert balance(chain, ALICE) == before
