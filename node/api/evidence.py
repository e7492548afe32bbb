"""`POST /v1/evidence {"evidence": ["<hex>", ...]}`: duplicate-vote evidence from anyone, such as
the `DuplicateVoteEvidence` bytes of a light client's fork report (`coterie light evidence FILE
--submit`). Each item goes to the node's evidence pool, which verifies it against the validator
set of its height and gossips it when it is new and valid; a block then records it and the
chain acts on it (docs/lightclient.md). The answer says, item by item, whether it was accepted
and if not why (undecodable, refused by the pool, or a node that takes no evidence over its API).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from aiohttp import web

from ledger.block import DuplicateVoteEvidence
from ledger.codec import MalformedError
from node.api.errors import ApiError, bad_request
from node.api.keys import CONTEXT
from node.wire import decode_evidence

MAX_ITEMS = 64
MAX_BODY_BYTES = 64 * 1024


async def post_evidence(request: web.Request) -> web.Response:
    ctx = request.app[CONTEXT]
    if request.content_type not in ("application/json", ""):
        raise ApiError(415, "unsupported_media_type", "send application/json")
    raw = await request.content.read(MAX_BODY_BYTES + 1)
    if len(raw) > MAX_BODY_BYTES:
        raise ApiError(413, "body_too_large", f"the body exceeds {MAX_BODY_BYTES} bytes")
    results = [_one(ctx.add_evidence, item) for item in _items(raw)]
    return web.json_response({"results": results})


def _one(add: Callable[[DuplicateVoteEvidence], bool] | None, item: str) -> dict[str, Any]:
    """One item's fate: accepted (new and valid), or why not."""
    try:
        evidence = decode_evidence(bytes.fromhex(item))
    except (ValueError, MalformedError) as exc:
        return {"hash": None, "accepted": False, "error": f"does not decode: {exc}"}
    if add is None:
        error: str | None = "this node takes no evidence over its API"
        accepted = False
    else:
        accepted = add(evidence)
        error = None if accepted else "refused by the pool (invalid, too old, or already known)"
    return {"hash": evidence.hash().hex(), "accepted": accepted, "error": error}


def _items(raw: bytes) -> list[str]:
    try:
        body: Any = json.loads(raw) if raw else None
    except ValueError:
        raise bad_request("invalid_json", "the body is not JSON") from None
    items = body.get("evidence") if isinstance(body, dict) else None
    if (
        not isinstance(items, list)
        or not 1 <= len(items) <= MAX_ITEMS
        or not all(isinstance(i, str) for i in items)
    ):
        raise bad_request(
            "invalid_body", f'the body must be {{"evidence": ["<hex>", ...]}}, 1 to {MAX_ITEMS}'
        )
    return items
