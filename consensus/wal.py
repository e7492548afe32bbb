"""The consensus write-ahead log: what a validator saw, did and signed at its current height.

A restarted validator must resume its height without equivocating, without forgetting a lock it
announced, and without going silent. The double-sign guard (consensus.signer) stops a second
signature for one step; the WAL restores the rest: every input the machine took (messages
received, timeouts fired) and every message it signed, in order. `consensus.wal_replay.replay`
feeds them back to a fresh machine; `consensus.wal_signer.JournaledSigner` signs through the WAL.

Records (`WalRecord`), each `[kind, fields]` in the canonical codec:

    Received(message)   a proposal or vote from a peer, logged before the machine sees it; a
                        proposal with the local time it arrived (`at_ms`, for its timeliness)
    Sent(message)       a proposal or vote this node signed, logged with a sync before it leaves
    TimeoutFired(h,r,s) a timeout, logged before the machine sees it
    EndHeight(h)        height h is decided and its block stored; logged with a sync
    RoundReached(h,r)   only in a compacted height: the machine was in round r (see below)

Durability follows CometBFT's "selective fsync": a received message or a fired timeout is written
without a sync; own messages and height ends are synced, and because the log is sequential a sync
makes everything before it durable too. One rule more than CometBFT, kept by `JournaledSigner`:
the WAL is synced *before* the guard persists a signature, and the signed message is logged with
a sync right after, before the machine goes on. So whenever the guard holds a signature, the WAL
holds every input that led to it: a replay re-derives the very same message (the machine is
deterministic), the guard hands back the same signature, and the node sends it. Without that rule
a crash between the guard's save and the WAL write leaves a signature the replayed machine cannot
re-derive (its inputs were not durable): the guard refuses the new choice, the node is silent for
the rest of the round, and with f others silent the round can never time out (found by the
simulator).

A bound per height: a height that cannot decide would log about 2n votes per round for ever.
When the records of the current height span more than `OWN_ROUND_LIMIT` rounds the machine was
in (rounds with a timeout it fired or a message it signed), the height is compacted (`compact`):
kept are the `LATEST_OWN_ROUNDS` latest such rounds, every round above them (rounds the machine
may have jumped to; the machine's admission bounds them), the lock round (its latest non-nil
precommit) and the POL rounds named by the kept proposals; each kept round of the machine's is
preceded by `RoundReached`. Dropping the other rounds is safe: the double-sign guard, not the
WAL, is what keeps the key from signing twice, and the sign state keeps the lock; the records
that re-derive the guard's last signature (its round, that round's POL round, the lock round)
are all kept, so a replay still signs again. What a compacted replay can lose is a valid value of
a dropped round (liveness only: as proposer it builds a new block).

Implementations: `MemoryWAL` here (the simulator's: `crash()` drops what was not synced, as a
power cut would) and `consensus.wal_file.FileWAL` (length-prefixed, checksummed records; a torn
tail is truncated on open, corruption followed by valid records refuses to start).
"""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass
from enum import IntEnum
from typing import Any, Protocol, TypeAlias

from consensus.messages import NIL, ConsensusMessage, MessageKind, Proposal, Step, encode_message
from ledger import codec
from ledger.block import MAX_BLOCK_BYTES, Vote, VoteType
from ledger.codec import Fields

MAX_RECORD_BYTES = MAX_BLOCK_BYTES + 64 * 1024
DEFAULT_MAX_BYTES = 64 * 1024 * 1024
FRAME = struct.Struct(">II")  # payload length, crc32 of the payload
OWN_ROUND_LIMIT = 8  # rounds of one height the machine was in before the height is compacted
LATEST_OWN_ROUNDS = 2  # the latest of them are kept whole


class RecordKind(IntEnum):
    """Stable numbers of WAL records; a retired number is never reused."""

    RECEIVED = 1
    SENT = 2
    TIMEOUT = 3
    END_HEIGHT = 4
    RECEIVED_AT = 5  # a received message with the local time: [5, at_ms, message]
    ROUND_REACHED = 6


@dataclass(frozen=True, slots=True)
class Received:
    message: ConsensusMessage
    at_ms: int | None = None  # the local clock when it arrived (proposals: their timeliness)


@dataclass(frozen=True, slots=True)
class Sent:
    message: ConsensusMessage


@dataclass(frozen=True, slots=True)
class TimeoutFired:
    height: int
    round: int
    step: Step


