"""The node's HTTP API: REST under /v1, WebSocket subscriptions, OpenAPI, metrics and health.

The node builds one `ApiContext` and calls `add_routes(app, ctx)` on its aiohttp application (or
`create_app(ctx)` for an application of its own); docs/api.md describes every endpoint.
"""

from node.api.app import add_routes, create_app
from node.api.context import ApiContext, NodeStatus, SigningRecord, Submit
from node.api.errors import ApiError, error_middleware
from node.api.events import CommittedBlock, EventHub

__all__ = [
    "ApiContext",
    "ApiError",
    "CommittedBlock",
    "EventHub",
    "NodeStatus",
    "SigningRecord",
    "Submit",
    "add_routes",
    "create_app",
    "error_middleware",
]
