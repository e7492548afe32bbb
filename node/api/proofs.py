"""Merkle proofs of committed state, bundled with the signed header they verify against.

A bundle is everything a light client needs to trust one state value without trusting this
node: the value, its proof against `state_root`, the header at that height (whose hash is the
block hash and which carries `state_root`) and the commit certificate (2/3+ precommits for that
block hash). The client checks the commit against the validator set it trusts, the header hash
against the commit, and the proof against the header's root (`ledger.merkle.flat.verify_proof`,
proof format version 2).

The bundle is built without awaiting, so it cannot straddle a commit: the proof, the root and
the header are always of the same height.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from ledger.merkle.flat import PROOF_VERSION, FlatProof, ProofLeaf
from node.api.context import ApiContext
from node.api.errors import bad_request
from node.api.keys import CONTEXT
from node.api.params import parse_hex
from node.api.views import commit_view, header_view

MAX_KEY_BYTES = 256


def proof_view(proof: FlatProof) -> dict[str, Any]:
    """The proof as JSON, for reading: `version` (2), `levels` (each inner node on the key's
    path, root first: its 4 mask bytes and its other children's hashes) and the `leaf` the
    path ends in. A wallet verifies `proof_msgpack`."""
    return {
        "version": PROOF_VERSION,
        "levels": [
            {"masks": level.masks.to_bytes(4, "big").hex(), "siblings": _hexes(level.siblings)}
            for level in proof.levels
        ],
        "leaf": _leaf_view(proof.leaf),
    }


def _hexes(hashes: tuple[bytes, ...]) -> list[str]:
    return [h.hex() for h in hashes]


def _leaf_view(leaf: ProofLeaf | None) -> dict[str, str] | None:
    if leaf is None:
        return None
    return {"key_hash": leaf.key_hash.hex(), "value_hash": leaf.value_hash.hex()}


def proof_bundle(ctx: ApiContext, key: bytes) -> dict[str, Any]:
    """The committed value of `key` with its proof and the signed header of the same height."""
    store = ctx.store
    value, proof = store.prove(key)
    height = store.height
    header, commit = store.last_header, store.last_commit  # of `height`: cached by the store
    hrp = ctx.hrp
    return {
        "height": height,
        "state_root": store.state_root.hex(),
        "key": key.hex(),
        "value": None if value is None else value.hex(),
        "proof": proof_view(proof),
        "proof_msgpack": proof.encode().hex(),
        "header": header_view(header, hrp) if header else None,
        "header_msgpack": header.encode().hex() if header else None,
        "commit": commit_view(commit, hrp) if commit else None,
        "commit_msgpack": commit.encode().hex() if commit else None,
    }


async def get_proof(request: web.Request) -> web.Response:
    """`GET /v1/proofs/{key}`: a bundle for any raw state key (hex), present or absent."""
    ctx = request.app[CONTEXT]
    key = parse_hex(request.match_info["key"], "state_key")
    if not 1 <= len(key) <= MAX_KEY_BYTES:
        raise bad_request("invalid_state_key", f"a state key is 1 to {MAX_KEY_BYTES} bytes")
    return web.json_response(proof_bundle(ctx, key))
