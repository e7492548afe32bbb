"""Collectives: the record, members with their holdings and claimable holder payouts, token
supply, treasury, holder payout pools and policies."""

from __future__ import annotations

from itertools import islice
from typing import Any

from aiohttp import web

from ledger.collectives import keys as col_keys
from ledger.collectives import payouts
from ledger.collectives.holdings import holdings_of, supply
from ledger.collectives.ids import COLLECTIVE_ID_LEN, Asset
from ledger.collectives.model import Collective
from ledger.collectives.roster import member_count
from ledger.collectives.store import get_collective, iter_members
from ledger.collectives.treasury import balances
from ledger.errors import TxError
from ledger.governance.kinds import ProposalKind
from ledger.governance.policy import policy_for
from ledger.state.view import StateView
from node.api.context import ApiContext
from node.api.errors import ApiError
from node.api.eventview import asset_text
from node.api.keys import CONTEXT
from node.api.params import page_limit, parse_hex, query_flag
from node.api.proofs import proof_bundle
from node.api.views import jsonable

MAX_MEMBERS_LISTED = 1000


def parse_collective_id(text: str) -> bytes:
    return parse_hex(text, "collective_id", COLLECTIVE_ID_LEN)


def require_collective(ctx: ApiContext, cid: bytes) -> Collective:
    collective = get_collective(StateView(ctx.store.state), cid)
    if collective is None:
        raise ApiError(404, "not_found", f"no collective {cid.hex()}")
    return collective


def indexed_ids(request: web.Request, index: bytes) -> tuple[bytes, list[int]]:
    """The collective the path's {id} names (404 when there is none) and the first page of the
    ids its ledger index lists under `index` + the collective id (big-endian), in key order."""
    ctx = request.app[CONTEXT]
    cid = parse_collective_id(request.match_info["id"])
    require_collective(ctx, cid)
    prefix = index + cid
    entries = islice(ctx.store.state.iter_prefix(prefix), page_limit(request))
    return cid, [int.from_bytes(key[len(prefix) :], "big") for key, _ in entries]


def collective_view(ctx: ApiContext, cid: bytes, collective: Collective) -> dict[str, Any]:
    hrp = ctx.hrp
    view = StateView(ctx.store.state)
    class_names = [c.name for c in collective.classes]
    members = []
    for address, member in islice(iter_members(view, cid), MAX_MEMBERS_LISTED):
        amounts = holdings_of(view, cid, collective, address)
        members.append(
            {
                "address": address.to_text(hrp),
                **jsonable(member, hrp),
                "holdings": dict(zip(class_names, amounts, strict=True)),
                "claimable": [
                    {"class": i, **_asset_view(asset), "amount": amount}
                    for i, held in enumerate(amounts)
                    for asset, amount in payouts.owed(view, Asset(cid, i), address, held)
                ],
            }
        )
    count = member_count(view, cid)
    return {
        "id": cid.hex(),
        **jsonable(collective, hrp),
        "height": ctx.store.height,
        "member_count": count,
        "members": members,
        "members_truncated": count > len(members),
        "supply": [
            {"class": i, "name": c.name, "kind": c.kind.name, "supply": supply(view, cid, i)}
            for i, c in enumerate(collective.classes)
        ],
        "treasury": [
            {
                "asset": asset_text(asset.raw),
                "collective": asset.collective.hex() or None,
                "token_class": None if asset.is_native else asset.token_class,
                "amount": amount,
            }
            for asset, amount in balances(view, cid)
        ],
        "holder_pools": [
            {"class": i, **_asset_view(asset), "unclaimed": pool.balance}
            for i in range(len(collective.classes))
            for asset, pool in payouts.pools(view, Asset(cid, i))
        ],
        "policies": _policies(view, cid, hrp),
    }


def _asset_view(asset: Asset) -> dict[str, Any]:
    """The paid asset as every `--asset` option takes it (`native` or `COLLECTIVE/CLASS`)."""
    return {"asset": asset_text(asset.raw)}


def _policies(view: StateView, cid: bytes, hrp: str) -> list[dict[str, Any]]:
    out = []
    for kind in ProposalKind:
        try:
            policy = policy_for(view, cid, kind)
        except TxError:
            continue  # a reserved kind without a default policy yet
        override = view.get(col_keys.policy(cid, kind)) is not None
        out.append({"kind": kind.name, "override": override, "policy": jsonable(policy, hrp)})
    return out


async def get_collective_route(request: web.Request) -> web.Response:
    ctx = request.app[CONTEXT]
    cid = parse_collective_id(request.match_info["id"])
    collective = require_collective(ctx, cid)
    out = collective_view(ctx, cid, collective)
    if query_flag(request, "proof"):
        out["proof"] = proof_bundle(ctx, col_keys.collective(cid))
    return web.json_response(out)


async def list_collectives(request: web.Request) -> web.Response:
    """Every collective's id and name (small chains hold few), in id order."""
    ctx = request.app[CONTEXT]
    items = []
    for key, value in islice(ctx.store.state.iter_prefix(col_keys.COLLECTIVE), 1000):
        collective = Collective.decode(value)
        items.append(
            {
                "id": key[len(col_keys.COLLECTIVE) :].hex(),
                "name": collective.name,
                "created_height": collective.created_height,
            }
        )
    return web.json_response({"collectives": items})
