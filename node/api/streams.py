"""Treasury streams: `GET /v1/streams/{id}`, the record a `stream_created` event names (its id is
a number, as the event shows it and `coterie stream claim` and `coterie query stream` take it),
and `GET /v1/collectives/{id}/streams`, the streams a collective pays."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from ledger.treasury import keys as treasury_keys
from ledger.treasury.streams import Stream, get_stream
from node.api.collectives import indexed_ids
from node.api.context import ApiContext
from node.api.errors import ApiError
from node.api.eventview import asset_text
from node.api.keys import CONTEXT
from node.api.params import parse_int, query_flag
from node.api.proofs import proof_bundle
from node.api.views import jsonable


def stream_view(ctx: ApiContext, stream_id: int, stream: Stream) -> dict[str, Any]:
    last = ctx.store.last_header
    now_ms = last.time_ms if last else ctx.genesis.genesis_time_ms
    return {
        "id": stream_id,
        "height": ctx.store.height,
        **jsonable(stream, ctx.hrp),
        "asset": asset_text(stream.asset.raw),
        "total": stream.total,
        "claimable": stream.claimable(now_ms),
        "claimable_at_ms": now_ms,
    }


async def get_stream_route(request: web.Request) -> web.Response:
    ctx = request.app[CONTEXT]
    stream_id = parse_int(request.match_info["id"], "stream_id", 0, 2**64 - 1)
    stream = get_stream(ctx.store.state, stream_id)
    if stream is None:
        raise ApiError(404, "not_found", f"no stream {stream_id}")
    out = stream_view(ctx, stream_id, stream)
    if query_flag(request, "proof"):
        out["proof"] = proof_bundle(ctx, treasury_keys.stream(stream_id))
    return web.json_response(out)


async def list_collective_streams(request: web.Request) -> web.Response:
    """The streams a collective's treasury pays (by stream id), so an id made at the end of a
    block, by a proposal's execution, can be found."""
    ctx = request.app[CONTEXT]
    cid, stream_ids = indexed_ids(request, treasury_keys.STREAMS_OF)
    state = ctx.store.state
    items = []
    for stream_id in stream_ids:
        stream = get_stream(state, stream_id)
        if stream is not None:
            items.append(stream_view(ctx, stream_id, stream))
    return web.json_response(
        {"collective": cid.hex(), "height": ctx.store.height, "streams": items}
    )
