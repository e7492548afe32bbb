"""Streams: created by proposal with the total reserved at once, claimed as it vests, cancelled
with what vested paid and the rest returned."""

from __future__ import annotations

from ledger.collectives import treasury
from ledger.collectives.exit import Ragequit
from ledger.collectives.ids import NATIVE
from ledger.errors import ErrorCode
from ledger.governance.actions_treasury import StreamCancel, StreamCreate
from ledger.governance.proposal import Status
from ledger.governance.proposal_txs import ProposalSubmit
from ledger.state.accounts import get_account
from ledger.treasury.stream_claim import StreamClaim
from ledger.treasury.streams import StreamStatus, require_stream, reserves, streams_of, streams_to
from ledger.treasury.vesting import Schedule
from tests.ledger.conftest import ALICE, BOB, CAROL, DAVE, START_BALANCE
from tests.ledger.treasury.conftest import FUNDS, Coop, enact, kinds, proposal

DAY = 24 * 3600 * 1000
MONTH = 30 * DAY


def open_stream(coop: Coop, total: int = 1_200, cliff: int = 0, start: int = 0) -> int:
    schedule = Schedule(start, 12 * MONTH, MONTH, cliff, total)
    pid, events = enact(coop, [StreamCreate(DAVE.address, NATIVE, schedule)])
    assert proposal(coop, pid).status is Status.EXECUTED, events
    created = [e for e in events if e.kind == "stream_created"]
    stream_id = created[0].get("stream")
    assert isinstance(stream_id, int)
    return stream_id


def test_the_total_leaves_the_treasury_when_the_stream_starts(coop: Coop) -> None:
    chain = coop.chain
    sid = open_stream(coop)
    stream = require_stream(chain.view, sid)
    assert stream.schedule.start_ms <= chain.time_ms and stream.reserve == 1_200
    assert treasury.balance(chain.view, coop.cid, NATIVE) == FUNDS - 1_200
    assert reserves(chain.view) == [(NATIVE, 1_200)]
    assert streams_of(chain.view, coop.cid) == [sid] and streams_to(chain.view, DAVE.address) == [
        sid
    ]


def test_the_recipient_claims_each_month_and_never_twice(coop: Coop) -> None:
    chain = coop.chain
    sid = open_stream(coop)
    assert chain.reject(DAVE, StreamClaim(sid)) is ErrorCode.NOTHING_TO_CLAIM
    start = require_stream(chain.view, sid).schedule.start_ms
    chain.next_block(start + MONTH - chain.time_ms)
    chain.send(DAVE, StreamClaim(sid))
    assert get_account(chain.view, DAVE.address).balance == START_BALANCE + 100
    assert chain.reject(DAVE, StreamClaim(sid)) is ErrorCode.NOTHING_TO_CLAIM
    chain.next_block(5 * MONTH)
    receipt = chain.send(DAVE, StreamClaim(sid))
    assert receipt.events[0].get("amount") == 500
    assert chain.reject(BOB, StreamClaim(sid)) is ErrorCode.UNAUTHORIZED
    chain.next_block(12 * MONTH)
    chain.send(DAVE, StreamClaim(sid))
    assert get_account(chain.view, DAVE.address).balance == START_BALANCE + 1_200
    assert require_stream(chain.view, sid).reserve == 0
    assert chain.reject(DAVE, StreamClaim(sid)) is ErrorCode.NOTHING_TO_CLAIM
    assert chain.reject(DAVE, StreamClaim(sid + 1)) is ErrorCode.NOT_FOUND


def test_cancelling_pays_what_vested_and_returns_the_rest(coop: Coop) -> None:
    chain = coop.chain
    sid = open_stream(coop)
    start = require_stream(chain.view, sid).schedule.start_ms
    chain.next_block(start + 2 * MONTH - chain.time_ms)
    chain.send(DAVE, StreamClaim(sid))  # 200
    chain.next_block(MONTH)
    pid, events = enact(coop, [StreamCancel(sid)])
    assert "stream_cancelled" in kinds(events), events
    stream = require_stream(chain.view, sid)
    assert stream.status is StreamStatus.CANCELLED
    vested = stream.total
    assert vested == stream.claimed == 300
    assert get_account(chain.view, DAVE.address).balance == START_BALANCE + vested
    assert treasury.balance(chain.view, coop.cid, NATIVE) == FUNDS - vested
    assert chain.reject(DAVE, StreamClaim(sid)) is ErrorCode.STREAM_CLOSED
    assert proposal(coop, pid).status is Status.EXECUTED
    assert reserves(chain.view) == []


def test_a_cancelled_stream_cannot_be_cancelled_again(coop: Coop) -> None:
    chain = coop.chain
    sid = open_stream(coop)
    enact(coop, [StreamCancel(sid)])
    again = ProposalSubmit(coop.cid, (StreamCancel(sid),))
    assert chain.reject(ALICE, again) is ErrorCode.STREAM_CLOSED
    assert chain.reject(ALICE, ProposalSubmit(coop.cid, (StreamCancel(99),))) is ErrorCode.NOT_FOUND


def test_an_exit_does_not_take_money_already_promised(coop: Coop) -> None:
    chain = coop.chain
    open_stream(coop, total=30_000)
    before = get_account(chain.view, CAROL.address).balance
    chain.send(CAROL, Ragequit(coop.cid, ((0, 5), (1, 2))))  # 7 of 31 exit units
    paid = get_account(chain.view, CAROL.address).balance - before
    assert paid == (FUNDS - 30_000) * 7 // 31


def test_a_stream_the_treasury_cannot_fund_does_not_start(coop: Coop) -> None:
    schedule = Schedule(0, 12 * MONTH, MONTH, 0, FUNDS + 1)
    pid, events = enact(coop, [StreamCreate(DAVE.address, NATIVE, schedule)])
    assert "proposal_execution_failed" in kinds(events)
    assert proposal(coop, pid).status is Status.EXPIRED
    assert treasury.balance(coop.chain.view, coop.cid, NATIVE) == FUNDS
