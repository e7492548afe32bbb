"""OpenAPI paths and schemas of the snapshot endpoints (node/api/snapshots.py), which state sync
over HTTP reads (node/statesync_http.py); peers fetch the same snapshots over P2P."""

from __future__ import annotations

from typing import Any

from node.api.openapi_schemas import HASH, INT, Schema, array, obj, ref

JSON = "application/json"


def _error(description: str) -> Schema:
    return {"description": description, "content": {JSON: {"schema": ref("Error")}}}


def snapshot_paths() -> dict[str, Any]:
    return {
        "/v1/snapshots": {
            "get": {
                "summary": "The manifests of the state snapshots this node keeps, newest first",
                "tags": ["node"],
                "responses": {
                    "200": {
                        "description": "OK (an empty list when the node makes no snapshots)",
                        "content": {JSON: {"schema": ref("SnapshotList")}},
                    }
                },
            }
        },
        "/v1/snapshots/{height}/chunks/{index}": {
            "get": {
                "summary": "One chunk of a snapshot: canonical bytes of [key, value] pairs",
                "tags": ["node"],
                "parameters": [
                    {
                        "name": "height",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "string", "pattern": "^[0-9]{1,19}$"},
                    },
                    {
                        "name": "index",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "string", "pattern": "^[0-9]{1,9}$"},
                    },
                ],
                "responses": {
                    "200": {
                        "description": "The chunk; its SHA-256 is the manifest's entry",
                        "content": {
                            "application/octet-stream": {
                                "schema": {"type": "string", "format": "binary"}
                            }
                        },
                    },
                    "400": _error("Bad height or index"),
                    "404": _error("No such snapshot or chunk"),
                },
            }
        },
    }


SNAPSHOT_SCHEMAS: dict[str, Schema] = {
    "SnapshotList": obj(
        {"snapshots": array(obj({"height": INT, "state_root": HASH, "chunks": array(HASH)}))}
    ),
}
