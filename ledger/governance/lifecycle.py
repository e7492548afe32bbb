"""Moving a proposal through its statuses: start, close (tally), execute, finalise, restart.

Every transition is driven either by a tx (sponsor, vote, approve, cancel, process) or by the
end-block hook `process_deadlines`, which advances each proposal whose deadline the block's time
has reached: so a proposal is tallied, and executed after its grace period, in the first block
that crosses the deadline. Actions run in a child view: all of them take effect or none; a
failed execution leaves the proposal READY, retryable by `ProposalProcess` until it expires.
"""

from __future__ import annotations

import logging
from dataclasses import replace

from ledger.collectives import exitlock
from ledger.collectives.holdings import exit_supply
from ledger.collectives.ids import SYSTEM_ADDRESS
from ledger.collectives.params import PPM
from ledger.collectives.store import get_member, require_collective
from ledger.errors import ErrorCode, TxError
from ledger.governance import escalation, escrow, hooks, keys, running
from ledger.governance.actions import ActionRun, moves_value
from ledger.governance.ballots import approvals, ballots, clear_votes
from ledger.governance.electorate import total_power
from ledger.governance.kinds import DecisionMethod, VotingMethod
from ledger.governance.policy import Policy
from ledger.governance.proposal import (
    Proposal,
    Status,
    add_live,
    due_proposals,
    get_proposal,
    put_proposal,
    require_proposal,
    schedule,
)
from ledger.governance.signers import counted_approvals
from ledger.governance.tally import (
    Outcome,
    allocation_supported,
    binary_outcome,
    choice_outcome,
    instant_runoff,
    plurality_winner,
)
from ledger.keys import Address
from ledger.state.context import BlockContext
from ledger.state.events import Event
from ledger.state.handlers import register_end_block
from ledger.state.view import StateView

log = logging.getLogger(__name__)
MAX_STEPS_PER_BLOCK = 128


def start_voting(
    view: StateView,
    ctx: BlockContext,
    pid: int,
    proposal: Proposal,
    *,
    sponsor: Address,
    policy: Policy,
) -> Proposal:
    """Open voting now, freezing the policy and snapshotting power as of the previous block."""
    period = policy.expedited_period_ms if proposal.expedited else policy.voting_period_ms
    now = ctx.time_ms
    end = now + period
    tally_at = end + (policy.reveal_period_ms if policy.secret_ballot else 0)
    proposal = proposal.with_(
        status=Status.VOTING,
        sponsor=sponsor,
        policy=policy,
        snapshot_height=max(ctx.height - 1, 0),
        start_ms=now,
        end_ms=end,
        tally_ms=tally_at,
        expires_ms=0,
    )
    proposal = proposal.with_(total_power=total_power(view, proposal))
    proposal = schedule(view, pid, proposal, tally_at)
    put_proposal(view, pid, proposal)
    running.open_tally(view, pid, proposal)
    if policy.method is DecisionMethod.OPTIMISTIC:  # nobody votes yes: who asked for it supports it
        for who in {proposal.proposer, sponsor}:
            if get_member(view, proposal.collective, who) is not None:
                proposal = note_support(view, pid, proposal, who, True)
    hooks.run_start_hooks(view, ctx, pid, proposal)
    return proposal


def note_support(
    view: StateView, pid: int, proposal: Proposal, who: Address, supported: bool
) -> Proposal:
    """Record (or withdraw) `who`'s support for a proposal with actions: the dilution peak
    (Moloch's maxTotalSharesAndLootAtYesVote) and, for a value-moving one, the exit lock."""
    cid = proposal.collective
    if not proposal.actions:
        return proposal
    if not supported:
        exitlock.unlock(view, cid, who, pid)
        return proposal
    total = exit_supply(view, cid, require_collective(view, cid))
    if total > proposal.max_total_at_yes:
        proposal = proposal.with_(max_total_at_yes=total)
        put_proposal(view, pid, proposal)
    if moves_value(proposal.actions):
        exitlock.lock(view, cid, who, pid)
    return proposal


def supporters(view: StateView, pid: int, proposal: Proposal) -> set[Address]:
    """Everyone whose support may hold an exit lock on the proposal."""
    out = {voter for voter, _ in ballots(view, pid)} | set(approvals(view, pid))
    return out | {proposal.proposer} | ({proposal.sponsor} if proposal.sponsor else set())


