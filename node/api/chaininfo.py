"""The validator set, the mempool's statistics, the peers and the chain's genesis."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from consensus.validators import ValidatorSet
from ledger.codec import MalformedError
from ledger.state import keys
from ledger.state.validators import active_validators
from ledger.state.view import StateView
from node.api.context import ApiContext
from node.api.keys import CONTEXT
from node.api.params import query_flag
from node.api.proofs import proof_bundle
from node.api.views import jsonable

VALIDATOR_SET_KEY = keys.chain_meta(b"validator_set")
"""Where the node's chain keeps the set (with proposer priorities) that signs the next block."""


def _consensus_set(ctx: ApiContext) -> ValidatorSet | None:
    data = ctx.store.state.get(VALIDATOR_SET_KEY)
    if data is None:
        return None
    try:
        return ValidatorSet.decode(data)
    except (MalformedError, ValueError):
        return None


def validators_view(ctx: ApiContext) -> dict[str, Any]:
    hrp = ctx.hrp
    signing = ctx.signing()
    rotation = _consensus_set(ctx)
    items = []
    for address, record in active_validators(StateView(ctx.store.state)):
        entry = rotation.get(address) if rotation else None
        counters = signing.get(address.raw)
        items.append(
            {
                "address": address.to_text(hrp),
                "name": record.name,
                "public_key": record.public_key.hex(),
                "node_key": record.node_key.hex() if record.node_key else None,
                "power": record.power,
                "proposer_priority": entry.priority if entry else None,
                "last_signed_height": counters.last_signed_height if counters else None,
                "missed_blocks": counters.missed_blocks if counters else None,
            }
        )
    return {
        "height": ctx.store.height,
        "total_power": sum(v["power"] for v in items),
        "validators_hash": rotation.hash().hex() if rotation else None,
        "validators": items,
    }


async def get_validators(request: web.Request) -> web.Response:
    ctx = request.app[CONTEXT]
    view = validators_view(ctx)
    if query_flag(request, "proof"):
        view["proof"] = proof_bundle(ctx, VALIDATOR_SET_KEY)
    return web.json_response(view)


async def get_mempool(request: web.Request) -> web.Response:
    ctx = request.app[CONTEXT]
    stats = ctx.mempool.stats()
    limits = ctx.mempool.limits
    return web.json_response(
        {
            "txs": stats.txs,
            "bytes": stats.bytes,
            "ready": stats.ready,
            "future": stats.future,
            "senders": stats.senders,
            "admitted_total": stats.admitted_total,
            "evicted_total": stats.evicted_total,
            "included_total": stats.included_total,
            "verified_total": stats.verified_total,
            "verify_cache_hits": stats.verify_cache_hits,
            "rejected_total": {code.name: n for code, n in sorted(stats.rejected_total.items())},
            "limits": jsonable(limits, ctx.hrp),
        }
    )


async def get_peers(request: web.Request) -> web.Response:
    """The connected peers as the P2P layer reports them (empty on a node without peers)."""
    ctx = request.app[CONTEXT]
    peers = ctx.peers()
    return web.json_response({"count": len(peers), "peers": peers})


async def get_genesis(request: web.Request) -> web.Response:
    ctx = request.app[CONTEXT]
    view = ctx.genesis.to_json()
    return web.json_response({"genesis_hash": ctx.store.genesis_hash.hex(), "genesis": view})
