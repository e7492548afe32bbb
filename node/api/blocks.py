"""Blocks: recent summaries, one block by height (or `latest`) or by hash, JSON or raw msgpack.

A block's JSON carries its commit certificate (`commit`: the 2/3+ precommits for it), which the
chain otherwise only stores inside the next block as `last_commit`.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from ledger.store import BlockHead
from node.api.context import ApiContext
from node.api.errors import ApiError, bad_request
from node.api.keys import CONTEXT
from node.api.params import (
    msgpack_response,
    page_limit,
    parse_hash,
    parse_int,
    query_int,
    wants_msgpack,
)
from node.api.pruned import check_kept
from node.api.views import block_outline_view, block_view, commit_view

MAX_HEIGHT = 2**63 - 1
MAX_HEIGHT_TEXT = 10**19 - 1  # any 19-digit height parses (and is not found)


def summary(head: BlockHead, hrp: str) -> dict[str, Any]:
    h = head.header
    return {
        "height": h.height,
        "hash": h.hash().hex(),
        "time_ms": h.time_ms,
        "proposer": h.proposer.to_text(hrp),
        "tx_count": head.tx_count,
        "evidence_count": head.evidence_count,
        "state_root": h.state_root.hex(),
    }


async def list_blocks(request: web.Request) -> web.Response:
    """Newest first; `before` is exclusive (pass the last height of a page for the next)."""
    ctx = request.app[CONTEXT]
    limit = page_limit(request)
    top = ctx.store.height
    before = query_int(request, "before", top + 1, 1, MAX_HEIGHT)
    start = min(before - 1, top)
    heights = range(start, max(start - limit, 0), -1)
    items = [summary(b, ctx.hrp) for b in (ctx.store.block_head(h) for h in heights) if b]
    next_before = (
        items[-1]["height"] if items and items[-1]["height"] > ctx.store.base_height else None
    )
    return web.json_response({"latest_height": top, "blocks": items, "next_before": next_before})


def _height(ctx: ApiContext, text: str) -> int:
    if text == "latest":
        if ctx.store.height == 0:
            raise ApiError(404, "not_found", "no block has been committed yet")
        return ctx.store.height
    height = parse_int(text, "height", 0, MAX_HEIGHT_TEXT)
    if height == 0:
        raise ApiError(404, "not_found", "no block at height 0: the first block is height 1")
    check_kept(ctx, height)
    return height


def _answer(request: web.Request, ctx: ApiContext, height: int) -> web.Response:
    txs_mode = request.query.get("txs", "full")
    if txs_mode not in ("full", "hashes"):
        raise bad_request("invalid_txs", "txs must be full or hashes")
    if wants_msgpack(request):
        data = ctx.store.block_bytes(height)
        if data is None:
            raise ApiError(404, "not_found", f"no block at height {height}")
        return msgpack_response(data)
    if txs_mode == "hashes":  # no tx decoded: the hashes are of the stored bytes
        outline = ctx.store.block_outline(height)
        view = None if outline is None else block_outline_view(outline, ctx.hrp)
    else:
        block = ctx.store.block(height)
        view = None if block is None else block_view(block, ctx.hrp)
    if view is None:
        raise ApiError(
            404, "not_found", f"no block at height {height} (latest is {ctx.store.height})"
        )
    commit = ctx.store.commit(height)
    view["commit"] = commit_view(commit, ctx.hrp) if commit else None
    return web.json_response(view)


async def get_block(request: web.Request) -> web.Response:
    ctx = request.app[CONTEXT]
    return _answer(request, ctx, _height(ctx, request.match_info["height"]))


async def get_block_by_hash(request: web.Request) -> web.Response:
    ctx = request.app[CONTEXT]
    block_hash = parse_hash(request.match_info["hash"], "block_hash")
    height = ctx.store.height_of(block_hash)
    if height is None:
        raise ApiError(404, "not_found", f"no block with hash {block_hash.hex()}")
    return _answer(request, ctx, height)
