"""Replay: a restarted validator resumes its height from the WAL (see consensus.wal).

`replay` feeds the records of the current height back to a fresh machine, restores the lock the
sign state keeps, and makes the machine silent for the rest of the height when the guard's last
signature cannot be re-derived (the WAL lost inputs). A compacted height (consensus.wal, "A
bound per height") holds `RoundReached` markers: the machine moves to that round as the original
run did, since the records of the rounds that led there were dropped.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from consensus.actions import Action, Broadcast, Rejected, ScheduleTimeout
from consensus.machine import ConsensusMachine
from consensus.messages import ConsensusMessage, Proposal, Step
from consensus.validators import ValidatorSet
from consensus.wal import (
    EndHeight,
    Received,
    RoundReached,
    Sent,
    TimeoutFired,
    WalError,
    WalRecord,
    record_height,
)

log = logging.getLogger(__name__)


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
        if isinstance(record, RoundReached):
            produced.extend(machine.resume_round(record.height, record.round))
            continue
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
