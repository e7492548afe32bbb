"""`/v1/ws`: WebSocket subscriptions to new blocks, committed txs by account, events by kind.

Protocol (JSON text frames; docs/api.md has examples):
- request `{"id": <any>, "method": "subscribe", "params": {"topic": "blocks"}}`, or topic "txs"
  with `"account": "<bech32m address>"`, or topic "events" with `"kind": "<event kind>"`;
  answer `{"id": <same>, "result": {"subscription": "<sub id>"}}`;
- `{"id": ..., "method": "unsubscribe", "params": {"subscription": "<sub id>"}}` and
  `{"id": ..., "method": "unsubscribe_all"}` answer `{"id": ..., "result": true}`;
- a bad request answers `{"id": ..., "error": {"code": "<name>", "message": "..."}}`;
- notifications: `{"subscription": "<sub id>", "topic": "<topic>", "result": {...}}`.

Each client has a bounded queue of committed blocks; a client that falls `QUEUE_BLOCKS` blocks
behind is dropped (close code 4008, "too slow") rather than slowing the node. Subscriptions die
with the connection. Frames are never compressed (no permessage-deflate is negotiated).
A committed block's material for each topic is built once and shared by every subscriber
(node/api/ws_fanout.py): a subscription costs its matches, not a walk over the block.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections import Counter
from dataclasses import dataclass
from typing import Any

from aiohttp import WSMsgType, hdrs, web
from yarl import URL

from ledger.keys import Address
from node.api.context import ApiContext
from node.api.errors import ApiError, error_response
from node.api.events import CommittedBlock
from node.api.keys import CONTEXT
from node.api.limits import ApiLimits, limits_of
from node.api.params import parse_address
from node.api.ws_fanout import fanout_of, notification_prefix
from node.netguard import upgrade_abandoned

log = logging.getLogger(__name__)

MAX_SUBSCRIPTIONS = 16
MAX_MESSAGE_BYTES = 4096
QUEUE_BLOCKS = 256
HEARTBEAT_S = 30.0
CLOSE_TOO_SLOW = 4008
TOO_MANY = b"too many notifications in one block: subscribe narrower, or read GET /v1/blocks"
TOPICS = ("blocks", "txs", "events")


class Sockets:
    """The open subscriber sockets of one app (to bound them and close them at shutdown)."""

    def __init__(self) -> None:
        self.open: set[web.WebSocketResponse] = set()
        self.by_address: Counter[str] = Counter()


def origin_allowed(request: web.Request) -> bool:
    """A browser names the page that opens a WebSocket in `Origin`, and does not apply the
    same-origin policy to WebSockets: a page on another site could subscribe through the
    visitor's browser. Only the API's own pages (the explorer: same host and port) and clients
    that send no Origin (wallets, scripts) are let in."""
    origin = request.headers.get(hdrs.ORIGIN)
    if origin is None:
        return True
    return URL(origin).authority == URL(f"http://{request.host}").authority


SOCKETS = web.AppKey("coterie_api_sockets", Sockets)


@dataclass(frozen=True, slots=True)
class Subscription:
    topic: str
    account: Address | None = None
    kind: str | None = None


class RequestError(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class Session:
    """One client's subscriptions; `notifications` turns a committed block into messages."""

    def __init__(self, ctx: ApiContext) -> None:
        self.ctx = ctx
        self.subs: dict[str, Subscription] = {}
        self._next = 0

    def handle(self, text: str) -> dict[str, Any]:
        try:
            request = json.loads(text)
        except (ValueError, RecursionError):  # deep nesting too: never a 500 in the socket
            return {"id": None, "error": {"code": "invalid_json", "message": "not JSON"}}
        req_id = request.get("id") if isinstance(request, dict) else None
        try:
            if not isinstance(request, dict):
                raise RequestError("invalid_request", "a request is a JSON object")
            return {"id": req_id, "result": self._dispatch(request)}
        except RequestError as exc:
            return {"id": req_id, "error": {"code": exc.code, "message": exc.message}}

    def _dispatch(self, request: dict[str, Any]) -> Any:
        method = request.get("method")
        params = request.get("params", {})
        if not isinstance(params, dict):
            raise RequestError("invalid_params", "params must be an object")
        if method == "subscribe":
            return {"subscription": self._subscribe(params)}
        if method == "unsubscribe":
            sub_id = params.get("subscription")
            if not isinstance(sub_id, str) or sub_id not in self.subs:
                raise RequestError("unknown_subscription", f"no subscription {sub_id!r}")
            del self.subs[sub_id]
            return True
        if method == "unsubscribe_all":
            self.subs.clear()
            return True
        raise RequestError("unknown_method", "method must be subscribe, unsubscribe or all")

    def _subscribe(self, params: dict[str, Any]) -> str:
        if len(self.subs) >= MAX_SUBSCRIPTIONS:
            raise RequestError("too_many_subscriptions", f"at most {MAX_SUBSCRIPTIONS}")
        topic = params.get("topic")
        if topic == "blocks":
            sub = Subscription("blocks")
        elif topic == "txs":
            text = params.get("account")
            if not isinstance(text, str):
                raise RequestError("invalid_params", "topic txs needs an account address")
            try:
                sub = Subscription("txs", account=parse_address(text, self.ctx.hrp))
            except ApiError as exc:
                raise RequestError(exc.code, exc.message) from None
        elif topic == "events":
            kind = params.get("kind")
            if not isinstance(kind, str) or not 0 < len(kind) <= 64:
                raise RequestError("invalid_params", "topic events needs an event kind")
            sub = Subscription("events", kind=kind)
        else:
            raise RequestError("unknown_topic", f"topic must be one of {', '.join(TOPICS)}")
        self._next += 1
        sub_id = f"s{self._next}"
        self.subs[sub_id] = sub
        return sub_id

    def notifications(self, item: CommittedBlock, limit: int) -> list[str] | None:
        """The JSON texts of this client's notifications of `item`, or None when there would be
        more than `limit`: each subscription costs its matches only, the block's indexes being
        built once for every subscriber (ws_fanout), and the count is known before any text."""
        fanout = fanout_of(item, self.ctx.hrp, self.ctx.events.index_builds)
        matched: list[tuple[str, str, list[str]]] = []
        count = 0
        for sub_id, sub in list(self.subs.items()):
            if sub.topic == "blocks":
                results = [fanout.block_json()]
            elif sub.topic == "txs" and sub.account is not None:
                results = fanout.txs_json(sub.account)
            elif sub.kind is not None:
                results = fanout.events_json(sub.kind)
            else:
                results = []
            count += len(results)
            if count > limit:
                return None
            if results:
                matched.append((sub_id, sub.topic, results))
        out: list[str] = []
        for sub_id, topic, results in matched:
            prefix = notification_prefix(sub_id, topic)
            out.extend("".join((prefix, text, "}")) for text in results)  # one copy
        return out


