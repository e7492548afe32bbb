"""`GET /v1/openapi.json`: the OpenAPI 3 document of every endpoint (schemas in openapi_schemas).

tests/node/api/test_openapi.py keeps it true: it checks that every route of the app is
documented and runs schemathesis against a live node, validating each response against it.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from node.api.keys import CONTEXT
from node.api.openapi_build import (
    FORMAT,
    HASH,
    HASH_PATTERN,
    JSON,
    LIMIT,
    MSGPACK,
    PROOF,
    address_param,
    get_op,
    path_param,
    query_param,
    responses,
)
from node.api.openapi_light import LIGHT_SCHEMAS, light_paths
from node.api.openapi_proofs import PROOF_SCHEMAS
from node.api.openapi_schemas import SCHEMAS, Schema, ref
from node.api.openapi_snapshots import SNAPSHOT_SCHEMAS, snapshot_paths
from node.api.openapi_state import STATE_SCHEMAS

COLLECTIVE_ID = path_param("id", "collective id (20 bytes, hex)", "^(0x)?[0-9a-fA-F]{40}$")


def collective_op(summary: str, schema: str, *extra: Schema) -> Schema:
    """A GET of one collective's records: 400 for a malformed id, 404 for an unknown one."""
    return get_op(summary, schema, [COLLECTIVE_ID, *extra], 400, 404, tag="collectives")


