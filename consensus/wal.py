"""The consensus write-ahead log: what a validator saw, did and signed at its current height.

A restarted validator must resume its height without equivocating, without forgetting a lock it
announced, and without going silent. The double-sign guard (consensus.signer) stops a second
signature for one step; the WAL restores the rest: every input the machine took (messages
received, timeouts fired) and every message it signed, in order. `replay` feeds them back to a
fresh machine.

Records (`WalRecord`), each `[kind, fields]` in the canonical codec:

    Received(message)   a proposal or vote from a peer, logged before the machine sees it; a
                        proposal with the local time it arrived (`at_ms`, for its timeliness)
    Sent(message)       a proposal or vote this node signed, logged with a sync before it leaves
    TimeoutFired(h,r,s) a timeout, logged before the machine sees it
    EndHeight(h)        height h is decided and its block stored; logged with a sync

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

Implementations: `MemoryWAL` here (the simulator's: `crash()` drops what was not synced, as a
power cut would) and `consensus.wal_file.FileWAL` (length-prefixed, checksummed records; torn or
corrupt tails are truncated on open).
"""

from __future__ import annotations

import logging
import struct
import zlib
from dataclasses import dataclass
from enum import IntEnum
from typing import Any, Protocol, TypeAlias

from consensus.actions import Action, Broadcast, Rejected, ScheduleTimeout
from consensus.machine import ConsensusMachine
from consensus.messages import ConsensusMessage, MessageKind, Proposal, Step, encode_message
from consensus.signer import Signer, SignState, SignStateStore
from consensus.validators import ValidatorSet
from ledger import codec
from ledger.block import MAX_BLOCK_BYTES, Block, Vote, VoteType
from ledger.codec import Fields
from ledger.keys import PrivateKey

log = logging.getLogger(__name__)

MAX_RECORD_BYTES = MAX_BLOCK_BYTES + 64 * 1024
DEFAULT_MAX_BYTES = 64 * 1024 * 1024
FRAME = struct.Struct(">II")  # payload length, crc32 of the payload


class RecordKind(IntEnum):
    """Stable numbers of WAL records; a retired number is never reused."""

    RECEIVED = 1
    SENT = 2
    TIMEOUT = 3
    END_HEIGHT = 4
    RECEIVED_AT = 5  # a received message with the local time: [5, at_ms, message]


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


WalRecord: TypeAlias = Received | Sent | TimeoutFired | EndHeight


def record_height(record: WalRecord) -> int:
    if isinstance(record, Received | Sent):
        return record.message.height
    return record.height


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
    kind = f.int("kind", 1, RecordKind.END_HEIGHT)
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
            if isinstance(record, EndHeight):
                self.durable, self.pending = [], [record]
            self._flush()

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


# -- replay ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ReplayResult:
    """What a restarted driver does after `replay`.

    `actions`: still to be carried out, in order: broadcasts the WAL did not hold (the guard had
    saved the signature but the crash came before the `Sent` record; the guard hands back the same
    signature; log them unless `JournaledSigner.journaled` says they were logged during replay),
    timeouts to arm, perhaps a `Decide` (the height was decided but its block was not stored) and
    evidence found again.
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
    journal, machine.journal = machine.journal, None  # the records are in the WAL already
    try:
        return _replay(machine, records[start:], height, validators, delay_ms)
    finally:
        machine.journal = journal


def _replay(
    machine: ConsensusMachine,
    records: list[WalRecord],
    height: int,
    validators: ValidatorSet,
    delay_ms: int,
) -> ReplayResult:
    produced = list(machine.on_start(height, validators, delay_ms=delay_ms))
    logged: set[bytes] = set()
    fired: set[tuple[int, int, Step]] = set()  # timeouts that were fed: not to be armed again
    resend: list[ConsensusMessage] = []
    fed = 0
    for record in records:
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
            # judged at the time it arrived; our own was timely by our clock when we built it
            at_ms = record.at_ms if isinstance(record, Received) else None
            now_ms = message.block.header.time_ms if at_ms is None else at_ms
            produced.extend(machine.on_proposal(message, now_ms=now_ms))
        else:
            produced.extend(machine.on_vote(message))
    silent = _lost_last_signature(machine, height, logged, produced)
    if silent:
        machine.stay_silent()
    actions: list[Action] = []
    for action in produced:
        if isinstance(action, Rejected) or (silent and isinstance(action, Broadcast)):
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


def _lost_last_signature(
    machine: ConsensusMachine, height: int, logged: set[bytes], produced: list[Action]
) -> bool:
    """Restore the sign state's lock at `height`, and say whether the guard's last vote at
    `height` was neither in the WAL nor re-derived: then the WAL lost inputs (a restored
    backup, a WAL moved away), the machine cannot know what it announced, and it must sign
    nothing more at this height. A proposal is not asked for: its block is built from the
    clock and the mempool, so a proposal signed just before a crash (the guard saved it, the
    WAL had not logged it yet) is never re-derived; the guard then only keeps the node from
    proposing again in that round."""
    signer = machine.signer
    if signer is None:
        return False
    last = signer.last_signed
    lock = last.lock_at(height)
    if lock is not None:
        machine.restore_lock(*lock)
    if last.height != height or last.step == Step.PROPOSE or last.signature in logged:
        return False
    for action in produced:
        if isinstance(action, Broadcast) and action.message.signature == last.signature:
            return False
    log.warning(
        "the WAL does not hold what this validator last signed at height %d (round %d): "
        "staying silent for the rest of the height",
        height,
        last.round,
    )
    return True


# -- signing through the WAL -----------------------------------------------------------------


class _SyncFirst:
    """A sign-state store that syncs the WAL before every save."""

    def __init__(self, store: SignStateStore, wal: WriteAheadLog) -> None:
        self._store = store
        self._wal = wal

    def load(self) -> SignState | None:
        return self._store.load()

    def save(self, state: SignState) -> None:
        self._wal.sync()
        self._store.save(state)


class JournaledSigner(Signer):
    """The `Signer` a driver with a WAL gives its machine (see the module docstring).

    Every new signature is made after a WAL sync and logged as `Sent` with a sync before the
    machine sees it, so the driver must not log it again: `journaled(message)` tells.
    """

    def __init__(
        self,
        key: PrivateKey,
        genesis_hash: bytes,
        store: SignStateStore,
        wal: WriteAheadLog,
        *,
        new_chain: bool = False,
    ) -> None:
        super().__init__(key, genesis_hash, _SyncFirst(store, wal), new_chain=new_chain)
        self._wal = wal
        self._journaled: set[bytes] = set()

    def journaled(self, message: ConsensusMessage) -> bool:
        """True when this signer logged `message` when it signed it."""
        return message.signature in self._journaled

    def sign_vote(self, vote_type: VoteType, height: int, round_: int, block_hash: bytes) -> Vote:
        before = self.last_signed
        vote = super().sign_vote(vote_type, height, round_, block_hash)
        self._journal(before, vote)
        return vote

    def sign_proposal(self, height: int, round_: int, pol_round: int, block: Block) -> Proposal:
        before = self.last_signed
        proposal = super().sign_proposal(height, round_, pol_round, block)
        self._journal(before, proposal)
        return proposal

    def _journal(self, before: SignState, message: ConsensusMessage) -> None:
        if self.last_signed is before:
            return  # the same signature handed back: it was logged (or is re-derived in replay)
        if len(self._journaled) > 64:
            self._journaled.clear()  # only the current step's messages are ever asked about
        self._journaled.add(message.signature)
        self._wal.append(Sent(message), sync=True)
