"""`GET /v1/search?q=`: what a height, hash, address or id names on this chain.

One request answers every guess at once (a 64-hex string may be a tx, a block, content or a
split), so a client such as the explorer never probes endpoints for 404s. Matches come in a
fixed order: tx, block, content, split for a hash; a query that names nothing answers an empty
list (200), not a 404.
"""

from __future__ import annotations

import re
from typing import Any

from aiohttp import web

from ledger.bech32m import AddressError
from ledger.collectives.ids import COLLECTIVE_ID_LEN
from ledger.collectives.store import get_collective
from ledger.content.store import get_content
from ledger.governance.proposal import get_proposal
from ledger.keys import Address
from ledger.splits.store import find_config
from ledger.state.view import StateView
from node.api.context import ApiContext
from node.api.errors import bad_request
from node.api.keys import CONTEXT

MAX_QUERY_LEN = 128
_HEX = re.compile(r"^(?:0x)?([0-9a-f]+)$")
_PROPOSAL = re.compile(r"^(?:p|proposal\s*#?\s*|#)(\d{1,19})$")


def _hex_matches(ctx: ApiContext, raw: bytes) -> list[dict[str, Any]]:
    state = ctx.store.state
    out: list[dict[str, Any]] = []
    if len(raw) == 32:
        if ctx.store.tx(raw) is not None:
            out.append({"kind": "tx", "id": raw.hex(), "status": "committed"})
        elif ctx.mempool.get(raw) is not None:
            out.append({"kind": "tx", "id": raw.hex(), "status": "pending"})
        height = ctx.store.height_of(raw)
        if height is not None:
            out.append({"kind": "block", "id": raw.hex(), "height": height})
        if get_content(state, raw) is not None:
            out.append({"kind": "content", "id": raw.hex()})
        if find_config(state, raw) is not None:
            out.append({"kind": "split", "id": raw.hex()})
    elif len(raw) == COLLECTIVE_ID_LEN and get_collective(StateView(state), raw) is not None:
        out.append({"kind": "collective", "id": raw.hex()})
    return out


def search(ctx: ApiContext, query: str) -> list[dict[str, Any]]:
    q = query.strip().lower()
    if q.isascii() and q.isdigit() and len(q) <= 19:
        height = int(q)
        if 1 <= height <= ctx.store.height:
            return [{"kind": "block", "id": str(height), "height": height}]
        return []
    proposal = _PROPOSAL.match(q)
    if proposal:
        pid = int(proposal.group(1))
        found = get_proposal(StateView(ctx.store.state), pid) is not None
        return [{"kind": "proposal", "id": str(pid)}] if found else []
    if q.startswith(ctx.hrp + "1"):
        try:
            address = Address.parse(ctx.hrp, q)
        except (AddressError, ValueError):
            return []
        return [{"kind": "account", "id": address.to_text(ctx.hrp)}]
    hexed = _HEX.match(q)
    if hexed and len(hexed.group(1)) % 2 == 0:
        return _hex_matches(ctx, bytes.fromhex(hexed.group(1)))
    return []


async def get_search(request: web.Request) -> web.Response:
    ctx = request.app[CONTEXT]
    query = request.query.get("q", "")
    if not query or len(query) > MAX_QUERY_LEN:
        raise bad_request("invalid_q", f"q must be 1 to {MAX_QUERY_LEN} characters")
    return web.json_response(
        {"query": query, "height": ctx.store.height, "matches": search(ctx, query)}
    )
