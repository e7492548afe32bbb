"""What belongs to a collective beyond its own record: the revenue splits it owns or is paid by,
and the content anchored in it (the explorer's collective page reads both).

Both come from the ledger's own indexes (splits by owner and by recipient, content by
collective), so a listing costs one prefix scan, bounded by the ledger's query cap.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from ledger.content.store import content_in_collective, get_content, latest_moderation
from ledger.splits import keys as split_keys
from ledger.splits.parties import Party, PartyKind
from ledger.splits.records import SplitLedger
from ledger.splits.store import find_config, splits_owned_by, splits_paying
from node.api.collectives import parse_collective_id, require_collective
from node.api.keys import CONTEXT
from node.api.params import page_limit
from node.api.splits import decision_view, party_view
from node.api.views import jsonable


async def list_collective_splits(request: web.Request) -> web.Response:
    """Splits whose owner is the collective or that pay its treasury, in split id order."""
    ctx = request.app[CONTEXT]
    cid = parse_collective_id(request.match_info["id"])
    require_collective(ctx, cid)
    state = ctx.store.state
    party = Party(PartyKind.COLLECTIVE, cid)
    roles: dict[bytes, list[str]] = {}
    for split_id in splits_owned_by(state, party):
        roles.setdefault(split_id, []).append("owner")
    for split_id in splits_paying(state, party):
        roles.setdefault(split_id, []).append("recipient")
    items: list[dict[str, Any]] = []
    for split_id in sorted(roles):
        config = find_config(state, split_id)
        if config is None:
            continue
        raw_ledger = state.get(split_keys.ledger(split_id))
        items.append(
            {
                "id": split_id.hex(),
                "roles": roles[split_id],
                "owner": party_view(config.owner, ctx.hrp) if config.owner else None,
                "recipients": len(config.terms.recipients),
                "mode": config.terms.mode.name,
                "balance": SplitLedger.decode(raw_ledger).balance if raw_ledger else 0,
                "created_height": config.created_height,
            }
        )
    return web.json_response({"collective": cid.hex(), "height": ctx.store.height, "splits": items})


async def list_collective_content(request: web.Request) -> web.Response:
    """Content anchored in the collective (content hash order), each with its latest
    moderation decision."""
    ctx = request.app[CONTEXT]
    cid = parse_collective_id(request.match_info["id"])
    require_collective(ctx, cid)
    limit = page_limit(request)
    state = ctx.store.state
    hrp = ctx.hrp
    items: list[dict[str, Any]] = []
    for content_hash in content_in_collective(state, cid, limit):
        record = get_content(state, content_hash)
        if record is None:
            continue
        latest = latest_moderation(state, content_hash)
        items.append(
            {
                "hash": content_hash.hex(),
                **jsonable(record, hrp),
                "moderation": decision_view(latest, hrp) if latest else None,
            }
        )
    return web.json_response(
        {"collective": cid.hex(), "height": ctx.store.height, "content": items}
    )
