"""Economics reads (issue 22): `GET /v1/rounds/{id}`, a curation round with its live weights
(what each recipient would be paid if the round closed now, exactly as the close computes it),
`GET /v1/collectives/{id}/rounds`, a collective's rounds,
`GET /v1/matchings/{id}`, a matching round with each initiative's contributions and the match it
would draw now, `GET /v1/collectives/{id}/matchings`, a collective's matching rounds,
`GET /v1/collectives/{id}/standing/{address}`, a member's standing now (and the voting weight it
would add to a vote opening now), and `GET /v1/collectives/{id}/economics`, the collective's
reputation policy and its reward schedule."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from ledger.economics import keys as economics_keys
from ledger.economics.close import counted_endorsements
from ledger.economics.curation import payouts
from ledger.economics.matching import MatchingRound, MatchingStatus, get_matching, totals
from ledger.economics.quadratic import match_weight, matches
from ledger.economics.reputation import MICRO, get_policy, get_standing, standing_micro
from ledger.economics.reward_schedule import get_schedule
from ledger.economics.rounds import Round, RoundStatus, get_round
from ledger.economics.vote_weight import bonus_for
from ledger.keys import Address
from ledger.state.view import StateView
from node.api.collectives import indexed_ids, parse_collective_id, require_collective
from node.api.context import ApiContext
from node.api.errors import ApiError
from node.api.keys import CONTEXT
from node.api.params import parse_address, parse_int
from node.api.views import jsonable


def _now(ctx: ApiContext) -> int:
    last = ctx.store.last_header
    return last.time_ms if last else ctx.genesis.genesis_time_ms


def round_view(ctx: ApiContext, round_id: int, record: Round) -> dict[str, Any]:
    view = StateView(ctx.store.state)
    now = _now(ctx)
    out: dict[str, Any] = {
        "id": round_id,
        "height": ctx.store.height,
        **jsonable(record, ctx.hrp),
        "open": record.status is RoundStatus.OPEN and now < record.end_ms,
    }
    if record.status is RoundStatus.OPEN:
        rows = counted_endorsements(view, round_id, record, now)
        terms = record.terms
        out["live"] = [
            {"to": Address(who).to_text(ctx.hrp), "amount": amount}
            for who, amount in payouts(terms.budget, rows, terms.curator_ppm, terms.early)
        ]
    else:
        out["live"] = []
    return out


async def get_round_route(request: web.Request) -> web.Response:
    ctx = request.app[CONTEXT]
    round_id = parse_int(request.match_info["id"], "round_id", 0, 2**64 - 1)
    record = get_round(ctx.store.state, round_id)
    if record is None:
        raise ApiError(404, "not_found", f"no round {round_id}")
    return web.json_response(round_view(ctx, round_id, record))


async def list_collective_rounds(request: web.Request) -> web.Response:
    ctx = request.app[CONTEXT]
    cid, round_ids = indexed_ids(request, economics_keys.ROUNDS_OF)
    state = ctx.store.state
    items = []
    for round_id in round_ids:
        record = get_round(state, round_id)
        if record is not None:
            items.append(round_view(ctx, round_id, record))
    return web.json_response({"collective": cid.hex(), "height": ctx.store.height, "rounds": items})


async def get_standing_route(request: web.Request) -> web.Response:
    ctx = request.app[CONTEXT]
    cid = parse_collective_id(request.match_info["id"])
    require_collective(ctx, cid)
    who = parse_address(request.match_info["address"], ctx.hrp)
    state = ctx.store.state
    now = _now(ctx)
    micro = standing_micro(state, cid, who, now)
    policy = get_policy(state, cid)
    stored = get_standing(state, cid, who)
    return web.json_response(
        {
            "collective": cid.hex(),
            "member": who.to_text(ctx.hrp),
            "height": ctx.store.height,
            "at_ms": now,
            "points": micro // MICRO,
            "micro_points": micro,
            "last_act_ms": stored.as_of_ms,
            "vote_bonus": 0 if policy is None else bonus_for(policy, micro),
            "policy": None if policy is None else jsonable(policy, ctx.hrp),
        }
    )


async def get_economics_route(request: web.Request) -> web.Response:
    ctx = request.app[CONTEXT]
    cid = parse_collective_id(request.match_info["id"])
    require_collective(ctx, cid)
    state = ctx.store.state
    policy = get_policy(state, cid)
    schedule = get_schedule(state, cid)
    return web.json_response(
        {
            "collective": cid.hex(),
            "height": ctx.store.height,
            "at_ms": _now(ctx),
            "policy": None if policy is None else jsonable(policy, ctx.hrp),
            "reward_schedule": None if schedule is None else jsonable(schedule, ctx.hrp),
        }
    )


def matching_view(ctx: ApiContext, round_id: int, record: MatchingRound) -> dict[str, Any]:
    state = ctx.store.state
    terms = record.terms
    given = totals(state, round_id, len(terms.initiatives))
    live, rest = matches(terms.pool, [match_weight(g) for g in given], terms.cap)
    is_open = record.status is MatchingStatus.OPEN
    initiatives = [
        {
            "index": i,
            "party": jsonable(initiative.party, ctx.hrp),
            "purpose": initiative.purpose,
            "contributors": len(g),
            "contributed": sum(g),
            "match_now": m if is_open else 0,
        }
        for i, (initiative, g, m) in enumerate(zip(terms.initiatives, given, live, strict=True))
    ]
    return {
        "id": round_id,
        "height": ctx.store.height,
        "collective": record.collective.hex(),
        "proposal_id": record.proposal_id,
        "pool": terms.pool,
        "cap": terms.cap,
        "start_ms": record.start_ms,
        "end_ms": record.end_ms,
        "status": record.status.name,
        "matched": record.matched,
        "unmatched_now": rest if is_open else 0,
        "initiatives": initiatives,
    }


async def get_matching_route(request: web.Request) -> web.Response:
    ctx = request.app[CONTEXT]
    round_id = parse_int(request.match_info["id"], "matching_id", 0, 2**64 - 1)
    record = get_matching(ctx.store.state, round_id)
    if record is None:
        raise ApiError(404, "not_found", f"no matching round {round_id}")
    return web.json_response(matching_view(ctx, round_id, record))


async def list_collective_matchings(request: web.Request) -> web.Response:
    ctx = request.app[CONTEXT]
    cid, round_ids = indexed_ids(request, economics_keys.MATCHINGS_OF)
    items = []
    for round_id in round_ids:
        record = get_matching(ctx.store.state, round_id)
        if record is not None:
            items.append(matching_view(ctx, round_id, record))
    body = {"collective": cid.hex(), "height": ctx.store.height, "matchings": items}
    return web.json_response(body)
