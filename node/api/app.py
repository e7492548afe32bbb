"""The API's routes on an aiohttp application: `add_routes` for the node's app, `create_app`
for a stand-alone one (tests, a read-only server)."""

from __future__ import annotations

import logging

from aiohttp import web

from node.api import (
    accounts,
    blocks,
    chaininfo,
    collectives,
    economics,
    evidence,
    governance,
    health,
    lightclient,
    listings,
    openapi,
    proofs,
    search,
    splits,
    status,
    streams,
    txs,
    ws,
)
from node.api.context import ApiContext
from node.api.errors import error_middleware
from node.api.keys import CONTEXT
from node.api.limits import LIMITS, MAX_SUBMIT_BYTES, ApiLimits
from node.api.metrics import METRICS, ApiMetrics, get_metrics, metrics_middleware

log = logging.getLogger(__name__)

MAX_BODY_BYTES = MAX_SUBMIT_BYTES


def add_routes(app: web.Application, ctx: ApiContext) -> None:
    """Mount the API on `app` (before it starts), with its middlewares: request metrics
    outermost, then the JSON error shape. Request bodies are read with the API's own limit,
    whatever the app's `client_max_size`."""
    for middleware in (metrics_middleware, error_middleware):
        if middleware not in app.middlewares:
            app.middlewares.append(middleware)
    app[CONTEXT] = ctx
    app[METRICS] = ApiMetrics(ctx)
    app[accounts.KEYS] = accounts.KnownKeys()
    app[ws.SOCKETS] = ws.Sockets()
    app.on_shutdown.append(ws.close_all)
    r = app.router
    r.add_get("/v1/status", status.get_status)
    r.add_get("/v1/genesis", chaininfo.get_genesis)
    r.add_post("/v1/txs", txs.submit_txs)
    r.add_post("/v1/txs/check", txs.check_tx)
    r.add_get("/v1/txs/{hash}", txs.get_tx)
    r.add_get("/v1/blocks", blocks.list_blocks)
    r.add_get("/v1/blocks/by-hash/{hash}", blocks.get_block_by_hash)
    r.add_get("/v1/blocks/{height}", blocks.get_block)
    r.add_get("/v1/accounts/{address}", accounts.get_account)
    r.add_get("/v1/accounts/{address}/txs", accounts.get_account_txs)
    r.add_get("/v1/validators", chaininfo.get_validators)
    r.add_get("/v1/mempool", chaininfo.get_mempool)
    r.add_get("/v1/peers", chaininfo.get_peers)
    r.add_get("/v1/proofs/{key}", proofs.get_proof)
    r.add_post("/v1/proofs", lightclient.post_proofs)
    r.add_post("/v1/evidence", evidence.post_evidence)
    r.add_get("/v1/commits/{height}", lightclient.get_commit)
    r.add_get("/v1/validator-sets", lightclient.get_validator_sets)
    r.add_get("/v1/collectives", collectives.list_collectives)
    r.add_get("/v1/collectives/{id}", collectives.get_collective_route)
    r.add_get("/v1/collectives/{id}/proposals", governance.list_collective_proposals)
    r.add_get("/v1/collectives/{id}/splits", listings.list_collective_splits)
    r.add_get("/v1/collectives/{id}/content", listings.list_collective_content)
    r.add_get("/v1/collectives/{id}/streams", streams.list_collective_streams)
    r.add_get("/v1/collectives/{id}/rounds", economics.list_collective_rounds)
    r.add_get("/v1/collectives/{id}/standing/{address}", economics.get_standing_route)
    r.add_get("/v1/collectives/{id}/matchings", economics.list_collective_matchings)
    r.add_get("/v1/collectives/{id}/economics", economics.get_economics_route)
    r.add_get("/v1/rounds/{id}", economics.get_round_route)
    r.add_get("/v1/matchings/{id}", economics.get_matching_route)
    r.add_get("/v1/proposals/{id}", governance.get_proposal_route)
    r.add_get("/v1/splits/{id}", splits.get_split)
    r.add_get("/v1/splits/{id}/payouts", splits.get_split_payouts)
    r.add_get("/v1/content/{hash}", splits.get_content_route)
    r.add_get("/v1/streams/{id}", streams.get_stream_route)
    r.add_get("/v1/search", search.get_search)
    r.add_get("/v1/ws", ws.websocket)
    r.add_get("/v1/openapi.json", openapi.get_openapi)
    r.add_get("/metrics", get_metrics)
    for path, handler in (("/livez", health.livez), ("/readyz", health.readyz)):
        if _has_get(app, path):
            log.info("%s is already served by the node's application; not mounting the API's", path)
        else:
            r.add_get(path, handler)


def _has_get(app: web.Application, path: str) -> bool:
    return any(
        route.method == "GET" and route.resource is not None and route.resource.canonical == path
        for route in app.router.routes()
    )


def create_app(ctx: ApiContext, limits: ApiLimits | None = None) -> web.Application:
    """An application serving the API, with the JSON error middleware and the body limit."""
    app = web.Application(client_max_size=MAX_BODY_BYTES)
    if limits is not None:
        app[LIMITS] = limits
    add_routes(app, ctx)
    return app
