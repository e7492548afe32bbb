"""What the state machine asks its driver to do: the only outputs of `ConsensusMachine`.

Every input method returns a list of these, in the order they must be carried out. The driver (the
node's runner, the simulator, a test router) performs them; the machine itself never touches a
socket, a clock or a disk. Signatures in `Broadcast` messages were persisted by the double-sign
guard before the action was created, so a driver may send them at once.

- `Broadcast(message)`: send to every peer. The machine has already counted its own message.
- `ScheduleTimeout(height, round, step, delay_ms)`: call `on_timeout(height, round, step)` after
  `delay_ms` of local time. Timeouts are never cancelled: a stale one is ignored by the machine.
- `Decide(height, round, block, commit)`: the block is final. Persist it with its commit, then call
  `on_start(height + 1, next_validators, delay_ms=...)`.
- `EvidenceFound(evidence)`: a validator signed two different votes for one (height, round, type);
  gossip it and put it in a block. Emitted once per offender per (height, round, type).
- `Rejected(message, reason)`: a message that is the sender's fault (bad signature, not a
  validator, ...). Benign drops (old height, duplicates, rounds out of the window) are silent.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import TypeAlias

from consensus.messages import ConsensusMessage, Step
from ledger.block import Block, Commit, DuplicateVoteEvidence


class RejectReason(Enum):
    NOT_A_VALIDATOR = "not a validator at this height"
    BAD_SIGNATURE = "signature does not verify"
    MALFORMED = "fields out of range"
    CONFLICTING_PROPOSAL = "a second, different proposal for one round"


@dataclass(frozen=True, slots=True)
class Broadcast:
    message: ConsensusMessage


@dataclass(frozen=True, slots=True)
class ScheduleTimeout:
    height: int
    round: int
    step: Step
    delay_ms: int


@dataclass(frozen=True, slots=True)
class Decide:
    height: int
    round: int
    block: Block
    commit: Commit


@dataclass(frozen=True, slots=True)
class EvidenceFound:
    evidence: DuplicateVoteEvidence


@dataclass(frozen=True, slots=True)
class Rejected:
    message: ConsensusMessage
    reason: RejectReason


Action: TypeAlias = Broadcast | ScheduleTimeout | Decide | EvidenceFound | Rejected
