"""ProposalProcess (anyone advances a due proposal or retries a failed execution) and
MultisigApprove (a signer of a multisig policy approves; m approvals pass the proposal; an
approving member is a supporter: exit lock and dilution peak, as a yes vote)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from ledger.errors import ErrorCode, TxError
from ledger.governance import keys
from ledger.governance.kinds import DecisionMethod
from ledger.governance.lifecycle import advance, close_voting, execute, is_due, note_support
from ledger.governance.proposal import Status, require_proposal, require_status
from ledger.governance.proposal_txs import ProposalRef
from ledger.governance.signers import counted_approvals, require_signer
from ledger.state.context import BlockContext
from ledger.state.events import Event
from ledger.state.handlers import TxHandler, register_handler
from ledger.state.view import StateView
from ledger.tx import TxBody, TxKind, register_payload


@register_payload
@dataclass(frozen=True, slots=True)
class ProposalProcess(ProposalRef):
    KIND: ClassVar[TxKind] = TxKind.PROPOSAL_PROCESS


@register_payload
@dataclass(frozen=True, slots=True)
class MultisigApprove(ProposalRef):
    KIND: ClassVar[TxKind] = TxKind.MULTISIG_APPROVE


class ProposalProcessHandler(TxHandler[ProposalProcess]):
    """Permissionless. A READY proposal (its execution failed before) is executed again, and
    the tx fails with the action's error if it still cannot run; any other proposal takes the
    step that is due, exactly as the end-block hook would."""

    payload_type = ProposalProcess

    def check_stateful(
        self, view: StateView, ctx: BlockContext, tx: TxBody, payload: ProposalProcess
    ) -> None:
        proposal = require_proposal(view, payload.proposal_id)
        if proposal.status.is_final:
            raise TxError(ErrorCode.INVALID_STATE, f"proposal is {proposal.status.name}")
        if proposal.status is not Status.READY and not is_due(proposal, ctx.time_ms):
            raise TxError(ErrorCode.INVALID_STATE, "nothing to process yet")

    def apply(
        self, view: StateView, ctx: BlockContext, tx: TxBody, payload: ProposalProcess
    ) -> list[Event]:
        pid = payload.proposal_id
        proposal = require_proposal(view, pid)
        if proposal.status is Status.READY and ctx.time_ms < proposal.expires_ms:
            return execute(view, ctx, pid, proposal)
        return advance(view, ctx, pid)


class MultisigApproveHandler(TxHandler[MultisigApprove]):
    payload_type = MultisigApprove

    def check_stateful(
        self, view: StateView, ctx: BlockContext, tx: TxBody, payload: MultisigApprove
    ) -> None:
        proposal = require_status(
            view, payload.proposal_id, Status.VOTING, code=ErrorCode.VOTING_CLOSED
        )
        policy = proposal.require_policy()
        if policy.method is not DecisionMethod.MULTISIG:
            raise TxError(ErrorCode.INVALID_STATE, "the proposal is not under a multisig policy")
        if not proposal.start_ms <= ctx.time_ms < proposal.end_ms:
            raise TxError(ErrorCode.VOTING_CLOSED, "the approval window is closed")
        require_signer(view, ctx.time_ms, proposal, tx.sender_address)
        if view.get(keys.approval(payload.proposal_id, tx.sender_address.raw)) is not None:
            raise TxError(ErrorCode.ALREADY_VOTED, "already approved")

    def apply(
        self, view: StateView, ctx: BlockContext, tx: TxBody, payload: MultisigApprove
    ) -> list[Event]:
        pid = payload.proposal_id
        view.put(keys.approval(pid, tx.sender_address.raw), b"")
        events = [Event.of("multisig_approval", proposal=pid, signer=tx.sender_address.raw)]
        proposal = require_proposal(view, pid)
        proposal = note_support(view, pid, proposal, tx.sender_address, True)
        counted = counted_approvals(view, ctx.time_ms, pid, proposal)
        if counted >= proposal.require_policy().required_approvals:
            events += close_voting(view, ctx, pid, proposal)
        return events


register_handler(ProposalProcessHandler())
register_handler(MultisigApproveHandler())