async def websocket(request: web.Request) -> web.StreamResponse:
    ctx = request.app[CONTEXT]
    registry = request.app[SOCKETS]
    sockets = registry.open
    address = request.remote or ""
    if not origin_allowed(request):
        return error_response(403, "origin_not_allowed", "cross-site WebSocket refused")
    limits = limits_of(request.app)
    if len(sockets) >= limits.max_websockets:
        message = f"at most {limits.max_websockets} subscribers"
        return error_response(503, "too_many_clients", message)
    if registry.by_address[address] >= limits.max_websockets_per_address:
        message = f"at most {limits.max_websockets_per_address} subscribers per address"
        return error_response(429, "too_many_clients", message)
    # compress=False: no permessage-deflate, whatever the client offers: deflating each block's
    # notification per subscriber would spend the loop on strangers' behalf, and inflating theirs
    # would let a small frame expand on the node
    ws = web.WebSocketResponse(
        heartbeat=HEARTBEAT_S, max_msg_size=MAX_MESSAGE_BYTES, compress=False
    )
    try:
        await ws.prepare(request)
    except ConnectionError:  # the client went away during the upgrade
        return upgrade_abandoned()
    sockets.add(ws)
    registry.by_address[address] += 1
    session = Session(ctx)
    queue = ctx.events.open_queue(QUEUE_BLOCKS)
    lock = asyncio.Lock()
    pump = asyncio.create_task(_pump(ws, session, queue, lock, limits=limits, sockets=sockets))
    try:
        async for msg in ws:
            if msg.type is WSMsgType.TEXT:
                reply = session.handle(msg.data)
            else:
                reply = {"id": None, "error": {"code": "invalid_frame", "message": "send text"}}
            async with lock:
                await ws.send_json(reply)
    except ConnectionError:
        pass  # the client went away while we wrote to it
    except Exception:
        # after the upgrade an HTTP 500 cannot be answered (it would be written into the
        # socket): a bug here is logged and the socket closed with 1011 instead
        log.exception("WebSocket subscriber handler failed")
        await ws.close(code=1011, message=b"internal error")
    finally:
        ctx.events.close_queue(queue)
        sockets.discard(ws)
        registry.by_address[address] -= 1
        if registry.by_address[address] <= 0:
            del registry.by_address[address]
        pump.cancel()
        await asyncio.gather(pump, return_exceptions=True)
    return ws


async def _pump(
    ws: web.WebSocketResponse,
    session: Session,
    queue: asyncio.Queue[CommittedBlock | None],
    lock: asyncio.Lock,
    *,
    limits: ApiLimits,
    sockets: set[web.WebSocketResponse],
) -> None:
    """Send each committed block's notifications; close the socket if the hub dropped us, or if
    one block would give this client more than its share (`ApiLimits.notifications_per_client`
    of the clients connected when its turn comes)."""
    while True:
        item = await queue.get()
        if item is None:
            log.info("closing a WebSocket subscriber that fell %d blocks behind", QUEUE_BLOCKS)
            await ws.close(code=CLOSE_TOO_SLOW, message=b"too slow: fell behind")
            return
        limit = limits.notifications_per_client(len(sockets))
        texts = session.notifications(item, limit)
        if texts is None:
            log.info("closing a WebSocket subscriber: more than %d notifications in a block", limit)
            await ws.close(code=CLOSE_TOO_SLOW, message=TOO_MANY)
            return
        for text in texts:
            async with lock:
                await ws.send_str(text)


async def close_all(app: web.Application) -> None:
    """On shutdown: close every subscriber, so the server stops at once."""
    for ws in list(app[SOCKETS].open):
        await ws.close(code=1001, message=b"server shutting down")
