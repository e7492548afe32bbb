"""The consensus write-ahead log: what a validator saw, did and sent at its current height.

A restarted validator must resume its height without equivocating and without forgetting a lock
it announced. The double-sign guard (consensus.signer) stops a second signature for one step; the
WAL restores the rest: every input the machine took (messages received, timeouts fired) and every
message it sent, in order. `replay` (consensus.wal_replay) feeds them back to a fresh machine.

Records (`WalRecord`), each `[kind, fields]` in the canonical codec:

    Received(message)   a proposal or vote from a peer, logged before the machine sees it
    Sent(message)       a proposal or vote this node signed, logged with fsync before it is sent
    TimeoutFired(h,r,s) a timeout, logged before the machine sees it
    EndHeight(h)        height h is decided and its block stored; logged with fsync

Durability follows CometBFT's "selective fsync": own messages and height ends are synced; a
received message or a timeout is written without a sync and becomes durable with the next synced
record. Because the log is sequential, the sync of our precommit also makes durable the proposal
and prevotes that made us lock, so a replay rebuilds the same lock. Losing unsynced records only
makes the replayed node forget inputs whose consequences it never sent.

`FileWAL` frames each record as `length (u32, big endian) | crc32 (u32) | payload`. On open it
reads the whole log and truncates it at the first torn or corrupt record (a crash mid-write, a
bad sector): that tail is lost, the node stays up. After an `EndHeight`, a log grown past
`max_bytes` is replaced atomically by one holding only that marker (only the current height is
ever replayed). `MemoryWAL` is the same contract in memory for the simulator: `crash()` drops
what was not synced, as a power cut would.
"""

from __future__ import annotations

import logging
import os
import struct
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from enum import IntEnum
from pathlib import Path
from typing import Any, Protocol, TypeAlias

from consensus.actions import Action, Broadcast, Rejected, ScheduleTimeout
from consensus.machine import ConsensusMachine
from consensus.messages import ConsensusMessage, MessageKind, Proposal, Step
from consensus.validators import ValidatorSet
from ledger import codec
from ledger.block import MAX_BLOCK_BYTES, Vote
from ledger.codec import Fields, MalformedError

log = logging.getLogger(__name__)

MAX_RECORD_BYTES = MAX_BLOCK_BYTES + 64 * 1024
DEFAULT_MAX_BYTES = 64 * 1024 * 1024
_FRAME = struct.Struct(">II")  # payload length, crc32 of the payload


class RecordKind(IntEnum):
    """Stable numbers of WAL records; a retired number is never reused."""

    RECEIVED = 1
    SENT = 2
    TIMEOUT = 3
    END_HEIGHT = 4


@dataclass(frozen=True, slots=True)
class Received:
    message: ConsensusMessage


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


WalRecord: TypeAlias = Received | Sent | TimeoutFired | EndHeight


def record_height(record: WalRecord) -> int:
    if isinstance(record, Received | Sent):
        return record.message.height
    return record.height


def _message_fields(message: ConsensusMessage) -> list[Any]:
    kind = MessageKind.PROPOSAL if isinstance(message, Proposal) else MessageKind.VOTE
    return [int(kind), message.to_fields()]


def _message_from(raw: object) -> ConsensusMessage:
    f = Fields(raw, 2, "wal.message")
    kind = f.int("kind", 1, max(MessageKind))
    if kind == MessageKind.PROPOSAL:
        return Proposal.from_fields(f.raw())
    return Vote.from_fields(f.raw())


def encode_record(record: WalRecord) -> bytes:
    if isinstance(record, Received):
        body: list[Any] = [int(RecordKind.RECEIVED), _message_fields(record.message)]
    elif isinstance(record, Sent):
        body = [int(RecordKind.SENT), _message_fields(record.message)]
    elif isinstance(record, TimeoutFired):
        body = [int(RecordKind.TIMEOUT), [record.height, record.round, int(record.step)]]
    else:
        body = [int(RecordKind.END_HEIGHT), [record.height]]
    return codec.encode(body)