@dataclass(frozen=True, slots=True)
class EndHeight:
    height: int


@dataclass(frozen=True, slots=True)
class RoundReached:
    height: int
    round: int


WalRecord: TypeAlias = Received | Sent | TimeoutFired | EndHeight | RoundReached


def record_height(record: WalRecord) -> int:
    if isinstance(record, Received | Sent):
        return record.message.height
    return record.height


def record_round(record: WalRecord) -> int | None:
    if isinstance(record, Received | Sent):
        return record.message.round
    if isinstance(record, EndHeight):
        return None
    return record.round


def _round_of(record: WalRecord) -> int:
    round_ = record_round(record)
    return -1 if round_ is None else round_


def own_round(record: WalRecord) -> int | None:
    """The round a record shows the machine was in: what it signed, a timeout it acted on."""
    if isinstance(record, Sent | TimeoutFired | RoundReached):
        return record_round(record)
    return None


def _message_from(raw: object) -> ConsensusMessage:
    f = Fields(raw, 2, "wal.message")
    kind = f.int("kind", 1, max(MessageKind))
    if kind == MessageKind.PROPOSAL:
        return Proposal.from_fields(f.raw())
    return Vote.from_fields(f.raw())


def encode_record(record: WalRecord) -> bytes:
    if isinstance(record, Received) and record.at_ms is not None:
        head = codec.encode([int(RecordKind.RECEIVED_AT), record.at_ms, None])[:-1]
        return head + encode_message(record.message)
    if isinstance(record, (Received, Sent)):
        kind = RecordKind.RECEIVED if isinstance(record, Received) else RecordKind.SENT
        # [kind, message]: spliced, so a proposal's block is not walked field by field again
        return codec.encode([int(kind), None])[:-1] + encode_message(record.message)
    if isinstance(record, TimeoutFired):
        body: list[Any] = [
            int(RecordKind.TIMEOUT),
            [record.height, record.round, int(record.step)],
        ]
    elif isinstance(record, RoundReached):
        body = [int(RecordKind.ROUND_REACHED), [record.height, record.round]]
    else:
        body = [int(RecordKind.END_HEIGHT), [record.height]]
    return codec.encode(body)


def decode_record(data: bytes) -> WalRecord:
    """Decode one record; raises `MalformedError` only."""
    raw = codec.decode(data, MAX_RECORD_BYTES)
    if isinstance(raw, list) and len(raw) == 3:
        at = Fields(raw, 3, "wal.received_at")
        at.int("kind", RecordKind.RECEIVED_AT, RecordKind.RECEIVED_AT)
        at_ms = at.int("at_ms")
        return Received(_message_from(at.raw()), at_ms)
    f = Fields(raw, 2, "wal.record")
    kind = f.int("kind", 1, RecordKind.ROUND_REACHED)
    if kind == RecordKind.RECEIVED_AT:
        raise codec.MalformedError("wal.record: a received_at record has 3 items")
    if kind == RecordKind.RECEIVED:
        return Received(_message_from(f.raw()))
    if kind == RecordKind.SENT:
        return Sent(_message_from(f.raw()))
    if kind == RecordKind.TIMEOUT:
        t = Fields(f.raw(), 3, "wal.timeout")
        height, round_ = t.int("height", 1), t.int("round", 0, 2**31)
        return TimeoutFired(height, round_, Step(t.int("step", 0, max(Step))))
    if kind == RecordKind.ROUND_REACHED:
        r = Fields(f.raw(), 2, "wal.round_reached")
        return RoundReached(r.int("height", 1), r.int("round", 0, 2**31))
    e = Fields(f.raw(), 1, "wal.end_height")
    return EndHeight(e.int("height", 0))


def frame(record: WalRecord) -> bytes:
    payload = encode_record(record)
    return FRAME.pack(len(payload), zlib.crc32(payload)) + payload


class WriteAheadLog(Protocol):
    """An append-only log of consensus records."""

    def append(self, record: WalRecord, *, sync: bool = False) -> None:
        """Add `record`; with `sync`, it and every record before it are durable on return."""
        ...

    def sync(self) -> None:
        """Make every record appended so far durable."""
        ...

    def records(self) -> list[WalRecord]:
        """Every record in the log, oldest first (after any repair done on open)."""
        ...


