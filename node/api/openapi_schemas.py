"""The OpenAPI components: every response and request body the API produces or accepts.

Written by hand next to the views (node/api/views.py and the route modules) and kept true by
tests/node/api/test_openapi.py, which runs schemathesis against a live node and validates every
response against these schemas.
"""

from __future__ import annotations

from typing import Any

from ledger.errors import ErrorCode

Schema = dict[str, Any]

HEX = {"type": "string", "pattern": "^[0-9a-f]*$"}
HASH = {"type": "string", "pattern": "^[0-9a-f]{64}$", "description": "32 bytes, hex"}
ADDRESS = {"type": "string", "description": "bech32m address with the chain's prefix"}
INT = {"type": "integer", "minimum": 0}
ANY_INT = {"type": "integer"}
STR = {"type": "string"}
BOOL = {"type": "boolean"}
OBJ = {"type": "object"}


def nullable(schema: Schema) -> Schema:
    return {**schema, "nullable": True}


def ref(name: str) -> Schema:
    return {"$ref": f"#/components/schemas/{name}"}


def obj(required: dict[str, Schema], optional: dict[str, Schema] | None = None) -> Schema:
    """An object with these required properties (and optional ones); others are allowed."""
    return {
        "type": "object",
        "required": sorted(required),
        "properties": {**required, **(optional or {})},
    }


def array(items: Schema) -> Schema:
    return {"type": "array", "items": items}


ERROR_CODES = [code.name for code in ErrorCode]
SIGNATURE = {"type": "string", "pattern": "^[0-9a-f]{128}$"}
MEMPOOL_COUNTS = (
    "txs",
    "bytes",
    "ready",
    "future",
    "senders",
    "admitted_total",
    "evicted_total",
    "included_total",
    "verified_total",
    "verify_cache_hits",
)

