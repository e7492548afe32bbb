"""Streams and vesting: a recipient is paid a treasury amount over time, claiming as it vests.

A stream is created and cancelled only by proposal actions. **Its whole total leaves the treasury
when it is created** and is held by the stream (its reserve, `total - claimed`), so a claim can
never fail for lack of funds, a later spend or exit cannot take money already promised, and a
member who ragequits gets a fair share of what is left uncommitted (Moloch's guild bank minus
what it owes; Colony funds a stream from a pot the same way). The cost: a treasury cannot promise
more than it holds. Cancelling pays the recipient what has vested and not been claimed and returns
the rest to the treasury. Nothing else moves a reserve, so treasury balances plus reserves are
conserved across every stream operation.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import IntEnum
from itertools import islice

from ledger import codec
from ledger.codec import Fields
from ledger.collectives import assets, treasury
from ledger.collectives.fieldcodec import address
from ledger.collectives.ids import ASSET_TOKEN_LEN, COLLECTIVE_ID_LEN, Asset
from ledger.errors import ErrorCode, TxError
from ledger.keys import Address
from ledger.state.events import Event
from ledger.state.keys import u64
from ledger.state.reader import StateReader
from ledger.state.view import StateView
from ledger.treasury import keys
from ledger.treasury.vesting import Schedule

MAX_QUERY = 1000


class StreamStatus(IntEnum):
    ACTIVE = 0
    CANCELLED = 1


@dataclass(frozen=True, slots=True)
class Stream:
    collective: bytes
    recipient: Address
    asset: Asset
    schedule: Schedule
    claimed: int = 0
    status: StreamStatus = StreamStatus.ACTIVE
    final_total: int = 0  # what the stream paid in all, once cancelled
    proposal_id: int = 0

    @property
    def total(self) -> int:
        return self.final_total if self.status is StreamStatus.CANCELLED else self.schedule.total

    @property
    def reserve(self) -> int:
        """What the stream still holds for its recipient."""
        return self.total - self.claimed

    def claimable(self, now_ms: int) -> int:
        if self.status is StreamStatus.CANCELLED:
            return 0
        return self.schedule.vested(now_ms) - self.claimed

    def encode(self) -> bytes:
        return codec.encode(
            [
                self.collective,
                self.recipient.raw,
                self.asset.raw,
                self.schedule.to_fields(),
                self.claimed,
                int(self.status),
                self.final_total,
                self.proposal_id,
            ]
        )

    @classmethod
    def decode(cls, data: bytes) -> Stream:
        f = Fields(codec.decode(data), 8, "stream")
        return cls(
            f.bytes("collective", COLLECTIVE_ID_LEN, exact=True),
            address(f, "recipient"),
            Asset.parse(f.bytes("asset", ASSET_TOKEN_LEN)),
            Schedule.from_fields(f.raw()),
            f.int("claimed"),
            StreamStatus(f.int("status", 0, max(StreamStatus))),
            f.int("final_total"),
            f.int("proposal_id"),
        )


def get_stream(view: StateReader, stream_id: int) -> Stream | None:
    data = view.get(keys.stream(stream_id))
    return None if data is None else Stream.decode(data)


def require_stream(view: StateReader, stream_id: int) -> Stream:
    stream = get_stream(view, stream_id)
    if stream is None:
        raise TxError(ErrorCode.NOT_FOUND, f"no stream {stream_id}")
    return stream


def _put(view: StateView, stream_id: int, stream: Stream) -> None:
    view.put(keys.stream(stream_id), stream.encode())


def next_stream_id(view: StateReader) -> int:
    data = view.get(keys.NEXT_STREAM_ID)
    return 1 if data is None else int.from_bytes(data, "big")


def create_stream(
    view: StateView,
    cid: bytes,
    *,
    recipient: Address,
    asset: Asset,
    schedule: Schedule,
    proposal_id: int,
) -> tuple[int, Event]:
    """Reserve the total out of the treasury (or raise INSUFFICIENT_FUNDS) and open the stream."""
    schedule.check()
    treasury.debit(view, cid, asset, schedule.total)
    stream_id = next_stream_id(view)
    view.put(keys.NEXT_STREAM_ID, u64(stream_id + 1))
    stream = Stream(cid, recipient, asset, schedule, proposal_id=proposal_id)
    _put(view, stream_id, stream)
    view.put(keys.streams_of(cid, stream_id), b"")
    view.put(keys.streams_to(recipient.raw, stream_id), b"")
    event = Event.of(
        "stream_created",
        stream=stream_id,
        collective=cid,
        recipient=recipient.raw,
        asset=asset.raw,
        total=schedule.total,
        start_ms=schedule.start_ms,
        end_ms=schedule.end_ms,
    )
    return stream_id, event


def claim(view: StateView, height: int, now_ms: int, stream_id: int) -> Event:
    """Pay the recipient what has vested and not been claimed (or raise NOTHING_TO_CLAIM)."""
    stream = require_stream(view, stream_id)
    if stream.status is StreamStatus.CANCELLED:
        raise TxError(ErrorCode.STREAM_CLOSED, f"stream {stream_id} was cancelled")
    amount = stream.claimable(now_ms)
    if amount <= 0:
        raise TxError(ErrorCode.NOTHING_TO_CLAIM, f"nothing of stream {stream_id} is claimable")
    _put(view, stream_id, replace(stream, claimed=stream.claimed + amount))
    assets.give(view, height, stream.recipient, stream.asset, amount)
    return Event.of(
        "stream_claimed",
        stream=stream_id,
        recipient=stream.recipient.raw,
        amount=amount,
        claimed=stream.claimed + amount,
        total=stream.schedule.total,
    )


def cancel(view: StateView, height: int, now_ms: int, cid: bytes, stream_id: int) -> Event:
    """Pay out what has vested, return the rest to the treasury, close the stream."""
    stream = require_stream(view, stream_id)
    if stream.collective != cid:
        raise TxError(ErrorCode.UNAUTHORIZED, f"stream {stream_id} belongs to another collective")
    if stream.status is StreamStatus.CANCELLED:
        raise TxError(ErrorCode.STREAM_CLOSED, f"stream {stream_id} was already cancelled")
    vested = stream.schedule.vested(now_ms)
    owed = vested - stream.claimed
    returned = stream.schedule.total - vested
    closed = replace(stream, claimed=vested, status=StreamStatus.CANCELLED, final_total=vested)
    _put(view, stream_id, closed)
    assets.give(view, height, stream.recipient, stream.asset, owed)
    treasury.credit(view, cid, stream.asset, returned)
    return Event.of(
        "stream_cancelled",
        stream=stream_id,
        collective=cid,
        paid=owed,
        returned=returned,
    )


def streams_of(view: StateReader, cid: bytes) -> list[int]:
    prefix = keys.STREAMS_OF + cid
    rows = islice(view.iter_prefix(prefix), MAX_QUERY)
    return [int.from_bytes(k[len(prefix) :], "big") for k, _ in rows]


def streams_to(view: StateReader, recipient: Address) -> list[int]:
    prefix = keys.STREAMS_TO + recipient.raw
    rows = islice(view.iter_prefix(prefix), MAX_QUERY)
    return [int.from_bytes(k[len(prefix) :], "big") for k, _ in rows]


def reserves(view: StateReader) -> list[tuple[Asset, int]]:
    """What every stream still holds (for conservation checks and supply reports)."""
    out = []
    for _, value in view.iter_prefix(keys.STREAM):
        stream = Stream.decode(value)
        if stream.reserve:
            out.append((stream.asset, stream.reserve))
    return out