def paths(hrp: str) -> dict[str, Any]:
    address = address_param(hrp)
    return {
        "/v1/status": get_op("Chain tip and node state", "Status", [], tag="node"),
        "/v1/genesis": get_op("The genesis the chain started from", "Genesis", [], tag="node"),
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
                "responses": responses(ref("SubmitResult"), 400, 413, 415),
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
                "responses": responses(ref("CheckResult"), 400, 413),
            }
        },
        "/v1/txs/{hash}": get_op(
            "A committed (with its result) or pending tx",
            "TxLookup",
            [HASH, FORMAT],
            400,
            404,
            raw=True,
            tag="txs",
        ),
        "/v1/blocks": get_op(
            "Recent blocks, newest first",
            "BlockList",
            [
                LIMIT,
                query_param(
                    "before",
                    {"type": "integer", "minimum": 1, "maximum": 2**63 - 1},
                    "Heights below this",
                ),
            ],
            400,
            tag="blocks",
        ),
        "/v1/blocks/{height}": get_op(
            "A block and its commit, by height or `latest`",
            "Block",
            [
                path_param("height", "a height or latest", "^(latest|[0-9]{1,19})$"),
                FORMAT,
                query_param("txs", {"type": "string", "enum": ["full", "hashes"]}, "Tx detail"),
            ],
            400,
            404,
            410,
            raw=True,
            tag="blocks",
        ),
        "/v1/blocks/by-hash/{hash}": get_op(
            "A block and its commit, by hash",
            "Block",
            [
                HASH,
                FORMAT,
                query_param("txs", {"type": "string", "enum": ["full", "hashes"]}, "Tx detail"),
            ],
            400,
            404,
            raw=True,
            tag="blocks",
        ),
        "/v1/accounts/{address}": get_op(
            "Balance and nonce, optionally proven", "Account", [address, PROOF], 400, tag="accounts"
        ),
        "/v1/accounts/{address}/txs": get_op(
            "Txs that touched the account, newest first",
            "AccountTxs",
            [
                address,
                LIMIT,
                query_param(
                    "before",
                    {"type": "string", "pattern": "^[0-9]{1,19}:[0-9]{1,10}$"},
                    "height:position of the last entry of the previous page",
                ),
            ],
            400,
            tag="accounts",
        ),
        "/v1/validators": get_op(
            "The active validator set", "Validators", [PROOF], 400, tag="node"
        ),
        "/v1/mempool": get_op("Mempool statistics and limits", "Mempool", [], tag="node"),
        "/v1/peers": get_op("Connected peers", "Peers", [], tag="node"),
        "/v1/proofs/{key}": get_op(
            "Proof of any raw state key (present or absent)",
            "ProofBundle",
            [
                path_param(
                    "key", "raw state key, hex (1 to 256 bytes)", "^(0x)?([0-9a-fA-F]{2}){1,256}$"
                )
            ],
            400,
            tag="state",
        ),
        "/v1/collectives": get_op("Every collective", "CollectiveList", [], tag="collectives"),
        "/v1/collectives/{id}": collective_op(
            "Members, holdings, supply, treasury and policies",
            "Collective",
            PROOF,
        ),
        "/v1/collectives/{id}/proposals": get_op(
            "The collective's proposals, newest first",
            "ProposalList",
            [
                COLLECTIVE_ID,
                LIMIT,
                query_param(
                    "before",
                    {"type": "integer", "minimum": 1, "maximum": 2**64},
                    "Proposal ids below this",
                ),
            ],
            400,
            404,
            tag="collectives",
        ),
        "/v1/collectives/{id}/splits": collective_op(
            "Revenue splits the collective owns or is paid by",
            "CollectiveSplits",
        ),
        "/v1/collectives/{id}/content": collective_op(
            "Content anchored in the collective, with its latest moderation",
            "CollectiveContent",
            LIMIT,
        ),
        "/v1/collectives/{id}/streams": collective_op(
            "The streams the collective's treasury pays, by stream id",
            "CollectiveStreams",
            LIMIT,
        ),
        "/v1/collectives/{id}/rounds": collective_op(
            "The collective's curation rounds, with live weights while open",
            "CollectiveRounds",
            LIMIT,
        ),
        "/v1/collectives/{id}/standing/{address}": collective_op(
            "A member's standing in the collective now (decayed), and the policy",
            "Standing",
            address,
        ),
        "/v1/collectives/{id}/matchings": collective_op(
            "The collective's matching rounds, with each initiative's match now while open",
            "CollectiveMatchings",
            LIMIT,
        ),
        "/v1/collectives/{id}/economics": collective_op(
            "The collective's reputation policy and its reward schedule by standing",
            "Economics",
        ),
        "/v1/rounds/{id}": get_op(
            "A curation round: terms, status, and what each recipient would be paid now",
            "CurationRound",
            [path_param("id", "round id (a number)", "^[0-9]{1,19}$")],
            400,
            404,
            tag="collectives",
        ),
        "/v1/matchings/{id}": get_op(
            "A matching round: pool, cap, each initiative's contributions and its match now",
            "MatchingRound",
            [path_param("id", "matching round id (a number)", "^[0-9]{1,19}$")],
            400,
            404,
            tag="collectives",
        ),
        "/v1/search": get_op(
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
        "/v1/proposals/{id}": get_op(
            "A proposal with its live tally and next deadline",
            "Proposal",
            [path_param("id", "proposal id", "^[0-9]{1,19}$"), PROOF],
            400,
            404,
            tag="collectives",
        ),
        "/v1/splits/{id}": get_op(
            "A revenue split: recipients, shares, balance",
            "Split",
            [path_param("id", "split id (32 bytes, hex)", HASH_PATTERN), PROOF],
            400,
            404,
            tag="splits",
        ),
        "/v1/splits/{id}/payouts": get_op(
            "Payments into a split and what each paid out, oldest first",
            "SplitPayouts",
            [
                path_param("id", "split id (32 bytes, hex)", HASH_PATTERN),
                LIMIT,
                query_param(
                    "from_seq",
                    {"type": "integer", "minimum": 0, "maximum": 2**63 - 1},
                    "First record number",
                ),
            ],
            400,
            404,
            tag="splits",
        ),
        "/v1/streams/{id}": get_op(
            "A treasury stream: recipient, asset, schedule, claimed and claimable now",
            "Stream",
            [path_param("id", "stream id (a number)", "^[0-9]{1,19}$"), PROOF],
            400,
            404,
            tag="collectives",
        ),
        "/v1/content/{hash}": get_op(
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
        "/livez": get_op("The process answers", "Liveness", [], tag="node"),
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
    schemas = {**SCHEMAS, **PROOF_SCHEMAS, **STATE_SCHEMAS, **LIGHT_SCHEMAS, **SNAPSHOT_SCHEMAS}
    schemas["TxLookup"] = {"oneOf": [ref("CommittedTx"), ref("PendingTx")]}
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "Coterie node API",
            "version": version,
            "description": "REST, WebSocket, metrics and health endpoints of a Coterie node. "
            "Errors share one shape (components/schemas/Error).",
        },
        "paths": {**paths(hrp), **light_paths(), **snapshot_paths()},
        "components": {"schemas": schemas},
    }


async def get_openapi(request: web.Request) -> web.Response:
    ctx = request.app[CONTEXT]
    return web.json_response(document(ctx.version, ctx.hrp))