SCHEMAS: dict[str, Schema] = {
    "Error": obj(
        {
            "error": obj(
                {
                    "status": {"type": "integer", "minimum": 400, "maximum": 599},
                    "code": {"type": "string", "pattern": "^[a-z0-9_]+$"},
                    "message": STR,
                }
            )
        }
    ),
    "AdmissionResult": obj(
        {
            "index": INT,
            "ok": BOOL,
            "code": {"type": "string", "enum": ERROR_CODES},
            "code_number": INT,
            "tx_hash": nullable(HASH),
            "queued": BOOL,
            "reason": STR,
        }
    ),
    "SubmitResult": obj(
        {"accepted": INT, "rejected": INT, "results": array(ref("AdmissionResult"))}
    ),
    "CheckResult": obj(
        {
            "ok": BOOL,
            "code": {"type": "string", "enum": ERROR_CODES},
            "code_number": INT,
            "reason": STR,
            "signed": BOOL,
            "tx_hash": nullable(HASH),
            "events": array(ref("Event")),
        }
    ),
    "CheckJson": {
        "type": "object",
        "required": ["tx"],
        "additionalProperties": False,
        "properties": {
            "tx": {
                "type": "string",
                "pattern": "^(0x)?([0-9a-fA-F]{2})*$",
                "maxLength": 2 + 2 * 64 * 1024,
                "description": "a signed tx (signature checked) or an unsigned tx body, hex",
            }
        },
    },
    "SubmitJson": {
        "type": "object",
        "required": ["txs"],
        "additionalProperties": False,
        "properties": {
            "txs": {
                "type": "array",
                "minItems": 1,
                "maxItems": 10_000,
                "items": {
                    "type": "string",
                    "pattern": "^(0x)?([0-9a-fA-F]{2})*$",
                    "maxLength": 2 + 2 * 64 * 1024,
                    "description": "canonical tx bytes, hex",
                },
            }
        },
    },
    "Status": obj(
        {
            "chain_id": STR,
            "genesis_hash": HASH,
            "address_prefix": STR,
            "native_coin": STR,
            "version": STR,
            "moniker": STR,
            "node_id": nullable(HEX),
            "validator": nullable(ADDRESS),
            "latest_height": INT,
            "earliest_height": INT,
            "latest_block_hash": nullable(HASH),
            "latest_block_time_ms": INT,
            "state_root": HASH,
            "consensus": obj({"height": INT, "round": INT, "step": STR}),
            "syncing": BOOL,
            "sync_target_height": INT,
            "peers": INT,
            "mempool": obj({"txs": INT, "bytes": INT}),
        }
    ),
    "Header": obj(
        {
            "hash": HASH,
            "chain_id": STR,
            "height": INT,
            "time_ms": INT,
            "prev_block_hash": HASH,
            "last_commit_hash": HASH,
            "tx_root": HASH,
            "evidence_root": HASH,
            "state_root": HASH,
            "validators_hash": HASH,
            "next_validators_hash": HASH,
            "proposer": ADDRESS,
        }
    ),
    "Commit": obj(
        {
            "height": INT,
            "round": INT,
            "block_hash": HASH,
            "signatures": array(obj({"validator": ADDRESS, "signature": SIGNATURE})),
        }
    ),
    "Tx": obj(
        {
            "hash": HASH,
            "kind": STR,
            "kind_number": INT,
            "chain_id": STR,
            "sender": ADDRESS,
            "sender_public_key": HASH,
            "nonce": INT,
            "fee": INT,
            "payload": OBJ,
            "signature": SIGNATURE,
            "size": INT,
        }
    ),
    "Event": obj(
        {
            "kind": STR,
            "attributes": {
                "type": "object",
                "additionalProperties": {"oneOf": [ANY_INT, STR]},
            },
        }
    ),
    "Receipt": obj(
        {
            "code": {"type": "string", "enum": ERROR_CODES},
            "code_number": INT,
            "events": array(ref("Event")),
        }
    ),
    "CommittedTx": obj(
        {
            "status": {"type": "string", "enum": ["committed"]},
            "hash": HASH,
            "height": INT,
            "position": INT,
            "block_hash": HASH,
            "tx": ref("Tx"),
            "result": nullable(ref("Receipt")),
        }
    ),
    "PendingTx": obj(
        {
            "status": {"type": "string", "enum": ["pending"]},
            "tx": ref("Tx"),
            "height": {"nullable": True, "enum": [None]},
        }
    ),
    "Block": obj(
        {
            "hash": HASH,
            "height": INT,
            "header": ref("Header"),
            "txs": array({"oneOf": [ref("Tx"), HASH]}),
            "tx_count": INT,
            "evidence": array(OBJ),
            "last_commit": nullable(ref("Commit")),
            "commit": nullable(ref("Commit")),
        }
    ),
    "BlockSummary": obj(
        {
            "height": INT,
            "hash": HASH,
            "time_ms": INT,
            "proposer": ADDRESS,
            "tx_count": INT,
            "evidence_count": INT,
            "state_root": HASH,
        }
    ),
    "BlockList": obj(
        {
            "latest_height": INT,
            "blocks": array(ref("BlockSummary")),
            "next_before": nullable(INT),
        }
    ),
    "Account": obj(
        {
            "address": ADDRESS,
            "height": INT,
            "exists": BOOL,
            "balance": INT,
            "nonce": INT,
            "next_nonce": INT,
            "public_key": nullable(HASH),
        },
        {"proof": ref("ProofBundle")},
    ),
    "AccountTxs": obj(
        {
            "address": ADDRESS,
            "txs": array(
                obj(
                    {
                        "height": INT,
                        "position": INT,
                        "tx_hash": HASH,
                        "kind": nullable(STR),
                        "sender": nullable(ADDRESS),
                        "nonce": nullable(INT),
                    }
                )
            ),
            "next": nullable({"type": "string", "pattern": "^[0-9]+:[0-9]+$"}),
        }
    ),
    "Validators": obj(
        {
            "height": INT,
            "total_power": INT,
            "validators_hash": nullable(HASH),
            "validators": array(
                obj(
                    {
                        "address": ADDRESS,
                        "name": STR,
                        "public_key": HASH,
                        "node_key": nullable(HASH),
                        "power": INT,
                        "proposer_priority": nullable(ANY_INT),
                        "last_signed_height": nullable(INT),
                        "missed_blocks": nullable(INT),
                    }
                )
            ),
        },
        {"proof": ref("ProofBundle")},
    ),
    "Mempool": obj(
        {
            **dict.fromkeys(MEMPOOL_COUNTS, INT),
            "rejected_total": {"type": "object", "additionalProperties": INT},
            "limits": OBJ,
        }
    ),
    "Peers": obj(
        {
            "count": INT,
            "peers": array(
                obj(
                    {
                        "peer": HEX,
                        "direction": {"type": "string", "enum": ["inbound", "outbound"]},
                        "queued_messages": INT,
                        "queued_bytes": INT,
                        "score": {"type": "number"},
                    }
                )
            ),
        }
    ),
    "Genesis": obj({"genesis_hash": HASH, "genesis": obj({"chain_id": STR})}),
    "Liveness": obj({"status": {"type": "string", "enum": ["ok"]}}),
    "Readiness": obj(
        {
            "status": {"type": "string", "enum": ["ready", "not ready"]},
            "checks": {
                "type": "object",
                "additionalProperties": obj({"ok": BOOL, "detail": STR}),
            },
        }
    ),
}
