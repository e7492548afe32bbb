"""The proposal record, its status machine, storage and the deadline index.

    SUBMITTED --sponsor--> VOTING --tally passes--> GRACE --actions succeed--> EXECUTED
        |                    |  \\--fails--> REJECTED / VETOED (or a restart as a regular vote)
        |                    |                    \\--actions fail--> READY --retry ok--> EXECUTED
        \\--(cancel, no sponsor in time)--> CANCELLED / EXPIRED        \\--expiry--> EXPIRED

A live proposal has exactly one entry in the deadline index (its next deadline); final statuses
have none. Only GRACE and READY proposals can execute, and EXECUTED is final, so no proposal
executes twice.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import IntEnum
from typing import Any

from ledger import codec
from ledger.codec import Fields
from ledger.collectives.fieldcodec import address, address_list, str_list, u64_list
from ledger.collectives.ids import COLLECTIVE_ID_LEN
from ledger.errors import ErrorCode, TxError
from ledger.governance import keys
from ledger.governance.actions import Action, decode_actions, encode_action
from ledger.governance.kinds import VotingMethod
from ledger.governance.policy import Policy
from ledger.keys import ADDRESS_LEN, Address
from ledger.state.keys import u64
from ledger.state.view import StateView

MAX_CHOICES = 32
MAX_CHOICE_LEN = 256
MAX_METADATA_LEN = 1024


class Status(IntEnum):
    SUBMITTED = 0
    VOTING = 1
    GRACE = 2
    READY = 3
    EXECUTED = 4
    REJECTED = 5
    VETOED = 6
    CANCELLED = 7
    EXPIRED = 8

    @property
    def is_final(self) -> bool:
        return self >= Status.EXECUTED


@dataclass(frozen=True, slots=True)
class Proposal:
    collective: bytes
    kind: int
    proposer: Address
    actions: tuple[Action, ...]
    method: VotingMethod
    choices: tuple[str, ...]
    expedited: bool
    metadata: str
    submitted_ms: int
    excluded: tuple[Address, ...] = ()  # members whose power is left out (expulsion targets)
    status: Status = Status.SUBMITTED
    sponsor: Address | None = None
    policy: Policy | None = None  # frozen when voting starts
    snapshot_height: int = 0
    start_ms: int = 0
    end_ms: int = 0  # ballots (or commitments) are accepted while start_ms <= now < end_ms
    tally_ms: int = 0  # end_ms, plus the reveal period for secret ballots
    closed_ms: int = 0
    grace_end_ms: int = 0
    expires_ms: int = 0
    deadline_ms: int = 0  # the time of this proposal's entry in the deadline index (0: none)
    total_power: int = 0
    max_total_at_yes: int = 0  # Moloch's maxTotalSharesAndLootAtYesVote
    tally: tuple[int, ...] = ()
    winner: int = -1
    restarted: bool = False

    def with_(self, **changes: Any) -> Proposal:
        return replace(self, **changes)

    def require_policy(self) -> Policy:
        if self.policy is None:
            raise TxError(ErrorCode.INVALID_STATE, "the proposal has not started voting")
        return self.policy

    def encode(self) -> bytes:
        return codec.encode(
            [
                self.collective,
                self.kind,
                self.proposer.raw,
                [encode_action(a) for a in self.actions],
                int(self.method),
                list(self.choices),
                self.expedited,
                self.metadata,
                self.submitted_ms,
                [a.raw for a in self.excluded],
                int(self.status),
                self.sponsor.raw if self.sponsor else None,
                self.policy.to_fields() if self.policy else None,
                self.snapshot_height,
                self.start_ms,
                self.end_ms,
                self.tally_ms,
                self.closed_ms,
                self.grace_end_ms,
                self.expires_ms,
                self.deadline_ms,
                self.total_power,
                self.max_total_at_yes,
                list(self.tally),
                self.winner + 1,
                self.restarted,
            ]
        )

    @classmethod
    def decode(cls, data: bytes) -> Proposal:
        f = Fields(codec.decode(data), 26, "proposal")
        collective = f.bytes("collective", COLLECTIVE_ID_LEN, exact=True)
        kind = f.int("kind", 0, 0xFFFF)
        proposer = address(f, "proposer")
        actions = decode_actions(f, "actions")
        method = VotingMethod(f.int("method", 0, max(VotingMethod)))
        choices = str_list(f, "choices", MAX_CHOICES, MAX_CHOICE_LEN)
        expedited = f.bool("expedited")
        metadata = f.str("metadata", MAX_METADATA_LEN)
        submitted_ms = f.int("submitted_ms")
        excluded = address_list(f, "excluded", 16)
        status = Status(f.int("status", 0, max(Status)))
        sponsor_raw = f.optional_bytes("sponsor", ADDRESS_LEN, exact=True)
        policy_raw = f.raw()
        numbers = {name: f.int(name) for name in _NUMBERS}
        return cls(
            collective,
            kind,
            proposer,
            actions,
            method,
            choices,
            expedited,
            metadata,
            submitted_ms,
            excluded,
            status,
            Address(sponsor_raw) if sponsor_raw else None,
            None if policy_raw is None else Policy.from_fields(policy_raw),
            tally=u64_list(f, "tally", MAX_CHOICES),
            winner=f.int("winner", 0, MAX_CHOICES) - 1,
            restarted=f.bool("restarted"),
            **numbers,
        )


_NUMBERS = (
    "snapshot_height",
    "start_ms",
    "end_ms",
    "tally_ms",
    "closed_ms",
    "grace_end_ms",
    "expires_ms",
    "deadline_ms",
    "total_power",
    "max_total_at_yes",
)


def get_proposal(view: StateView, pid: int) -> Proposal | None:
    data = view.get(keys.proposal(pid))
    return None if data is None else Proposal.decode(data)


def require_proposal(view: StateView, pid: int) -> Proposal:
    proposal = get_proposal(view, pid)
    if proposal is None:
        raise TxError(ErrorCode.NOT_FOUND, f"no proposal {pid}")
    return proposal


def require_status(
    view: StateView, pid: int, *allowed: Status, code: ErrorCode = ErrorCode.INVALID_STATE
) -> Proposal:
    """The proposal `pid`, which a tx may act on only in one of the `allowed` states."""
    proposal = require_proposal(view, pid)
    if proposal.status not in allowed:
        raise TxError(code, f"proposal is {proposal.status.name}")
    return proposal


def put_proposal(view: StateView, pid: int, proposal: Proposal) -> None:
    view.put(keys.proposal(pid), proposal.encode())


def allocate_id(view: StateView) -> int:
    data = view.get(keys.NEXT_ID)
    pid = 1 if data is None else int.from_bytes(data, "big")
    view.put(keys.NEXT_ID, u64(pid + 1))
    return pid


def schedule(view: StateView, pid: int, proposal: Proposal, time_ms: int | None) -> Proposal:
    """Move the proposal's deadline-index entry to `time_ms` (None: remove it)."""
    if proposal.deadline_ms:
        view.delete(keys.deadline(proposal.deadline_ms, pid))
    if time_ms is None:
        return proposal.with_(deadline_ms=0)
    view.put(keys.deadline(time_ms, pid), b"")
    return proposal.with_(deadline_ms=time_ms)


