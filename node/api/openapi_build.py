"""Building blocks of the OpenAPI document: media types, error answers and parameter shapes."""

from __future__ import annotations

from typing import Any

from node.api.openapi_schemas import Schema, ref
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


def responses(ok: Schema | None, *errors: int, ok_text: str = "OK", raw: bool = False) -> Schema:
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


def path_param(name: str, description: str, pattern: str | None = None) -> Schema:
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


def query_param(name: str, schema: Schema, description: str) -> Schema:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "description": description,
        "schema": schema,
    }


LIMIT = query_param(
    "limit",
    {"type": "integer", "minimum": 1, "maximum": MAX_PAGE},
    f"Page size, 1 to {MAX_PAGE} (default 50)",
)
PROOF = query_param(
    "proof", {"type": "boolean"}, "Add a Merkle proof with the signed header it verifies against"
)
FORMAT = query_param(
    "format",
    {"type": "string", "enum": ["json", "msgpack"]},
    "msgpack: the canonical bytes instead of JSON",
)


def address_param(hrp: str) -> Schema:
    """A bech32m address of 20 bytes with this chain's prefix (the checksum is not a pattern:
    a well-shaped address with a wrong checksum is a 400, `invalid_address`)."""
    pattern = f"^{hrp}1[02-9ac-hj-np-z]{{38}}$"
    return path_param("address", f"bech32m address starting {hrp}1", pattern)


HASH = path_param("hash", "32-byte hash, hex", HASH_PATTERN)


def get_op(
    summary: str, ok: str, params: list[Schema], *errors: int, raw: bool = False, tag: str
) -> Schema:
    return {
        "get": {
            "summary": summary,
            "tags": [tag],
            "parameters": params,
            "responses": responses(ref(ok), *errors, raw=raw),
        }
    }