def close_voting(view: StateView, ctx: BlockContext, pid: int, proposal: Proposal) -> list[Event]:
    """Tally (the running tally: no member is visited), then pass into grace (executing at once
    without grace), fail, veto or restart."""
    policy = proposal.require_policy()
    running.end_voting(view, pid, proposal)
    winner = -1
    counted = running.running_tally(view, pid, proposal)
    if policy.method is DecisionMethod.MULTISIG:
        count = counted_approvals(view, ctx.time_ms, pid, proposal)
        tally: tuple[int, ...] = (count,)
        outcome = Outcome.PASS if count >= policy.required_approvals else Outcome.FAIL
    elif proposal.method is VotingMethod.BINARY:
        tally = counted.scores
        outcome = binary_outcome(policy, tally, proposal.total_power, proposal.expedited)
    else:
        tally = counted.scores
        if proposal.method is VotingMethod.RANKED:
            winner = instant_runoff(len(proposal.choices), running.cast_votes(view, pid))
        else:
            winner = plurality_winner(tally)
        decided = winner
        if proposal.actions:  # an allocation: its support against the "none" choice
            decided = 0 if allocation_supported(policy, tally) else -1
        outcome = choice_outcome(policy, counted.turnout, proposal.total_power, decided)
    now = ctx.time_ms
    proposal = proposal.with_(tally=tally, winner=winner, closed_ms=now)
    events = [Event.of("proposal_tallied", proposal=pid, outcome=outcome.value)]
    if outcome is Outcome.PASS:
        grace_end = now + policy.grace_period_ms
        params = require_collective(view, proposal.collective).params
        proposal = proposal.with_(
            status=Status.GRACE,
            grace_end_ms=grace_end,
            expires_ms=grace_end + params.execution_expiry_ms,
        )
        proposal = schedule(view, pid, proposal, grace_end)
        put_proposal(view, pid, proposal)
        hooks.run_pass_hooks(view, ctx, pid, proposal)
        if grace_end <= now:
            events += execute_due(view, ctx, pid, proposal)
        return events
    if outcome is Outcome.VETO:
        return events + finalize(view, ctx, pid, proposal, Status.VETOED, deposit_to_treasury=PPM)
    regular_retry = proposal.expedited or policy.method is DecisionMethod.OPTIMISTIC
    if regular_retry and not proposal.restarted:
        return events + restart_as_regular(view, ctx, pid, proposal)
    return events + finalize(view, ctx, pid, proposal, Status.REJECTED)


def restart_as_regular(
    view: StateView, ctx: BlockContext, pid: int, proposal: Proposal
) -> list[Event]:
    """A failed expedited proposal (Cosmos) or an objected optimistic one (ADR-069, Colony)
    starts again as a regular vote with a fresh snapshot and empty ballot box."""
    for who in supporters(view, pid, proposal):
        exitlock.unlock(view, proposal.collective, who, pid)
    for voter in clear_votes(view, pid):
        running.forget_voter(view, pid, voter)
    policy = proposal.require_policy()
    if policy.method is DecisionMethod.OPTIMISTIC:
        policy = replace(policy, method=DecisionMethod.VOTE)
    proposal = proposal.with_(expedited=False, restarted=True, tally=(), max_total_at_yes=0)
    sponsor = proposal.sponsor or proposal.proposer
    start_voting(view, ctx, pid, proposal, sponsor=sponsor, policy=policy)
    return [Event.of("proposal_restarted", proposal=pid)]


def execute(view: StateView, ctx: BlockContext, pid: int, proposal: Proposal) -> list[Event]:
    """Run the actions of a passed proposal into `view`; raises `TxError` if any action fails
    (the caller discards the view). Fails the proposal instead if too many members left since
    its yes votes (Moloch's dilution bound, Baal's minimum retention)."""
    if proposal.status not in (Status.GRACE, Status.READY):
        raise TxError(ErrorCode.INVALID_STATE, f"proposal {pid} is {proposal.status.name}")
    waiting = hooks.blocked(view, pid, proposal)
    if waiting is not None:
        raise TxError(ErrorCode.QUEUE_OUT_OF_ORDER, waiting)
    cid = proposal.collective
    collective = require_collective(view, cid)
    params = collective.params
    current = exit_supply(view, cid, collective)
    peak = proposal.max_total_at_yes
    if (params.dilution_bound and current * params.dilution_bound < peak) or (
        current * PPM < peak * params.min_retention_ppm
    ):
        events = [Event.of("proposal_diluted", proposal=pid, total=current, peak=peak)]
        return events + finalize(view, ctx, pid, proposal, Status.REJECTED)
    run = ActionRun(cid, pid, proposal.proposer)
    events = []
    for action in proposal.actions:
        events += action.execute(view, ctx, run)
    events.append(Event.of("proposal_executed", proposal=pid, collective=cid))
    return events + finalize(view, ctx, pid, proposal, Status.EXECUTED)


