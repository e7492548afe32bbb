"""The ranges of the limit keys of config.toml (`[api]`, `[p2p]`, `[p2p.budgets]`).

Every limit is an integer within a stated range: below the lower bound the node could not work
(a body cap under the largest submission, a HELLO deadline under a round trip), above the upper
bound the value is almost surely a unit mistake. docs/operating.md lists them.
"""

from __future__ import annotations

from node.api.limits import MAX_SUBMIT_BYTES

MILLION = 1_000_000

API_RANGES: dict[str, tuple[int, int]] = {
    "max_connections": (1, MILLION),
    "max_connections_per_address": (1, MILLION),
    "idle_timeout_s": (1, 3600),
    "max_requests_in_flight": (1, 100_000),
    "max_requests_per_address": (1, 100_000),
    # a chunked body reserves the largest msgpack batch: less would refuse every such request
    "max_body_bytes_in_flight": (MAX_SUBMIT_BYTES, 1 << 34),
    "max_json_body_bytes": (1024, MAX_SUBMIT_BYTES),
    "max_websockets": (1, 100_000),
    "max_websockets_per_address": (1, 100_000),
    "max_ws_notifications_per_block": (1, 1_000_000),
    "max_ws_notifications_per_block_all": (1, 10_000_000),
}
P2P_RANGES: dict[str, tuple[int, int]] = {
    "max_connections": (1, MILLION),
    "max_connections_per_address": (1, MILLION),
    "reserved_connections": (1, MILLION),
    "idle_timeout_s": (1, 3600),
    "max_pending_handshakes": (1, 100_000),
    "max_pending_per_address": (1, 100_000),
    "hello_timeout_ms": (100, 60_000),
    "handshake_timeout_ms": (500, 120_000),
    "heartbeat_ms": (1000, 120_000),
    "dial_backoff_max_ms": (500, 3_600_000),
    "dial_backoff_validator_max_ms": (500, 600_000),
}
API_LIMIT_KEYS = tuple(API_RANGES)
P2P_LIMIT_KEYS = tuple(P2P_RANGES)
