"""What a light client needs from a node it does not trust: signed headers, validator-set changes
and proofs of many state keys at one height.

- `GET /v1/commits/{height}`: the header and its commit certificate, JSON and canonical bytes;
- `GET /v1/validator-sets?after=H`: every change of the signing set after height H (the set and
  the first height it signs), from the chain's history keys (`node.chain`); a client checks each
  against the `next_validators_hash` of the verified header just before it;
- `POST /v1/proofs {"keys": [...]}`: one bundle of proofs for many keys, all of one height, with
  the header and commit of that height (built without awaiting, so it cannot straddle a commit).

None of this is trusted by the client: every answer is checked against the validator set it
tracks from genesis (cli/lightclient).
"""

from __future__ import annotations

import json
from itertools import islice
from typing import Any

from aiohttp import web

from consensus.validators import ValidatorSet
from ledger.codec import MalformedError
from node.api.context import ApiContext
from node.api.errors import ApiError, bad_request
from node.api.keys import CONTEXT
from node.api.params import page_limit, parse_hex, parse_int, query_int
from node.api.proofs import MAX_KEY_BYTES, proof_view
from node.api.views import commit_view, header_view
from node.chain import VALIDATOR_SET_HISTORY

MAX_HEIGHT = 2**63 - 1
MAX_PROOF_KEYS = 1000
MAX_BODY_BYTES = 1024 * 1024


def _height(ctx: ApiContext, text: str) -> int:
    top = ctx.store.height
    if text == "latest":
        if top == 0:
            raise ApiError(404, "not_found", "no block has been committed yet")
        return top
    height = parse_int(text, "height", 0, 10**19 - 1)
    if not 1 <= height <= top:
        raise ApiError(404, "not_found", f"no commit at height {height} (latest is {top})")
    return height


def signed_header(ctx: ApiContext, height: int) -> dict[str, Any]:
    """The header of `height` and its commit, as JSON views and canonical bytes (hex)."""
    block = ctx.store.block(height)
    commit = ctx.store.commit(height)
    if block is None or commit is None:
        raise ApiError(404, "not_found", f"no commit at height {height}")
    hrp = ctx.hrp
    return {
        "height": height,
        "header": header_view(block.header, hrp),
        "header_msgpack": block.header.encode().hex(),
        "commit": commit_view(commit, hrp),
        "commit_msgpack": commit.encode().hex(),
    }


async def get_commit(request: web.Request) -> web.Response:
    ctx = request.app[CONTEXT]
    return web.json_response(signed_header(ctx, _height(ctx, request.match_info["height"])))


def set_view(validators: ValidatorSet, hrp: str) -> list[dict[str, Any]]:
    return [
        {"address": v.address.to_text(hrp), "public_key": v.public_key.hex(), "power": v.power}
        for v in validators.validators
    ]


async def get_validator_sets(request: web.Request) -> web.Response:
    """Changes of the signing set at heights above `after`, oldest first."""
    ctx = request.app[CONTEXT]
    after = query_int(request, "after", 0, 0, MAX_HEIGHT)
    limit = page_limit(request)
    changes = []
    prefix_len = len(VALIDATOR_SET_HISTORY)
    for key, value in ctx.store.state.iter_prefix(VALIDATOR_SET_HISTORY):
        first_height = int.from_bytes(key[prefix_len:], "big")
        if first_height <= after:
            continue
        try:
            validators = ValidatorSet.decode(value)
        except (MalformedError, ValueError):
            raise ApiError(
                500, "internal_error", f"stored set of {first_height} is unreadable"
            ) from None
        changes.append(
            {
                "height": first_height,
                "validators_hash": validators.hash().hex(),
                "validators_msgpack": value.hex(),
                "validators": set_view(validators, ctx.hrp),
            }
        )
        if len(changes) > limit:
            break
    more = len(changes) > limit
    changes = changes[:limit]
    return web.json_response(
        {
            "latest_height": ctx.store.height,
            "changes": changes,
            "next_after": changes[-1]["height"] if more else None,
        }
    )


def _keys(body: Any) -> list[bytes]:
    if not isinstance(body, dict) or not isinstance(body.get("keys"), list):
        raise bad_request("invalid_body", 'the body must be {"keys": ["<state key hex>", ...]}')
    items = body["keys"]
    if not 1 <= len(items) <= MAX_PROOF_KEYS:
        raise bad_request("invalid_body", f"give 1 to {MAX_PROOF_KEYS} keys")
    out = []
    for item in islice(items, MAX_PROOF_KEYS):
        if not isinstance(item, str):
            raise bad_request("invalid_state_key", "each key is a hex string")
        key = parse_hex(item, "state_key")
        if not 1 <= len(key) <= MAX_KEY_BYTES:
            raise bad_request("invalid_state_key", f"a state key is 1 to {MAX_KEY_BYTES} bytes")
        out.append(key)
    return out


def multi_proof_bundle(ctx: ApiContext, keys: list[bytes]) -> dict[str, Any]:
    """Values and proofs of `keys` at the committed height, with its signed header."""
    store = ctx.store
    height = store.height
    entries = []
    for key in keys:
        value, proof = store.prove(key)
        entries.append(
            {
                "key": key.hex(),
                "value": None if value is None else value.hex(),
                "proof": proof_view(proof),
                "proof_msgpack": proof.encode().hex(),
            }
        )
    signed = signed_header(ctx, height) if height > 0 else None
    return {
        "height": height,
        "state_root": store.state_root.hex(),
        "entries": entries,
        "header": signed["header"] if signed else None,
        "header_msgpack": signed["header_msgpack"] if signed else None,
        "commit": signed["commit"] if signed else None,
        "commit_msgpack": signed["commit_msgpack"] if signed else None,
    }


async def post_proofs(request: web.Request) -> web.Response:
    ctx = request.app[CONTEXT]
    if request.content_type not in ("application/json", ""):
        raise ApiError(415, "unsupported_media_type", "send application/json")
    raw = await request.content.read(MAX_BODY_BYTES + 1)
    if len(raw) > MAX_BODY_BYTES:
        raise ApiError(413, "body_too_large", f"the body exceeds {MAX_BODY_BYTES} bytes")
    if not raw:
        raise bad_request("empty_body", "the body is empty")
    try:
        body = json.loads(raw)
    except (ValueError, RecursionError):  # deep nesting: 400, not a 500 (issue 14)
        raise bad_request("invalid_json", "the body is not JSON") from None
    return web.json_response(multi_proof_bundle(ctx, _keys(body)))
