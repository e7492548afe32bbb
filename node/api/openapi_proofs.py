"""The OpenAPI components of state proofs: the proof object (format version 2, the flat 16-ary
tree's levels) and the bundle that carries one with its signed header (node/api/proofs.py).

The example is a real proof of key `6b65792d30` ("key-0", value "1") in the tree of three keys
key-0, key-1 and key-3.
"""

from __future__ import annotations

from node.api.openapi_schemas import HASH, HEX, INT, Schema, array, nullable, obj, ref

SIGNED_HEADER: dict[str, Schema] = {
    "header": nullable(ref("Header")),
    "header_msgpack": nullable(HEX),
    "commit": nullable(ref("Commit")),
    "commit_msgpack": nullable(HEX),
}
"""The header a proof verifies against and its commit certificate, as every proof bundle gives
them (null before the first block)."""

LEAF = nullable(obj({"key_hash": HASH, "value_hash": HASH})) | {
    "description": "The leaf the key's path ends in: the key's own (present), another key's "
    "where it would be (absent), or null (absent: an empty slot or tree)"
}
_KEY_HASH = "d5ead6fdd3d16630aad4f07f5e49486337a42e58fb4eef0deaabb814c003b134"
_VALUE_HASH = "6b86b273ff34fce19d6b804eff5a3f5747ada4eaa22f1d49c01e52ddb7875b4b"
_LEAF_EXAMPLE = {"key_hash": _KEY_HASH, "value_hash": _VALUE_HASH}
_SIBLING_A = "25fae3ce1480c96f5f90b84787f858b5b89cb5b003edfb9d108ee24b901de48c"
_SIBLING_B = "53527198ee966ca7572a7c28f8cebe8b507f7ff4da63107bfdba267781a91d30"

PROOF_SCHEMAS: dict[str, Schema] = {
    "MerkleProof": obj(
        {
            "version": {"type": "integer", "enum": [2]},
            "levels": array(
                obj(
                    {
                        "masks": {
                            "type": "string",
                            "pattern": "^[0-9a-f]{8}$",
                            "description": "The node's 4 mask bytes, big-endian: the high 16 "
                            "bits say which of its 16 children are present (bit n: nibble n), "
                            "the low 16 which of those are leaves",
                        },
                        "siblings": array(HASH)
                        | {"description": "Its present children but the path's, in nibble order"},
                    }
                )
            )
            | {"description": "Each inner node on the key's path, root first (at most 64)"},
            "leaf": LEAF,
        }
    )
    | {
        "description": "A proof of a state key, present or absent, of format version 2 (the "
        "flat 16-ary state tree's). Verify proof_msgpack, its canonical encoding, not this view.",
        "example": {
            "version": 2,
            "levels": [
                {"masks": "28000800", "siblings": [_SIBLING_A]},
                {"masks": "02200220", "siblings": [_SIBLING_B]},
            ],
            "leaf": _LEAF_EXAMPLE,
        },
    },
    "ProofBundle": obj(
        {
            "height": INT,
            "state_root": HASH,
            "key": HEX,
            "value": nullable(HEX),
            "proof": ref("MerkleProof"),
            "proof_msgpack": HEX,
            **SIGNED_HEADER,
        }
    ),
}
