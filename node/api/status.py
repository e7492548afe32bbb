"""`GET /v1/status`: where the chain is and what this node is doing, in one small object."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from node.api.context import ApiContext
from node.api.keys import CONTEXT

NATIVE_COIN = "COT"
"""The native coin's name, for wallets' summaries (amounts are integers of its smallest unit)."""


def status_view(ctx: ApiContext) -> dict[str, Any]:
    store = ctx.store
    node = ctx.status()
    hrp = ctx.hrp
    last = store.last_header  # cached by the store: never decode a block per status request
    return {
        "chain_id": ctx.genesis.chain_id,
        "genesis_hash": store.genesis_hash.hex(),
        "address_prefix": hrp,
        "native_coin": NATIVE_COIN,
        "version": ctx.version,
        "moniker": node.moniker,
        "node_id": node.node_id.hex() if node.node_id else None,
        "validator": node.validator.to_text(hrp) if node.validator else None,
        "latest_height": store.height,
        "earliest_height": store.base_height,
        "latest_block_hash": store.last_block_hash.hex() if store.last_block_hash else None,
        "latest_block_time_ms": last.time_ms if last else ctx.genesis.genesis_time_ms,
        "state_root": store.state_root.hex(),
        "consensus": {"height": node.consensus_height, "round": node.round, "step": node.step},
        "syncing": node.syncing,
        "sync_target_height": node.sync_target_height,
        "peers": node.peers,
        "mempool": {"txs": len(ctx.mempool), "bytes": ctx.mempool.stats().bytes},
    }


async def get_status(request: web.Request) -> web.Response:
    return web.json_response(status_view(request.app[CONTEXT]))
