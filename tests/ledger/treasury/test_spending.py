"""Spending by proposal against what the treasury really holds: reserved stream money is gone,
escalation to SPEND_LARGE is measured on the current balance, a token is paid to its holding."""

from __future__ import annotations

from ledger.collectives import treasury
from ledger.collectives.holdings import holding
from ledger.collectives.ids import NATIVE, Asset
from ledger.collectives.treasury_deposit import TreasuryDeposit
from ledger.errors import ErrorCode
from ledger.governance.actions_treasury import StreamCreate
from ledger.governance.core_actions import TreasurySpend
from ledger.governance.kinds import ProposalKind
from ledger.governance.proposal import Status
from ledger.treasury.vesting import Schedule
from tests.ledger.conftest import ALICE, BOB, CAROL, DAVE, ERIN
from tests.ledger.treasury.conftest import (
    CLASSES,
    FUNDS,
    Coop,
    enact,
    kinds,
    proposal,
    settle,
    submit,
    vote,
)

MONTH = 30 * 24 * 3600 * 1000


def test_money_reserved_for_a_stream_cannot_be_spent(coop: Coop) -> None:
    enact(coop, [StreamCreate(DAVE.address, NATIVE, Schedule(0, MONTH, MONTH, 0, 60_000))])
    pid = submit(coop, [TreasurySpend(NATIVE, ERIN.address, 50_000)])
    vote(coop, pid, [ALICE, BOB, CAROL])
    events = settle(coop, pid)
    failed = [e for e in events if e.kind == "proposal_execution_failed"]
    assert failed and failed[0].get("code") == ErrorCode.INSUFFICIENT_FUNDS
    assert proposal(coop, pid).status is Status.EXPIRED
    assert treasury.balance(coop.chain.view, coop.cid, NATIVE) == FUNDS - 60_000


def test_a_large_spend_is_measured_on_the_current_balance(coop: Coop) -> None:
    small = submit(coop, [TreasurySpend(NATIVE, ERIN.address, FUNDS // 10)], proposer=CAROL)
    assert proposal(coop, small).kind == ProposalKind.SPEND
    enact_id, _ = enact(
        coop, [StreamCreate(DAVE.address, NATIVE, Schedule(0, MONTH, MONTH, 0, FUNDS // 2))]
    )
    assert proposal(coop, enact_id).status is Status.EXECUTED
    large = submit(coop, [TreasurySpend(NATIVE, ERIN.address, FUNDS // 10)], proposer=BOB)
    assert proposal(coop, large).kind == ProposalKind.SPEND_LARGE


def test_a_token_spend_pays_the_recipients_holding(coop: Coop) -> None:
    chain = coop.chain
    fans = chain.create_collective(DAVE, [(DAVE, (1, 500, 0))], classes=CLASSES, name="fans")
    token = Asset(fans, 1)
    chain.accept(coop.cid, token)
    chain.send(DAVE, TreasuryDeposit(coop.cid, token, 200))
    pid, events = enact(coop, [TreasurySpend(token, ERIN.address, 150, "merch")])
    assert "treasury_spend" in kinds(events) and proposal(coop, pid).status is Status.EXECUTED
    assert holding(chain.view, fans, 1, ERIN.address) == 150
    assert treasury.balance(chain.view, coop.cid, token) == 50
