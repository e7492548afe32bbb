"""Creating proposals: the one path used by ProposalSubmit, MembershipApply and the chain itself.

The proposal's kind is the kind its actions share, escalated to the strictest kind they belong
to (`ledger.governance.escalation`: large spends over a window, large admissions). The proposer's
deposit (in the native coin, times the expedited multiplier) and an applicant's tribute go into
the proposal's escrow. A proposer whose voting power reaches the sponsor threshold sponsors their
own proposal, which starts voting at once (Baal); anyone else waits for a member to sponsor it.
"""

from __future__ import annotations

from collections.abc import Sequence

from ledger.collectives.checkpoints import current_power
from ledger.collectives.ids import NATIVE, SYSTEM_ADDRESS, Asset
from ledger.collectives.store import require_collective
from ledger.errors import ErrorCode, TxError
from ledger.governance import escalation, escrow, keys
from ledger.governance.actions import Action, kind_of
from ledger.governance.body import check_kind_allowed
from ledger.governance.escalation import escalated_kind
from ledger.governance.kinds import DecisionMethod, VotingMethod
from ledger.governance.lifecycle import start_voting
from ledger.governance.policy import Policy, policy_for
from ledger.governance.proposal import (
    Proposal,
    add_live,
    allocate_id,
    live_count,
    put_proposal,
    schedule,
)
from ledger.keys import Address
from ledger.state.context import BlockContext
from ledger.state.events import Event
from ledger.state.view import StateView


def check_policy_fits(policy: Policy, method: VotingMethod, expedited: bool) -> None:
    if expedited and not policy.expedited_period_ms:
        raise TxError(ErrorCode.INVALID_STATE, "the policy does not allow expedited proposals")
    if policy.method is not DecisionMethod.VOTE and method is not VotingMethod.BINARY:
        raise TxError(ErrorCode.INVALID_STATE, "polls need a voting policy")


def create_proposal(
    view: StateView,
    ctx: BlockContext,
    cid: bytes,
    proposer: Address,
    actions: Sequence[Action],
    *,
    method: VotingMethod = VotingMethod.BINARY,
    choices: tuple[str, ...] = (),
    expedited: bool = False,
    metadata: str = "",
    tribute: tuple[Asset, int] | None = None,
    system: bool = False,
) -> tuple[int, list[Event]]:
    """Create a proposal; `system` proposals (opened by the chain) carry no deposit and start
    voting at once."""
    collective = require_collective(view, cid)
    params = collective.params
    kind = escalated_kind(view, cid, collective, kind_of(actions), actions, now_ms=ctx.time_ms)
    check_kind_allowed(ctx.params, cid, kind)
    policy = policy_for(view, cid, kind)
    check_policy_fits(policy, method, expedited)
    for action in actions:
        action.check_submit(view, ctx, cid, collective)
    if not system:
        if live_count(view, cid, proposer) >= params.max_live_per_proposer:
            raise TxError(ErrorCode.TOO_MANY_PROPOSALS, "too many live proposals by this proposer")
        add_live(view, cid, proposer, 1)
    pid = allocate_id(view)
    now = ctx.time_ms
    excluded = {who for action in actions for who in action.excluded_voters()}
    proposal = Proposal(
        cid,
        kind,
        proposer,
        tuple(actions),
        method,
        choices,
        expedited,
        metadata,
        now,
        tuple(sorted(excluded, key=lambda a: a.raw)),
        expires_ms=now + params.submission_period_ms,
    )
    view.put(keys.by_collective(cid, pid), b"")
    escalation.record(view, cid, collective, actions, submitted_ms=now, sign=1)
    if not system:
        multiplier = params.expedited_deposit_multiplier if expedited else 1
        deposit = params.proposal_deposit * multiplier
        escrow.hold(
            view, ctx.height, pid, escrow.Slot.DEPOSIT, payer=proposer, asset=NATIVE, amount=deposit
        )
    if tribute is not None:
        asset, amount = tribute
        escrow.hold(
            view, ctx.height, pid, escrow.Slot.TRIBUTE, payer=proposer, asset=asset, amount=amount
        )
    events = [
        Event.of(
            "proposal_submitted",
            proposal=pid,
            collective=cid,
            proposal_kind=kind,
            proposer=proposer.raw,
        )
    ]
    if system:
        start_voting(view, ctx, pid, proposal, sponsor=SYSTEM_ADDRESS, policy=policy)
    elif current_power(view, cid, collective, proposer, now) >= params.sponsor_threshold:
        start_voting(view, ctx, pid, proposal, sponsor=proposer, policy=policy)
    else:
        put_proposal(view, pid, schedule(view, pid, proposal, proposal.expires_ms))
        return pid, events
    events.append(Event.of("voting_started", proposal=pid))
    return pid, events