def due_proposals(view: StateView, now_ms: int, limit: int) -> list[tuple[int, int]]:
    """(deadline, id) of up to `limit` proposals whose deadline is at or before `now_ms`,
    earliest first: the deadline names the entry, which may outlive its proposal."""
    due: list[tuple[int, int]] = []
    for key, _ in view.iter_prefix(keys.DEADLINE):
        deadline_ms = int.from_bytes(key[1:9], "big")
        if deadline_ms > now_ms or len(due) >= limit:
            break
        due.append((deadline_ms, int.from_bytes(key[9:17], "big")))
    return due


def proposals_of(view: StateView, cid: bytes) -> list[int]:
    prefix = keys.BY_COLLECTIVE + cid
    return [int.from_bytes(k[len(prefix) :], "big") for k, _ in view.iter_prefix(prefix)]


def live_count(view: StateView, cid: bytes, proposer: Address) -> int:
    data = view.get(keys.live(cid, proposer.raw))
    return 0 if data is None else int.from_bytes(data, "big")


def add_live(view: StateView, cid: bytes, proposer: Address, delta: int) -> None:
    count = live_count(view, cid, proposer) + delta
    if count:
        view.put(keys.live(cid, proposer.raw), u64(count))
    else:
        view.delete(keys.live(cid, proposer.raw))