def decode_record(data: bytes) -> WalRecord:
    """Decode one record; raises `MalformedError` only."""
    f = Fields(codec.decode(data, MAX_RECORD_BYTES), 2, "wal.record")
    kind = f.int("kind", 1, max(RecordKind))
    if kind == RecordKind.RECEIVED:
        return Received(_message_from(f.raw()))
    if kind == RecordKind.SENT:
        return Sent(_message_from(f.raw()))
    if kind == RecordKind.TIMEOUT:
        t = Fields(f.raw(), 3, "wal.timeout")
        height, round_ = t.int("height", 1), t.int("round", 0, 2**31)
        return TimeoutFired(height, round_, Step(t.int("step", 0, max(Step))))
    e = Fields(f.raw(), 1, "wal.end_height")
    return EndHeight(e.int("height", 0))


def frame(record: WalRecord) -> bytes:
    payload = encode_record(record)
    return _FRAME.pack(len(payload), zlib.crc32(payload)) + payload


class WriteAheadLog(Protocol):
    """An append-only log of consensus records."""

    def append(self, record: WalRecord, *, sync: bool = False) -> None:
        """Add `record`; with `sync`, it and every record before it are durable on return."""
        ...

    def records(self) -> list[WalRecord]:
        """Every record in the log, oldest first (after any repair done on open)."""
        ...


class WalError(Exception):
    """The WAL cannot be used as it is (it is ahead of the block store, or unwritable)."""


class MemoryWAL:
    """The WAL contract in memory; the simulator keeps the object across a simulated crash.

    Records appended without `sync` sit in `pending` until the next synced append; `crash()`
    drops them, as a power cut drops unsynced writes. After a synced `EndHeight`, earlier records
    are dropped (what a file WAL's rotation does, without waiting for a size limit).
    """

    def __init__(self) -> None:
        self.durable: list[WalRecord] = []
        self.pending: list[WalRecord] = []
        self.appends = 0
        self.syncs = 0

    def append(self, record: WalRecord, *, sync: bool = False) -> None:
        self.appends += 1
        self.pending.append(record)
        if sync:
            self.syncs += 1
            if isinstance(record, EndHeight):
                self.durable = [record]
            else:
                self.durable.extend(self.pending)
            self.pending = []

    def records(self) -> list[WalRecord]:
        return [*self.durable, *self.pending]

    def crash(self) -> None:
        """Lose every record that was not synced."""
        self.pending = []


