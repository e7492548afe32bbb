"""The node's API application: its request gate and limits, the routes hook, its own probes.

`api_application` builds the aiohttp application the node serves on its API port: every request
passes the `RequestGate` ([api] caps on requests and body bytes in flight), the handlers read
their `ApiLimits`, `mount` adds whatever the node's `api_routes` hook serves
(`node.api.adapter.mount`: the whole API), and `/livez` and `/readyz` are the node's own minimal
ones when the hook does not serve them. The node (node/service.py) binds it in `start`.
"""

from __future__ import annotations

from collections.abc import Callable

from aiohttp import web

from node.api.gate import RequestGate, RequestLimits
from node.api.limits import LIMITS, ApiLimits
from node.config import ApiConfig

CLIENT_MAX_SIZE = 8 * 1024 * 1024


def api_application(
    api: ApiConfig,
    mount: Callable[[web.Application], None],
    ready: Callable[[], tuple[bool, str]],
) -> tuple[web.Application, RequestGate]:
    """The API application and its gate; `ready()` answers the fallback /readyz."""
    gate = RequestGate(
        RequestLimits(
            api.max_requests_in_flight,
            api.max_requests_per_address,
            api.max_body_bytes_in_flight,
        )
    )
    app = web.Application(client_max_size=CLIENT_MAX_SIZE, middlewares=[gate.middleware])
    app[LIMITS] = ApiLimits(
        api.max_json_body_bytes,
        api.max_websockets,
        api.max_websockets_per_address,
        api.max_ws_notifications_per_block,
        api.max_ws_notifications_per_block_all,
    )
    mount(app)

    async def livez(_request: web.Request) -> web.Response:
        return web.json_response({"status": "alive"})

    async def readyz(_request: web.Request) -> web.Response:
        ok, reason = ready()
        return web.json_response({"ready": ok, "reason": reason}, status=200 if ok else 503)

    served = {r.resource.canonical for r in app.router.routes() if r.resource}
    if "/livez" not in served:
        app.router.add_get("/livez", livez)
    if "/readyz" not in served:
        app.router.add_get("/readyz", readyz)
    return app, gate