def execute_due(view: StateView, ctx: BlockContext, pid: int, proposal: Proposal) -> list[Event]:
    """Execute at the end of grace; on failure park the proposal as READY until it expires.
    A proposal that an execution gate holds (the multisig queue) waits in grace until its
    expiry; the gate's owner reschedules it when it may run."""
    waiting = hooks.blocked(view, pid, proposal)
    if waiting is not None:
        if ctx.time_ms >= proposal.expires_ms:
            return finalize(view, ctx, pid, proposal, Status.EXPIRED)
        put_proposal(view, pid, schedule(view, pid, proposal, proposal.expires_ms))
        return [Event.of("proposal_waiting", proposal=pid, reason=waiting[:200])]
    child = view.child()
    try:
        events = execute(child, ctx, pid, proposal)
    except TxError as error:
        if ctx.time_ms >= proposal.expires_ms:
            return finalize(view, ctx, pid, proposal, Status.EXPIRED)
        proposal = schedule(view, pid, proposal.with_(status=Status.READY), proposal.expires_ms)
        put_proposal(view, pid, proposal)
        return [
            Event.of(
                "proposal_execution_failed",
                proposal=pid,
                code=int(error.code),
                reason=error.message[:200],
            )
        ]
    child.merge_into_parent()
    return events


def finalize(
    view: StateView,
    ctx: BlockContext,
    pid: int,
    proposal: Proposal,
    status: Status,
    *,
    deposit_to_treasury: int = 0,
) -> list[Event]:
    """Enter a final status: settle escrows, release exit locks, leave the deadline index."""
    cid = proposal.collective
    h = ctx.height
    events = escrow.settle(
        view, h, pid, escrow.Slot.DEPOSIT, cid=cid, treasury_ppm=deposit_to_treasury
    )
    events += escrow.settle(view, h, pid, escrow.Slot.TRIBUTE, cid=cid, treasury_ppm=0)
    if moves_value(proposal.actions):
        for who in supporters(view, pid, proposal):
            exitlock.unlock(view, cid, who, pid)
    if status is not Status.EXECUTED:  # what it would have taken leaves the spending window
        collective = require_collective(view, cid)
        escalation.record(
            view, cid, collective, proposal.actions, submitted_ms=proposal.submitted_ms, sign=-1
        )
    running.end_voting(view, pid, proposal)
    proposal = schedule(view, pid, proposal, None)
    if proposal.proposer != SYSTEM_ADDRESS:
        add_live(view, cid, proposal.proposer, -1)
    proposal = proposal.with_(status=status, closed_ms=proposal.closed_ms or ctx.time_ms)
    put_proposal(view, pid, proposal)
    events.append(Event.of("proposal_finalized", proposal=pid, status=status.name.lower()))
    return events + hooks.run_finalize_hooks(view, ctx, pid, proposal)


def is_due(proposal: Proposal, now_ms: int) -> bool:
    status = proposal.status
    if status is Status.VOTING:
        return now_ms >= proposal.tally_ms
    if status is Status.GRACE:
        return now_ms >= proposal.grace_end_ms
    if status in (Status.SUBMITTED, Status.READY):
        return now_ms >= proposal.expires_ms
    return False


def advance(view: StateView, ctx: BlockContext, pid: int) -> list[Event]:
    """Take the step that is due for proposal `pid` at the block's time."""
    proposal = require_proposal(view, pid)
    if not is_due(proposal, ctx.time_ms):
        raise TxError(ErrorCode.INVALID_STATE, f"nothing is due for proposal {pid}")
    if proposal.status is Status.VOTING:
        return close_voting(view, ctx, pid, proposal)
    if proposal.status is Status.GRACE:
        return execute_due(view, ctx, pid, proposal)
    return finalize(view, ctx, pid, proposal, Status.EXPIRED)


def process_deadlines(view: StateView, ctx: BlockContext) -> list[Event]:
    """End-block: advance every proposal whose deadline this block's time has reached."""
    events: list[Event] = []
    steps = 0
    while steps < MAX_STEPS_PER_BLOCK:
        due = due_proposals(view, ctx.time_ms, MAX_STEPS_PER_BLOCK - steps)
        if not due:
            break
        for deadline_ms, pid in due:
            steps += 1
            child = view.child()
            try:
                events += advance(child, ctx, pid)
            except TxError as error:  # a bug, not a rule: never let it invalidate the block
                log.warning("proposal %d could not advance: %s", pid, error)
                _unschedule(view, deadline_ms, pid)
                events.append(Event.of("proposal_stuck", proposal=pid, code=int(error.code)))
                continue
            child.merge_into_parent()
    return events


def _unschedule(view: StateView, deadline_ms: int, pid: int) -> None:
    """Drop the due entry itself (also when no proposal stands behind it, which would otherwise
    be read again at every step of every block) and the proposal's own deadline."""
    view.delete(keys.deadline(deadline_ms, pid))
    proposal = get_proposal(view, pid)
    if proposal is not None and proposal.deadline_ms:
        view.delete(keys.deadline(proposal.deadline_ms, pid))
        put_proposal(view, pid, proposal.with_(deadline_ms=0))


register_end_block("proposals", process_deadlines)
