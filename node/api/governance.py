"""Proposals: their record, live tally while voting, deadlines, and a collective's list.

The live tally is the proposal's running tally, which the end-block hook reads at the deadline
(`ledger.governance.running`, `ledger.governance.lifecycle.close_voting`): ballots weighted by
snapshot power plus delegation, scored per the voting method. Secret ballots count only what has
been revealed so far.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from ledger.governance import keys as gov_keys
from ledger.governance.actions import Action
from ledger.governance.ballots import ballots
from ledger.governance.kinds import DecisionMethod, ProposalKind, VotingMethod
from ledger.governance.proposal import Proposal, Status, get_proposal
from ledger.governance.running import running_tally
from ledger.governance.signers import counted_approvals
from ledger.state.view import StateView
from node.api.collectives import parse_collective_id, require_collective
from node.api.context import ApiContext
from node.api.errors import ApiError
from node.api.keys import CONTEXT
from node.api.params import page_limit, parse_int, query_flag, query_int
from node.api.proofs import proof_bundle
from node.api.views import jsonable

BINARY_OPTIONS = ("yes", "no", "abstain", "veto")


def action_view(action: Action, hrp: str) -> dict[str, Any]:
    return {"tag": action.TAG.name, "kind": action.KIND.name, **jsonable(action, hrp)}


def live_tally(view: StateView, pid: int, proposal: Proposal, now_ms: int) -> dict[str, Any]:
    """What the tally would be if voting closed now (`now_ms`: the last block's time)."""
    policy = proposal.policy
    if policy is not None and policy.method is DecisionMethod.MULTISIG:
        count = counted_approvals(view, now_ms, pid, proposal)  # signers still in standing
        return {"approvals": count, "required_approvals": policy.required_approvals}
    counted = running_tally(view, pid, proposal)
    if proposal.method is VotingMethod.BINARY:
        options = dict(zip(BINARY_OPTIONS, counted.scores, strict=True))
    else:
        options = dict(zip(proposal.choices, counted.scores, strict=False))
    return {
        "options": options,
        "participation": counted.turnout,
        "total_power": proposal.total_power,
        "voters": counted.voters,
    }


def next_deadline(proposal: Proposal) -> tuple[str, int] | None:
    """The next thing that happens to a live proposal and when (ms since the epoch)."""
    status = proposal.status
    if status is Status.VOTING:
        return ("voting_ends", proposal.end_ms)
    if status is Status.GRACE:
        return ("grace_ends", proposal.grace_end_ms)
    if status in (Status.READY, Status.SUBMITTED) and proposal.expires_ms:
        return ("expires", proposal.expires_ms)
    return None


def record_view(pid: int, proposal: Proposal, hrp: str) -> dict[str, Any]:
    """Every field shown that follows from the proposal's record alone (a light client
    recomputes it from the proven record and compares it field by field)."""
    out: dict[str, Any] = {"id": pid, **jsonable(proposal, hrp)}
    out["kind"] = _kind_name(proposal.kind)
    out["kind_number"] = proposal.kind
    out["actions"] = [action_view(a, hrp) for a in proposal.actions]
    out["final"] = proposal.status.is_final
    deadline = next_deadline(proposal)
    out["next_deadline"] = None if deadline is None else {"what": deadline[0], "ms": deadline[1]}
    return out


def proposal_view(ctx: ApiContext, pid: int, proposal: Proposal) -> dict[str, Any]:
    view = StateView(ctx.store.state)
    out = record_view(pid, proposal, ctx.hrp)
    last = ctx.store.last_header
    now_ms = last.time_ms if last is not None else ctx.genesis.genesis_time_ms
    out["live_tally"] = (
        live_tally(view, pid, proposal, now_ms) if proposal.status is Status.VOTING else None
    )
    out["ballots_cast"] = len(ballots(view, pid))
    return out


def _kind_name(kind: int) -> str:
    try:
        return ProposalKind(kind).name
    except ValueError:
        return str(kind)


async def get_proposal_route(request: web.Request) -> web.Response:
    ctx = request.app[CONTEXT]
    pid = parse_int(request.match_info["id"], "proposal_id", 0, 10**19 - 1)
    proposal = get_proposal(StateView(ctx.store.state), pid)
    if proposal is None:
        raise ApiError(404, "not_found", f"no proposal {pid}")
    out = proposal_view(ctx, pid, proposal)
    if query_flag(request, "proof"):
        out["proof"] = proof_bundle(ctx, gov_keys.proposal(pid))
    return web.json_response(out)


def collective_proposals(ctx: ApiContext, cid: bytes, limit: int, before: int) -> list[int]:
    """Ids of the collective's proposals below `before`, newest first."""
    prefix = gov_keys.BY_COLLECTIVE + cid
    ids = [int.from_bytes(k[-8:], "big") for k, _ in ctx.store.state.iter_prefix(prefix)]
    return sorted((i for i in ids if i < before), reverse=True)[:limit]


async def list_collective_proposals(request: web.Request) -> web.Response:
    ctx = request.app[CONTEXT]
    cid = parse_collective_id(request.match_info["id"])
    require_collective(ctx, cid)
    limit = page_limit(request)
    before = query_int(request, "before", 2**64, 1, 2**64)
    view = StateView(ctx.store.state)
    items = []
    for pid in collective_proposals(ctx, cid, limit, before):
        proposal = get_proposal(view, pid)
        if proposal is not None:
            items.append(proposal_view(ctx, pid, proposal))
    next_before = items[-1]["id"] if len(items) == limit else None
    return web.json_response(
        {"collective": cid.hex(), "proposals": items, "next_before": next_before}
    )
