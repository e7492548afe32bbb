"""The API's routes on an aiohttp application: `add_routes` for the node's app, `create_app`
for a stand-alone one (tests, a read-only server)."""

from __future__ import annotations

from aiohttp import web

from node.api import status, txs
from node.api.context import ApiContext
from node.api.errors import error_middleware
from node.api.keys import CONTEXT

MAX_BODY_BYTES = txs.MAX_SUBMIT_BYTES


def add_routes(app: web.Application, ctx: ApiContext) -> None:
    """Mount the API on `app` (which must carry `error_middleware`, as `create_app`'s does)."""
    app[CONTEXT] = ctx
    app.router.add_post("/v1/txs", txs.submit_txs)
    app.router.add_get("/v1/txs/{hash}", txs.get_tx)
    app.router.add_get("/v1/status", status.get_status)


def create_app(ctx: ApiContext) -> web.Application:
    """An application serving the API, with the JSON error middleware and the body limit."""
    app = web.Application(middlewares=[error_middleware], client_max_size=MAX_BODY_BYTES)
    add_routes(app, ctx)
    return app
