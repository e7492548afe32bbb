"""`GET /v1/openapi.json`: the OpenAPI 3 document of every endpoint (schemas in openapi_schemas).

tests/node/api/test_openapi.py keeps it true: it checks that every route of the app is
documented and runs schemathesis against a live node, validating each response against it.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from node.api.keys import CONTEXT
from node.api.openapi_light import LIGHT_SCHEMAS, light_paths
from node.api.openapi_schemas import SCHEMAS, Schema, ref
from node.api.openapi_state import STATE_SCHEMAS
from node.api.params import MAX_PAGE

JSON = "application/json"
MSGPACK = "application/msgpack"
HASH_PATTERN = "^(0x)?[0-9a-fA-F]{64}$"

ERROR_TEXT = {
    400: "Bad input: the error code names the parameter or body problem",
    404: "Not found",
    410: "Pruned: this node no longer keeps that height (ask an archive node)",
    413: "Request body too large",
    415: "Unsupported content type",
    503: "Not ready",
}


def _responses(ok: Schema | None, *errors: int, ok_text: str = "OK", raw: bool = False) -> Schema:
    content: dict[str, Any] = {JSON: {"schema": ok}} if ok is not None else {}
    if raw:
        content[MSGPACK] = {"schema": {"type": "string", "format": "binary"}}
    out: dict[str, Any] = {"200": {"description": ok_text, "content": content}}
    for status in errors:
        out[str(status)] = {
            "description": ERROR_TEXT[status],
            "content": {JSON: {"schema": ref("Error")}},
        }
    return out


def _path(name: str, description: str, pattern: str | None = None) -> Schema:
    schema: dict[str, Any] = {"type": "string"}
    if pattern:
        schema["pattern"] = pattern
    return {
        "name": name,
        "in": "path",
        "required": True,
        "description": description,
        "schema": schema,
    }


def _query(name: str, schema: Schema, description: str) -> Schema:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "description": description,
        "schema": schema,
    }


LIMIT = _query(
    "limit",
    {"type": "integer", "minimum": 1, "maximum": MAX_PAGE},
    f"Page size, 1 to {MAX_PAGE} (default 50)",
)
PROOF = _query(
    "proof", {"type": "boolean"}, "Add a Merkle proof with the signed header it verifies against"
)
FORMAT = _query(
    "format",
    {"type": "string", "enum": ["json", "msgpack"]},
    "msgpack: the canonical bytes instead of JSON",
)


def _address(hrp: str) -> Schema:
    """A bech32m address of 20 bytes with this chain's prefix (the checksum is not a pattern:
    a well-shaped address with a wrong checksum is a 400, `invalid_address`)."""
    pattern = f"^{hrp}1[02-9ac-hj-np-z]{{38}}$"
    return _path("address", f"bech32m address starting {hrp}1", pattern)


HASH = _path("hash", "32-byte hash, hex", HASH_PATTERN)


def _get(
    summary: str, ok: str, params: list[Schema], *errors: int, raw: bool = False, tag: str
) -> Schema:
    return {
        "get": {
            "summary": summary,
            "tags": [tag],
            "parameters": params,
            "responses": _responses(ref(ok), *errors, raw=raw),
        }
    }


def paths(hrp: str) -> dict[str, Any]:
    address = _address(hrp)
    return {
        "/v1/status": _get("Chain tip and node state", "Status", [], tag="node"),
        "/v1/genesis": _get("The genesis the chain started from", "Genesis", [], tag="node"),
        "/v1/txs": {
            "post": {
                "summary": "Submit one tx or a batch; each gets its own answer",
                "tags": ["txs"],
                "requestBody": {
                    "required": True,
                    "description": "application/msgpack: the canonical bytes of one signed tx, "
                    "or a msgpack array of such byte strings; application/json: the txs' bytes "
                    "in hex",
                    "content": {
                        MSGPACK: {"schema": {"type": "string", "format": "binary"}},
                        JSON: {"schema": ref("SubmitJson")},
                    },
                },
                "responses": _responses(ref("SubmitResult"), 400, 413, 415),
            }
        },
        "/v1/txs/check": {
            "post": {
                "summary": "Dry run: would this tx be admitted now? Nothing is admitted",
                "tags": ["txs"],
                "requestBody": {
                    "required": True,
                    "content": {JSON: {"schema": ref("CheckJson")}},
                },
                "responses": _responses(ref("CheckResult"), 400, 413),
            }
        },
        "/v1/txs/{hash}": _get(
            "A committed (with its result) or pending tx",
            "TxLookup",
            [HASH, FORMAT],
            400,
            404,
            raw=True,
            tag="txs",
        ),
        "/v1/blocks": _get(
            "Recent blocks, newest first",
            "BlockList",
            [
                LIMIT,
                _query(
                    "before",
                    {"type": "integer", "minimum": 1, "maximum": 2**63 - 1},
                    "Heights below this",
                ),
            ],
            400,
            tag="blocks",
        ),
        "/v1/blocks/{height}": _get(
            "A block and its commit, by height or `latest`",
            "Block",
            [
                _path("height", "a height or latest", "^(latest|[0-9]{1,19})$"),
                FORMAT,
                _query("txs", {"type": "string", "enum": ["full", "hashes"]}, "Tx detail"),
            ],
            400,
            404,
            410,
            raw=True,
            tag="blocks",
        ),
        "/v1/blocks/by-hash/{hash}": _get(
            "A block and its commit, by hash",
            "Block",
            [
                HASH,
                FORMAT,
                _query("txs", {"type": "string", "enum": ["full", "hashes"]}, "Tx detail"),
            ],
            400,
            404,
            raw=True,
            tag="blocks",
        ),
        "/v1/accounts/{address}": _get(
            "Balance and nonce, optionally proven", "Account", [address, PROOF], 400, tag="accounts"
        ),
        "/v1/accounts/{address}/txs": _get(
            "Txs that touched the account, newest first",
            "AccountTxs",
            [
                address,
                LIMIT,
                _query(
                    "before",
                    {"type": "string", "pattern": "^[0-9]{1,19}:[0-9]{1,10}$"},
                    "height:position of the last entry of the previous page",
                ),
            ],
            400,
            tag="accounts",
        ),
        "/v1/validators": _get("The active validator set", "Validators", [PROOF], 400, tag="node"),
        "/v1/mempool": _get("Mempool statistics and limits", "Mempool", [], tag="node"),
        "/v1/peers": _get("Connected peers", "Peers", [], tag="node"),
        "/v1/proofs/{key}": _get(
            "Proof of any raw state key (present or absent)",
            "ProofBundle",
            [_path("key", "raw state key, hex (1 to 256 bytes)", "^(0x)?([0-9a-fA-F]{2}){1,256}$")],
            400,
            tag="state",
        ),
        "/v1/collectives": _get("Every collective", "CollectiveList", [], tag="collectives"),
        "/v1/collectives/{id}": _get(
            "Members, holdings, supply, treasury and policies",
            "Collective",
            [_path("id", "collective id (20 bytes, hex)", "^(0x)?[0-9a-fA-F]{40}$"), PROOF],
            400,
            404,
            tag="collectives",
        ),
        "/v1/collectives/{id}/proposals": _get(
            "The collective's proposals, newest first",
            "ProposalList",
            [
                _path("id", "collective id (20 bytes, hex)", "^(0x)?[0-9a-fA-F]{40}$"),
                LIMIT,
                _query(
                    "before",
                    {"type": "integer", "minimum": 1, "maximum": 2**64},
                    "Proposal ids below this",
                ),
            ],
            400,
            404,
            tag="collectives",
        ),
        "/v1/collectives/{id}/splits": _get(
            "Revenue splits the collective owns or is paid by",
            "CollectiveSplits",
            [_path("id", "collective id (20 bytes, hex)", "^(0x)?[0-9a-fA-F]{40}$")],
            400,
            404,
            tag="collectives",
        ),
        "/v1/collectives/{id}/content": _get(
            "Content anchored in the collective, with its latest moderation",
            "CollectiveContent",
            [_path("id", "collective id (20 bytes, hex)", "^(0x)?[0-9a-fA-F]{40}$"), LIMIT],
            400,
            404,
            tag="collectives",
        ),
        "/v1/collectives/{id}/streams": _get(
            "The streams the collective's treasury pays, by stream id",
            "CollectiveStreams",
            [_path("id", "collective id (20 bytes, hex)", "^(0x)?[0-9a-fA-F]{40}$"), LIMIT],
            400,
            404,
            tag="collectives",
        ),
        "/v1/collectives/{id}/rounds": _get(
            "The collective's curation rounds, with live weights while open",
            "CollectiveRounds",
            [_path("id", "collective id (20 bytes, hex)", "^(0x)?[0-9a-fA-F]{40}$"), LIMIT],
            400,
            404,
            tag="collectives",
        ),
        "/v1/collectives/{id}/standing/{address}": _get(
            "A member's standing in the collective now (decayed), and the policy",
            "Standing",
            [_path("id", "collective id (20 bytes, hex)", "^(0x)?[0-9a-fA-F]{40}$"), address],
            400,
            404,
            tag="collectives",
        ),
        "/v1/rounds/{id}": _get(
            "A curation round: terms, status, and what each recipient would be paid now",
            "CurationRound",
            [_path("id", "round id (a number)", "^[0-9]{1,19}$")],
            400,
            404,
            tag="collectives",
        ),
        "/v1/matchings/{id}": _get(
            "A matching round: pool, cap, each initiative's contributions and its match now",
            "MatchingRound",
            [_path("id", "matching round id (a number)", "^[0-9]{1,19}$")],
            400,
            404,
            tag="collectives",
        ),
        "/v1/search": _get(
            "What a height, hash, address, id or proposal (p12) names on this chain",
            "SearchResult",
            [
                {
                    "name": "q",
                    "in": "query",
                    "required": True,
                    "schema": {"type": "string", "minLength": 1, "maxLength": 128},
                    "description": "A height, block/tx/content/split hash, address, "
                    "collective id or proposal (p12)",
                }
            ],
            400,
            tag="state",
        ),
        "/v1/proposals/{id}": _get(
            "A proposal with its live tally and next deadline",
            "Proposal",
            [_path("id", "proposal id", "^[0-9]{1,19}$"), PROOF],
            400,
            404,
            tag="collectives",
        ),
        "/v1/splits/{id}": _get(
            "A revenue split: recipients, shares, balance",
            "Split",
            [_path("id", "split id (32 bytes, hex)", HASH_PATTERN), PROOF],
            400,
            404,
            tag="splits",
        ),
        "/v1/splits/{id}/payouts": _get(
            "Payments into a split and what each paid out, oldest first",
            "SplitPayouts",
            [
                _path("id", "split id (32 bytes, hex)", HASH_PATTERN),
                LIMIT,
                _query(
                    "from_seq",
                    {"type": "integer", "minimum": 0, "maximum": 2**63 - 1},
                    "First record number",
                ),
            ],
            400,
            404,
            tag="splits",
        ),
        "/v1/streams/{id}": _get(
            "A treasury stream: recipient, asset, schedule, claimed and claimable now",
            "Stream",
            [_path("id", "stream id (a number)", "^[0-9]{1,19}$"), PROOF],
            400,
            404,
            tag="collectives",
        ),
        "/v1/content/{hash}": _get(
            "Anchored content and its moderation history",
            "Content",
            [HASH, LIMIT, PROOF],
            400,
            404,
            tag="content",
        ),
        "/v1/openapi.json": {
            "get": {
                "summary": "This document",
                "tags": ["node"],
                "responses": {
                    "200": {"description": "OK", "content": {JSON: {"schema": {"type": "object"}}}}
                },
            }
        },
        "/v1/ws": {
            "get": {
                "summary": "WebSocket subscriptions (docs/api.md); 400 without an upgrade",
                "tags": ["node"],
                "responses": {
                    "101": {"description": "Switching to the WebSocket protocol"},
                    "400": {"description": "Not a WebSocket upgrade request"},
                    "503": {
                        "description": "Too many subscribers",
                        "content": {JSON: {"schema": ref("Error")}},
                    },
                },
            }
        },
        "/metrics": {
            "get": {
                "summary": "Prometheus metrics (text exposition format 0.0.4)",
                "tags": ["node"],
                "responses": {
                    "200": {
                        "description": "OK",
                        "content": {"text/plain": {"schema": {"type": "string"}}},
                    }
                },
            }
        },
        "/livez": _get("The process answers", "Liveness", [], tag="node"),
        "/readyz": {
            "get": {
                "summary": "Ready for traffic: store open, synced, peers for a validator",
                "tags": ["node"],
                "responses": {
                    "200": {
                        "description": "Ready",
                        "content": {JSON: {"schema": ref("Readiness")}},
                    },
                    "503": {
                        "description": "Not ready",
                        "content": {JSON: {"schema": ref("Readiness")}},
                    },
                },
            }
        },
    }


def document(version: str, hrp: str) -> dict[str, Any]:
    schemas = {**SCHEMAS, **STATE_SCHEMAS, **LIGHT_SCHEMAS}
    schemas["TxLookup"] = {"oneOf": [ref("CommittedTx"), ref("PendingTx")]}
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "Coterie node API",
            "version": version,
            "description": "REST, WebSocket, metrics and health endpoints of a Coterie node. "
            "Errors share one shape (components/schemas/Error).",
        },
        "paths": {**paths(hrp), **light_paths()},
        "components": {"schemas": schemas},
    }


async def get_openapi(request: web.Request) -> web.Response:
    ctx = request.app[CONTEXT]
    return web.json_response(document(ctx.version, ctx.hrp))
