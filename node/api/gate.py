"""The API's admission gate: how many requests run at once, and how many body bytes they read.

A request is counted from the moment aiohttp hands it to the application until its handler
returns; WebSocket upgrades are not (they live for hours and have their own caps, node/api/ws.py).
Before a handler runs, the gate reserves the body the request may read: its `Content-Length`, or
the largest body the API accepts (`MAX_SUBMIT_BYTES`) when the length is not given (chunked). So
at any moment the bodies being read or held by handlers take at most `max_body_bytes_in_flight`,
whatever clients send (issue 14: 20 concurrent 15 MB JSON bodies took a node from 75 to 589 MB).

Refusals are immediate, before a byte of the body is read: 429 `too_many_requests` when one
address has `max_requests_per_address` requests running, 503 `busy` when the whole node has
`max_requests_in_flight` or no room for the body; both with `Retry-After: 1`. Per-type body caps
(`node/api/txs.py`: JSON well below msgpack) apply inside the handlers.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from aiohttp import hdrs, web

from node.api.errors import error_response
from node.api.limits import MAX_SUBMIT_BYTES

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass(frozen=True, slots=True)
class RequestLimits:
    max_requests_in_flight: int = 64
    max_requests_per_address: int = 8
    max_body_bytes_in_flight: int = 48 * 1024 * 1024


@dataclass(slots=True)
class RequestGate:
    limits: RequestLimits = field(default_factory=RequestLimits)
    in_flight: int = 0
    body_bytes: int = 0
    refused: int = 0
    _by_address: Counter[str] = field(default_factory=Counter)

    def _body_reservation(self, request: web.Request) -> int:
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return 0
        length = request.content_length
        return MAX_SUBMIT_BYTES if length is None else min(length, MAX_SUBMIT_BYTES + 1)

    @web.middleware
    async def middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        if request.headers.get(hdrs.UPGRADE, "").lower() == "websocket":
            return await handler(request)
        address = request.remote or ""
        limits = self.limits
        body = self._body_reservation(request)
        if self._by_address[address] >= limits.max_requests_per_address:
            return self._refuse(429, "too_many_requests", "too many requests from this address")
        if self.in_flight >= limits.max_requests_in_flight:
            return self._refuse(503, "busy", "the node is serving too many requests")
        if self.body_bytes + body > limits.max_body_bytes_in_flight:
            return self._refuse(503, "busy", "the node is reading too many request bodies")
        self.in_flight += 1
        self.body_bytes += body
        self._by_address[address] += 1
        try:
            return await handler(request)
        finally:
            self.in_flight -= 1
            self.body_bytes -= body
            self._by_address[address] -= 1
            if self._by_address[address] <= 0:
                del self._by_address[address]

    def _refuse(self, status: int, code: str, message: str) -> web.Response:
        self.refused += 1
        response = error_response(status, code, message)
        response.headers[hdrs.RETRY_AFTER] = "1"
        return response
