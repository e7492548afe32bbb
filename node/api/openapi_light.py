"""OpenAPI paths and schemas of the light-client endpoints (node/api/lightclient.py)."""

from __future__ import annotations

from typing import Any

from node.api.openapi_proofs import SIGNED_HEADER
from node.api.openapi_schemas import (
    BOOL,
    HASH,
    HEX,
    INT,
    STR,
    Schema,
    array,
    nullable,
    obj,
    ref,
)

JSON = "application/json"
KEY_PATTERN = "^(0x)?([0-9a-fA-F]{2}){1,256}$"


def _error(description: str) -> Schema:
    return {"description": description, "content": {JSON: {"schema": ref("Error")}}}


def _ok(schema: str) -> Schema:
    return {"description": "OK", "content": {JSON: {"schema": ref(schema)}}}


def light_paths() -> dict[str, Any]:
    return {
        "/v1/proofs": {
            "post": {
                "summary": "Proofs of many raw state keys, all of one height, with its header",
                "tags": ["state"],
                "requestBody": {
                    "required": True,
                    "content": {JSON: {"schema": ref("ProofKeys")}},
                },
                "responses": {
                    "200": _ok("MultiProofBundle"),
                    "400": _error("Bad body or key"),
                    "413": _error("Request body too large"),
                    "415": _error("Unsupported content type"),
                },
            }
        },
        "/v1/evidence": {
            "post": {
                "summary": "Duplicate-vote evidence (a light client's fork report) for the pool",
                "tags": ["node"],
                "requestBody": {
                    "required": True,
                    "content": {JSON: {"schema": ref("EvidenceItems")}},
                },
                "responses": {
                    "200": _ok("EvidenceResults"),
                    "400": _error("Bad body or evidence"),
                    "413": _error("Request body too large"),
                    "415": _error("Unsupported content type"),
                },
            }
        },
        "/v1/commits/{height}": {
            "get": {
                "summary": "A header and its commit certificate (JSON and canonical bytes)",
                "tags": ["blocks"],
                "parameters": [
                    {
                        "name": "height",
                        "in": "path",
                        "required": True,
                        "description": "height, or latest",
                        "schema": {"type": "string", "pattern": "^([0-9]{1,19}|latest)$"},
                    }
                ],
                "responses": {
                    "200": _ok("SignedHeader"),
                    "400": _error("Bad height"),
                    "404": _error("Not found"),
                },
            }
        },
        "/v1/validator-sets": {
            "get": {
                "summary": "Changes of the signing validator set after a height, oldest first",
                "tags": ["node"],
                "parameters": [
                    {
                        "name": "after",
                        "in": "query",
                        "required": False,
                        "description": "Only changes that first sign above this height",
                        "schema": {"type": "integer", "minimum": 0, "maximum": 2**63 - 1},
                    },
                    {
                        "name": "limit",
                        "in": "query",
                        "required": False,
                        "description": "Page size, 1 to 1000 (default 50)",
                        "schema": {"type": "integer", "minimum": 1, "maximum": 1000},
                    },
                ],
                "responses": {"200": _ok("ValidatorSetChanges"), "400": _error("Bad parameter")},
            }
        },
    }


LIGHT_SCHEMAS: dict[str, Schema] = {
    "ProofKeys": {
        "type": "object",
        "required": ["keys"],
        "properties": {
            "keys": {
                "type": "array",
                "minItems": 1,
                "maxItems": 1000,
                "items": {"type": "string", "pattern": KEY_PATTERN},
            }
        },
    },
    "MultiProofBundle": obj(
        {
            "height": INT,
            "state_root": HASH,
            "entries": array(
                obj(
                    {
                        "key": HEX,
                        "value": nullable(HEX),
                        "proof": ref("MerkleProof"),
                        "proof_msgpack": HEX,
                    }
                )
            ),
            **SIGNED_HEADER,
        }
    ),
    "EvidenceItems": {
        "type": "object",
        "required": ["evidence"],
        "properties": {
            "evidence": {
                "type": "array",
                "minItems": 1,
                "maxItems": 64,
                "items": {"type": "string", "pattern": "^([0-9a-fA-F]{2})+$"},
            }
        },
    },
    "EvidenceResults": obj(
        {"results": array(obj({"hash": nullable(HASH), "accepted": BOOL, "error": nullable(STR)}))}
    ),
    "SignedHeader": obj(
        {
            "height": INT,
            "header": ref("Header"),
            "header_msgpack": HEX,
            "commit": ref("Commit"),
            "commit_msgpack": HEX,
        }
    ),
    "ValidatorSetChanges": obj(
        {
            "latest_height": INT,
            "next_after": nullable(INT),
            "changes": array(
                obj(
                    {
                        "height": INT,
                        "validators_hash": HASH,
                        "validators_msgpack": HEX,
                        "validators": array(obj({"address": STR, "public_key": HEX, "power": INT})),
                    }
                )
            ),
        }
    ),
}
