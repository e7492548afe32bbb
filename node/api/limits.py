"""The API's per-request and WebSocket limits that handlers read (config.toml `[api]`).

Set on the application under `LIMITS` by the node before it mounts the API; an application
without them (a test, a read-only server) gets the defaults.
"""

from __future__ import annotations

from dataclasses import dataclass

from aiohttp import web

MAX_SUBMIT_BYTES = 16 * 1024 * 1024  # msgpack: 10,000 txs of up to 1.6 KB
DEFAULT_JSON_BODY_BYTES = 4 * 1024 * 1024  # JSON: hex doubles a tx, and parsing costs far more


@dataclass(frozen=True, slots=True)
class ApiLimits:
    max_json_body_bytes: int = DEFAULT_JSON_BODY_BYTES
    """Largest JSON tx submission body; msgpack keeps `MAX_SUBMIT_BYTES`."""
    max_websockets: int = 100
    """WebSocket subscribers at once (CometBFT's 100)."""
    max_websockets_per_address: int = 8
    """WebSocket subscribers from one remote address."""
    max_ws_notifications_per_block: int = 1000
    """Notifications one WebSocket client may get of one block; past it the client is closed as
    one that fell behind (a subscription to an event every tx emits would otherwise cost a
    notification per tx per subscriber on the loop)."""
    max_ws_notifications_per_block_all: int = 20_000
    """Notifications of one block to every WebSocket client together: with n clients connected,
    each may get at most this // n of a block (and `max_ws_notifications_per_block`). 100 clients
    at 1,000 each cost the loop about half a second per block; an equal share bounds the whole
    without letting early clients starve late ones."""

    def notifications_per_client(self, clients: int) -> int:
        """What one client may get of a block while `clients` are connected (at least 1)."""
        return max(
            1,
            min(
                self.max_ws_notifications_per_block,
                self.max_ws_notifications_per_block_all // max(1, clients),
            ),
        )


LIMITS = web.AppKey("coterie_api_limits", ApiLimits)


def limits_of(app: web.Application) -> ApiLimits:
    return app.get(LIMITS) or ApiLimits()