class FileWAL:
    """A single append-only file of framed, checksummed records."""

    def __init__(self, path: Path, *, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        self.path = path
        self.max_bytes = max_bytes
        self._records, good = self._scan()
        self._fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o600)
        size = os.fstat(self._fd).st_size
        if size > good:
            log.warning(
                "WAL %s: dropping %d bytes of torn or corrupt records at offset %d",
                path,
                size - good,
                good,
            )
            os.ftruncate(self._fd, good)
            os.fsync(self._fd)
        self._size = good

    def _scan(self) -> tuple[list[WalRecord], int]:
        """The records of the longest valid prefix of the file and that prefix's length."""
        try:
            data = self.path.read_bytes()
        except FileNotFoundError:
            return [], 0
        records: list[WalRecord] = []
        offset = 0
        for record, end in _iter_frames(data):
            records.append(record)
            offset = end
        return records, offset

    def append(self, record: WalRecord, *, sync: bool = False) -> None:
        data = frame(record)
        written = os.write(self._fd, data)
        if written != len(data):
            raise WalError(f"short write to {self.path}: {written} of {len(data)} bytes")
        self._size += written
        self._records.append(record)
        if sync:
            os.fsync(self._fd)
            if isinstance(record, EndHeight) and self._size > self.max_bytes:
                self._rotate(record)

    def records(self) -> list[WalRecord]:
        return list(self._records)

    def close(self) -> None:
        os.close(self._fd)

    def _rotate(self, marker: EndHeight) -> None:
        """Replace the log by one holding only `marker` (tmp file, fsync, rename, dir fsync)."""
        tmp = self.path.with_name(self.path.name + ".tmp")
        data = frame(marker)
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            os.write(fd, data)
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, self.path)
        dir_fd = os.open(self.path.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
        os.close(self._fd)
        self._fd = os.open(self.path, os.O_RDWR | os.O_APPEND)
        self._size = len(data)
        self._records = [marker]
        log.info("WAL %s rotated at the end of height %d", self.path, marker.height)


def _iter_frames(data: bytes) -> Iterator[tuple[WalRecord, int]]:
    """Valid records from the start of `data`, each with the offset just after it."""
    offset = 0
    header = _FRAME.size
    while offset + header <= len(data):
        length, crc = _FRAME.unpack_from(data, offset)
        start = offset + header
        end = start + length
        if length > MAX_RECORD_BYTES or end > len(data):
            return
        payload = data[start:end]
        if zlib.crc32(payload) != crc:
            return
        try:
            record = decode_record(payload)
        except MalformedError:
            return
        yield record, end
        offset = end


# -- replay ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ReplayResult:
    """What a restarted driver does after `replay`.

    `actions`: still to be carried out, in order: broadcasts the WAL does not hold yet (the guard
    signed them before the crash, the log did not get them), timeouts to arm, perhaps a `Decide`
    (the height was decided but its block was not stored) and evidence found again.
    `resend`: own messages the WAL holds for this height; send them again (peers may have missed
    them when we went down; they are the same signatures).
    """

    actions: list[Action]
    resend: list[ConsensusMessage]
    fed: int


def replay(
    machine: ConsensusMachine,
    records: list[WalRecord],
    height: int,
    validators: ValidatorSet,
    *,
    delay_ms: int = 0,
) -> ReplayResult:
    """Start `machine` at `height` and feed it what the WAL holds for that height.

    `height` is the driver's current height (its last stored block + 1) and `delay_ms` what it
    passes to `on_start` normally. Records after the last `EndHeight` below `height` are fed in
    order: received and sent messages through `on_proposal` / `on_vote`, fired timeouts through
    `on_timeout`. The guard re-issues only its last signature, so earlier own messages are refused
    when the machine re-derives them; feeding the logged copies back keeps the vote counts, and so
    the lock, of the original run. Raises `WalError` when the WAL ends a height at or above
    `height` (it is ahead of the block store: the store lost a block).
    """
    start = 0
    for index, record in enumerate(records):
        if isinstance(record, EndHeight):
            if record.height >= height:
                raise WalError(
                    f"the WAL ended height {record.height} but the block store is at "
                    f"{height - 1}: the block store lost data"
                )
            start = index + 1
    produced = list(machine.on_start(height, validators, delay_ms=delay_ms))
    logged: set[bytes] = set()
    fired: set[tuple[int, int, Step]] = set()
    resend: list[ConsensusMessage] = []
    fed = 0
    for record in records[start:]:
        if isinstance(record, EndHeight) or record_height(record) != height:
            continue
        fed += 1
        if isinstance(record, TimeoutFired):
            fired.add((record.height, record.round, record.step))
            produced.extend(machine.on_timeout(record.height, record.round, record.step))
            continue
        message = record.message
        if isinstance(record, Sent):
            logged.add(message.signature)
            resend.append(message)
        if isinstance(message, Proposal):
            produced.extend(machine.on_proposal(message))
        else:
            produced.extend(machine.on_vote(message))
    actions: list[Action] = []
    for action in produced:
        if isinstance(action, Rejected):
            continue
        if isinstance(action, Broadcast) and action.message.signature in logged:
            continue
        if (
            isinstance(action, ScheduleTimeout)
            and (action.height, action.round, action.step) in fired
        ):
            continue
        actions.append(action)
    return ReplayResult(actions, resend, fed)
