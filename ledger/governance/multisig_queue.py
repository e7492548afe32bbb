"""The multisig queue: proposals under an m-of-n policy execute strictly in position order.

Like a Safe's nonce, every proposal that starts voting under a MULTISIG policy takes the next
position (`seq`) of its collective's queue, and only the proposal at the head may execute; one
that reaches its m approvals early waits in grace until every earlier position is resolved.
A position is resolved when one of its proposals executes (the others there are superseded and
rejected) or when all of them are final (rejected, cancelled, expired): then the head moves on
and a proposal waiting at the new head is scheduled to execute in the same block.

A rejection is a proposal with no actions at the same position (Safe's rejection transaction):
`MultisigReject` by a signer opens it (or approves the open one), signers approve it like any
multisig proposal, and when it reaches m approvals and executes, the position is consumed and the
proposal it rejects is superseded. Whichever proposal at a position is decided first wins; a
signer may approve both (as a Safe owner may sign both).

Keys (prefixes 0x4a-0x4e, the top of the proposals range, integers big-endian):
    0x4a + cid -> u64 head: the next position that may execute
    0x4b + cid -> u64 the next position to assign
    0x4c + pid(8) -> u64 the proposal's position
    0x4d + cid + seq(8) + pid(8) -> b"" the live proposals at a position
    0x4e + pid(8) -> u64 the open rejection of proposal pid
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from ledger.collectives.ids import SYSTEM_ADDRESS
from ledger.errors import ErrorCode, TxError
from ledger.governance import hooks, keys
from ledger.governance.kinds import DecisionMethod, VotingMethod
from ledger.governance.lifecycle import close_voting, finalize, start_voting
from ledger.governance.proposal import (
    Proposal,
    Status,
    allocate_id,
    put_proposal,
    require_proposal,
    schedule,
)
from ledger.governance.proposal_txs import ProposalRef
from ledger.governance.signers import counted_approvals, require_signer
from ledger.keys import Address
from ledger.state.context import BlockContext
from ledger.state.events import Event
from ledger.state.handlers import TxHandler, register_handler
from ledger.state.keys import u64
from ledger.state.view import StateView
from ledger.tx import TxBody, TxKind, register_payload

HEAD = b"\x4a"
NEXT = b"\x4b"
SEQ = b"\x4c"
ENTRY = b"\x4d"
REJECTION = b"\x4e"


def _u64(data: bytes | None) -> int:
    return 0 if data is None else int.from_bytes(data, "big")


def head(view: StateView, cid: bytes) -> int:
    return _u64(view.get(HEAD + cid))


def position(view: StateView, pid: int) -> int | None:
    """The queue position of proposal `pid`, or None when it is not queued."""
    data = view.get(SEQ + u64(pid))
    return None if data is None else int.from_bytes(data, "big")


def at_position(view: StateView, cid: bytes, seq: int) -> list[int]:
    """The live proposals at a position, in id order."""
    prefix = ENTRY + cid + u64(seq)
    return [int.from_bytes(k[len(prefix) :], "big") for k, _ in view.iter_prefix(prefix)]


def rejection_of(view: StateView, pid: int) -> int | None:
    """The live rejection of proposal `pid` (a final one no longer counts), or None."""
    data = view.get(REJECTION + u64(pid))
    if data is None:
        return None
    rid = int.from_bytes(data, "big")
    return None if require_proposal(view, rid).status.is_final else rid


def _enqueue(view: StateView, cid: bytes, pid: int, seq: int) -> None:
    view.put(SEQ + u64(pid), u64(seq))
    view.put(ENTRY + cid + u64(seq) + u64(pid), b"")


def assign(view: StateView, ctx: BlockContext, pid: int, proposal: Proposal) -> None:
    """Start hook: a proposal under a multisig policy takes the next position."""
    policy = proposal.policy
    if policy is None or policy.method is not DecisionMethod.MULTISIG:
        return
    if position(view, pid) is not None:
        return
    cid = proposal.collective
    seq = _u64(view.get(NEXT + cid))
    view.put(NEXT + cid, u64(seq + 1))
    _enqueue(view, cid, pid, seq)


def gate(view: StateView, pid: int, proposal: Proposal) -> str | None:
    """Execution gate: only the head of the queue executes."""
    seq = position(view, pid)
    if seq is None:
        return None
    current = head(view, proposal.collective)
    if seq == current:
        return None
    return f"queue position {seq} waits for position {current}"


def release(view: StateView, ctx: BlockContext, pid: int, proposal: Proposal) -> list[Event]:
    """Finalize hook: leave the queue; an execution supersedes the rest of the position; the head
    moves past resolved positions and a proposal waiting at the new head is scheduled now."""
    seq = position(view, pid)
    if seq is None:
        return []
    cid = proposal.collective
    view.delete(ENTRY + cid + u64(seq) + u64(pid))
    view.delete(REJECTION + u64(pid))
    events: list[Event] = []
    if proposal.status is Status.EXECUTED:
        for other in at_position(view, cid, seq):
            events.append(Event.of("proposal_superseded", proposal=other, by=pid, seq=seq))
            events += finalize(view, ctx, other, require_proposal(view, other), Status.REJECTED)
    return events + _advance_head(view, ctx, cid)


def _advance_head(view: StateView, ctx: BlockContext, cid: bytes) -> list[Event]:
    current = head(view, cid)
    end = _u64(view.get(NEXT + cid))
    moved = False
    while current < end and not at_position(view, cid, current):
        current += 1
        moved = True
    if not moved:
        return []
    view.put(HEAD + cid, u64(current))
    events = [Event.of("queue_advanced", collective=cid, head=current)]
    for pid in at_position(view, cid, current):
        waiting = require_proposal(view, pid)
        if waiting.status is Status.GRACE and ctx.time_ms >= waiting.grace_end_ms:
            put_proposal(view, pid, schedule(view, pid, waiting, ctx.time_ms))
    return events


hooks.register_start_hook(assign)
hooks.register_gate(gate)
hooks.register_finalize_hook(release)


@register_payload
@dataclass(frozen=True, slots=True)
class MultisigReject(ProposalRef):
    """A signer rejects a queued multisig proposal: opens (or approves) the rejection at its
    position."""

    KIND: ClassVar[TxKind] = TxKind.MULTISIG_REJECT


def _target(view: StateView, pid: int) -> Proposal:
    target = require_proposal(view, pid)
    if target.status.is_final or target.status is Status.SUBMITTED:
        raise TxError(ErrorCode.INVALID_STATE, f"proposal is {target.status.name}")
    policy = target.policy
    if policy is None or policy.method is not DecisionMethod.MULTISIG:
        raise TxError(ErrorCode.INVALID_STATE, "the proposal is not under a multisig policy")
    if position(view, pid) is None:
        raise TxError(ErrorCode.INVALID_STATE, "the proposal is not queued")
    if not target.actions and target.proposer == SYSTEM_ADDRESS:
        raise TxError(ErrorCode.INVALID_STATE, "a rejection is not rejected; let it lapse")
    return target


class MultisigRejectHandler(TxHandler[MultisigReject]):
    payload_type = MultisigReject

    def check_stateful(
        self, view: StateView, ctx: BlockContext, tx: TxBody, payload: MultisigReject
    ) -> None:
        target = _target(view, payload.proposal_id)
        require_signer(view, ctx.time_ms, target, tx.sender_address)
        rejection = rejection_of(view, payload.proposal_id)
        if rejection is not None:
            existing = require_proposal(view, rejection)
            if existing.status is not Status.VOTING:
                raise TxError(ErrorCode.VOTING_CLOSED, "the rejection is already decided")
            if view.get(keys.approval(rejection, tx.sender_address.raw)) is not None:
                raise TxError(ErrorCode.ALREADY_VOTED, "already approved the rejection")

    def apply(
        self, view: StateView, ctx: BlockContext, tx: TxBody, payload: MultisigReject
    ) -> list[Event]:
        target_id = payload.proposal_id
        target = require_proposal(view, target_id)
        signer = tx.sender_address
        events: list[Event] = []
        rid = rejection_of(view, target_id)
        if rid is None:
            rid, opened = open_rejection(view, ctx, target_id, target, signer)
            events.append(opened)
        return events + approve(view, ctx, rid, signer)


def open_rejection(
    view: StateView, ctx: BlockContext, target_id: int, target: Proposal, signer: Address
) -> tuple[int, Event]:
    """A proposal with no actions at the target's position, under the target's frozen policy."""
    seq = position(view, target_id)
    if seq is None:
        raise TxError(ErrorCode.INVALID_STATE, "the proposal is not queued")
    rid = allocate_id(view)
    cid = target.collective
    rejection = Proposal(
        cid,
        target.kind,
        SYSTEM_ADDRESS,
        (),
        VotingMethod.BINARY,
        (),
        False,
        f"rejects proposal {target_id}",
        ctx.time_ms,
    )
    view.put(keys.by_collective(cid, rid), b"")
    _enqueue(view, cid, rid, seq)
    view.put(REJECTION + u64(target_id), u64(rid))
    start_voting(view, ctx, rid, rejection, sponsor=signer, policy=target.require_policy())
    event = Event.of("rejection_opened", proposal=rid, rejects=target_id, seq=seq)
    return rid, event


def approve(view: StateView, ctx: BlockContext, pid: int, signer: Address) -> list[Event]:
    view.put(keys.approval(pid, signer.raw), b"")
    events = [Event.of("multisig_approval", proposal=pid, signer=signer.raw)]
    proposal = require_proposal(view, pid)
    counted = counted_approvals(view, ctx.time_ms, pid, proposal)
    if counted >= proposal.require_policy().required_approvals:
        events += close_voting(view, ctx, pid, proposal)
    return events


def queue_of(view: StateView, cid: bytes) -> list[tuple[int, int]]:
    """(position, proposal id) of every live queued proposal of a collective, in order."""
    prefix = ENTRY + cid
    out = []
    for key, _ in view.iter_prefix(prefix):
        rest = key[len(prefix) :]
        out.append((int.from_bytes(rest[:8], "big"), int.from_bytes(rest[8:], "big")))
    return out


register_handler(MultisigRejectHandler())
