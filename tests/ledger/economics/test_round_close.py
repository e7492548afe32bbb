"""`RoundClose` (`coterie round close`): a curation round ended early by proposal, paid now by
the same exact rule, or called off with its budget back in the treasury; never twice."""

from __future__ import annotations

from ledger.collectives import treasury
from ledger.collectives.ids import NATIVE
from ledger.economics import keys
from ledger.economics.endorse import ContentEndorse
from ledger.economics.round_close import RoundClose
from ledger.economics.rounds import RoundStatus, RoundTerms, require_round, reserves
from ledger.errors import ErrorCode
from ledger.governance.proposal_txs import ProposalSubmit
from tests.ledger.conftest import ALICE, BOB, CAROL
from tests.ledger.economics.conftest import WEEK_S, open_round, post
from tests.ledger.treasury.conftest import (
    FUNDS,
    Coop,
    balance,
    enact,
    kinds,
    settle,
    submit,
    vote,
)

MONTH = 4 * WEEK_S


def endorsed_round(coop: Coop) -> int:
    """A four-week round of 1,001; Bob endorses Alice's and Carol's videos, Carol Alice's."""
    rid = open_round(coop, RoundTerms(budget=1_001, period_s=MONTH))
    alice, carol = post(coop, ALICE, "alice-1"), post(coop, CAROL, "carol-1")
    coop.chain.send(BOB, ContentEndorse(rid, alice))
    coop.chain.send(CAROL, ContentEndorse(rid, alice))
    coop.chain.send(BOB, ContentEndorse(rid, carol))
    return rid


def test_a_round_closed_early_pays_its_budget_now_exactly_and_only_once(coop: Coop) -> None:
    chain = coop.chain
    rid = endorsed_round(coop)
    before = {k: balance(chain, k) for k in (ALICE, CAROL)}
    _, events = enact(coop, [RoundClose(rid)])
    assert "round_closed_early" in kinds(events) and "round_paid" in kinds(events)
    record = require_round(chain.view, rid)
    assert record.status is RoundStatus.PAID and record.paid == 1_001
    assert chain.time_ms < record.end_ms  # before its end
    assert balance(chain, CAROL) - before[CAROL] == 250  # 751 / 250 as at the end
    late = post(coop, CAROL, "carol-2")
    assert chain.reject(ALICE, ContentEndorse(rid, late)) is ErrorCode.ROUND_CLOSED
    assert not list(chain.view.iter_prefix(keys.ROUND_DUE))  # the end pays nothing more
    again = ProposalSubmit(coop.cid, (RoundClose(rid),))
    assert chain.reject(ALICE, again) is ErrorCode.ROUND_NOT_OPEN


def test_a_round_called_off_returns_its_budget(coop: Coop) -> None:
    chain = coop.chain
    rid = endorsed_round(coop)
    assert treasury.balance(chain.view, coop.cid, NATIVE) == FUNDS - 1_001
    _, events = enact(coop, [RoundClose(rid, call_off=True)])
    assert "round_called_off" in kinds(events) and "round_payout" not in kinds(events)
    assert treasury.balance(chain.view, coop.cid, NATIVE) == FUNDS
    assert require_round(chain.view, rid).status is RoundStatus.CALLED_OFF
    assert reserves(chain.view) == 0


def test_two_closes_voting_at_once_settle_the_round_once(coop: Coop) -> None:
    """A close and a call-off race: the first to execute wins, the second fails with
    `ROUND_NOT_OPEN` and moves nothing."""
    chain = coop.chain
    rid = endorsed_round(coop)
    first = submit(coop, [RoundClose(rid)], proposer=ALICE)
    second = submit(coop, [RoundClose(rid, call_off=True)], proposer=BOB)
    vote(coop, first, (ALICE, BOB))
    vote(coop, second, (ALICE, BOB))
    events = settle(coop, first) + settle(coop, second)
    failed = [e for e in events if e.kind == "proposal_execution_failed"]
    assert failed and failed[0].get("code") == int(ErrorCode.ROUND_NOT_OPEN)
    assert require_round(chain.view, rid).status is RoundStatus.PAID
    assert treasury.balance(chain.view, coop.cid, NATIVE) == FUNDS - 1_001


def test_an_unknown_round_cannot_be_closed(coop: Coop) -> None:
    unknown = ProposalSubmit(coop.cid, (RoundClose(99),))
    assert coop.chain.reject(ALICE, unknown) is ErrorCode.NOT_FOUND