class OwnRounds:
    """The rounds of the current height the machine was in: when to compact. After a
    compaction kept k of them, the next comes at max(OWN_ROUND_LIMIT, 2k) + 1, so a rewrite
    comes only once they have doubled (or passed the limit) and its cost is spread over the
    rounds that grew them, even in the rare case where a compaction keeps many."""

    def __init__(self) -> None:
        self.own: set[int] = set()
        self.floor = 0

    def add(self, record: WalRecord) -> bool:
        """Count `record`; True when the height must be compacted now."""
        if isinstance(record, EndHeight):
            self.own, self.floor = set(), 0
            return False
        round_ = own_round(record)
        if round_ is None or round_ in self.own:
            return False
        self.own.add(round_)
        return len(self.own) > max(OWN_ROUND_LIMIT, 2 * self.floor)

    def compacted(self, records: list[WalRecord]) -> None:
        """`records` are the height's records after a compaction."""
        self.own = {r for r in map(own_round, records) if r is not None}
        self.floor = len(self.own)

    def opened(self, records: list[WalRecord]) -> None:
        """`records` are the height's records found on open: the floor is what a compaction of
        them would keep, so restarts in a loop cannot raise the bound."""
        self.own = {r for r in map(own_round, records) if r is not None}
        self.floor = len({r for r in map(own_round, compact(records)) if r is not None})


def compact(records: list[WalRecord]) -> list[WalRecord]:
    """The records of a height kept by the bound (module docstring), grouped by round in
    ascending order, each round the machine was in preceded by `RoundReached`; a leading
    `EndHeight` stays first. Pure: the same input gives the same log."""
    head = records[:1] if records and isinstance(records[0], EndHeight) else []
    body = [r for r in records[len(head) :] if not isinstance(r, EndHeight)]
    own = sorted({r for r in map(own_round, body) if r is not None})
    if not own:
        return records
    keep = set(own[-LATEST_OWN_ROUNDS:])
    keep.update(r for r in map(record_round, body) if r is not None and r > own[-1])
    locks = [
        r.message.round
        for r in body
        if isinstance(r, Sent)
        and isinstance(r.message, Vote)
        and r.message.type == VoteType.PRECOMMIT
        and r.message.block_hash != NIL
    ]
    keep.update(locks[-1:])
    keep.update(
        r.message.pol_round
        for r in body
        if isinstance(r, Received | Sent)
        and isinstance(r.message, Proposal)
        and r.message.round in keep
        and r.message.pol_round >= 0
    )
    own_set = set(own)
    out = list(head)
    for height, round_ in sorted({(record_height(r), _round_of(r)) for r in body}):
        if round_ not in keep:
            continue
        if round_ in own_set:
            out.append(RoundReached(height, round_))
        out.extend(
            r
            for r in body
            if not isinstance(r, RoundReached)
            and record_height(r) == height
            and record_round(r) == round_
        )
    return out


class WalError(Exception):
    """The WAL cannot be used as it is (it is ahead of the block store, or unwritable)."""


class MemoryWAL:
    """The WAL contract in memory; the simulator keeps the object across a simulated crash.

    Records appended without `sync` sit in `pending` until the next synced append; `crash()`
    drops them, as a power cut drops unsynced writes. After a synced `EndHeight`, earlier records
    are dropped (what a file WAL's rotation does, without waiting for a size limit). A height
    past the round bound is compacted as `FileWAL` does (durable at once, as its atomic rewrite).
    """

    def __init__(self) -> None:
        self.durable: list[WalRecord] = []
        self.pending: list[WalRecord] = []
        self.appends = 0
        self.syncs = 0
        self.compactions = 0
        self._rounds = OwnRounds()

    def append(self, record: WalRecord, *, sync: bool = False) -> None:
        self.appends += 1
        self.pending.append(record)
        if type(record) is Received and not sync:
            return  # the common case, kept lean: a received message never starts a round
        full = self._rounds.add(record)
        if sync:
            if isinstance(record, EndHeight):
                self.durable, self.pending = [], [record]
            self._flush()
        if full:
            self.compactions += 1
            self.durable, self.pending = compact(self.records()), []
            self._rounds.compacted(self.durable)
            self.syncs += 1

    def sync(self) -> None:
        self._flush()

    def _flush(self) -> None:
        self.syncs += 1
        self.durable.extend(self.pending)
        self.pending = []

    def records(self) -> list[WalRecord]:
        return [*self.durable, *self.pending]

    def crash(self) -> None:
        """Lose every record that was not synced."""
        self.pending = []
