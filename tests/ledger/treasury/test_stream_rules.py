"""The stream rules at their edges: a single vested unit is claimable; claim and cancel refuse on
their own (whatever checked the tx or the proposal before them); a cancelled stream owes nothing;
every stream event says exactly what moved; a stored stream reads back whole and a corrupt one
is refused; the listings stop at 1,000; the schedule arithmetic holds at its bounds."""

from __future__ import annotations

from dataclasses import replace

import pytest

from ledger import codec
from ledger.codec import MalformedError
from ledger.collectives import treasury
from ledger.collectives.ids import NATIVE
from ledger.errors import ErrorCode, TxError
from ledger.governance.actions_treasury import StreamCancel, StreamCreate
from ledger.treasury import streams
from ledger.treasury.stream_claim import StreamClaim
from ledger.treasury.streams import MAX_QUERY, Stream, StreamStatus, require_stream
from ledger.treasury.vesting import MAX_STEPS, Schedule
from tests.ledger.conftest import DAVE
from tests.ledger.treasury.conftest import Coop, enact

MONTH = 30 * 24 * 3600 * 1000


def one_a_month(coop: Coop, months: int = 12) -> tuple[int, int]:
    """A stream of one unit a month to Dave; returns its id and its proposal's."""
    schedule = Schedule(0, months * MONTH, MONTH, 0, months)
    pid, events = enact(coop, [StreamCreate(DAVE.address, NATIVE, schedule)])
    [created] = [e for e in events if e.kind == "stream_created"]
    start = require_stream(coop.chain.view, created.get("stream")).schedule.start_ms  # type: ignore[arg-type]
    assert dict(created.attributes) == {
        "stream": created.get("stream"),
        "collective": coop.cid,
        "recipient": DAVE.address.raw,
        "asset": b"",
        "total": months,
        "start_ms": start,
        "end_ms": start + months * MONTH,
    }
    sid = created.get("stream")
    assert isinstance(sid, int)
    return sid, pid


def test_one_vested_unit_is_claimable_and_the_claim_says_what_it_paid(coop: Coop) -> None:
    chain = coop.chain
    sid, pid = one_a_month(coop)
    stream = require_stream(chain.view, sid)
    assert stream.proposal_id == pid
    chain.next_block(stream.schedule.start_ms + MONTH - chain.time_ms)
    receipt = chain.send(DAVE, StreamClaim(sid))
    assert [dict(e.attributes) for e in receipt.events] == [
        {"stream": sid, "recipient": DAVE.address.raw, "amount": 1, "claimed": 1, "total": 12}
    ]
    chain.next_block(MONTH)
    receipt = chain.send(DAVE, StreamClaim(sid))
    assert receipt.events[0].get("claimed") == 2


def test_claim_and_cancel_refuse_on_their_own(coop: Coop) -> None:
    """The handler and the proposal check these too; the stream functions are the last word."""
    chain = coop.chain
    sid, _ = one_a_month(coop)
    view, h = chain.view, chain.height
    with pytest.raises(TxError) as nothing:
        streams.claim(view, h, chain.time_ms, sid)
    assert nothing.value.code is ErrorCode.NOTHING_TO_CLAIM
    later = require_stream(view, sid).schedule.start_ms + 5 * MONTH
    with pytest.raises(TxError) as foreign:
        streams.cancel(view, h, later, bytes(20), sid)
    assert foreign.value.code is ErrorCode.UNAUTHORIZED
    streams.cancel(view, h, later, coop.cid, sid)
    assert require_stream(view, sid).claimable(later + MONTH) == 0
    with pytest.raises(TxError) as cancelled_twice:
        streams.cancel(view, h, later, coop.cid, sid)
    with pytest.raises(TxError) as claimed_after:
        streams.claim(view, h, later + MONTH, sid)
    assert cancelled_twice.value.code is claimed_after.value.code is ErrorCode.STREAM_CLOSED


def test_cancelling_says_what_was_paid_and_what_went_back(coop: Coop) -> None:
    chain = coop.chain
    sid, _ = one_a_month(coop)
    chain.next_block(require_stream(chain.view, sid).schedule.start_ms + 3 * MONTH - chain.time_ms)
    chain.send(DAVE, StreamClaim(sid))  # 3 of the 12
    before = treasury.balance(chain.view, coop.cid, NATIVE)
    chain.next_block(2 * MONTH)
    _, events = enact(coop, [StreamCancel(sid)])
    cancelled = [dict(e.attributes) for e in events if e.kind == "stream_cancelled"]
    stream = require_stream(chain.view, sid)
    paid = stream.final_total - 3
    assert cancelled == [
        {"stream": sid, "collective": coop.cid, "paid": paid, "returned": 12 - 3 - paid}
    ]
    assert treasury.balance(chain.view, coop.cid, NATIVE) == before + 12 - 3 - paid
    assert (stream.status, stream.claimed, stream.reserve) == (StreamStatus.CANCELLED, 3 + paid, 0)


def test_a_stored_stream_reads_back_whole_and_a_corrupt_one_is_refused() -> None:
    schedule = Schedule(1_000, 12 * MONTH, MONTH, MONTH, 1_200)
    stream = Stream(bytes(range(20)), DAVE.address, NATIVE, schedule, 300, proposal_id=7)
    closed = replace(stream, status=StreamStatus.CANCELLED, final_total=500)
    assert Stream.decode(closed.encode()) == closed
    fields = codec.decode(closed.encode())
    assert isinstance(fields, list)
    for index, bad in ((0, bytes(19)), (5, 2)):
        corrupt = list(fields)
        corrupt[index] = bad
        with pytest.raises(MalformedError):
            Stream.decode(codec.encode(corrupt))


def test_the_stream_listings_stop_at_a_thousand(coop: Coop) -> None:
    view = coop.chain.view
    schedule = Schedule(1, 1_000, 1_000, 0, 1)
    for _ in range(MAX_QUERY + 1):
        streams.create_stream(
            view, coop.cid, recipient=DAVE.address, asset=NATIVE, schedule=schedule, proposal_id=1
        )
    assert streams.streams_of(view, coop.cid) == list(range(1, MAX_QUERY + 1))
    assert streams.streams_to(view, DAVE.address) == list(range(1, MAX_QUERY + 1))


def test_a_schedule_of_exactly_the_most_intervals_is_allowed() -> None:
    Schedule(0, MAX_STEPS * 1_000, 1_000, 0, 1).check()
    with pytest.raises(TxError) as refused:
        Schedule(0, (MAX_STEPS + 1) * 1_000, 1_000, 0, 1).check()
    assert refused.value.code is ErrorCode.STREAM_BAD_SCHEDULE


def test_a_per_interval_schedule_totals_the_whole_intervals_only() -> None:
    assert Schedule.per_interval(0, 10_500, 1_000, 0, 7).total == 70
    assert Schedule.per_interval(0, 10_000, 0, 0, 7).total == 0  # check() then refuses it
