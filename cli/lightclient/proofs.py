"""The entries of a proof bundle, each checked against the state root of a verified header.

A proof is of format version 2, the flat 16-ary tree's (`ledger.merkle.flat`); a proof of a
version this wallet does not know is refused as such (a newer node's: update coterie).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from cli.lightclient.errors import VerificationError
from cli.lightclient.signed import hex_field
from ledger.block import Header
from ledger.codec import MalformedError
from ledger.merkle.flat import PROOF_VERSION, FlatProof, UnknownProofVersionError, verify_proof


def proven_values(
    entries: Any, header: Header, wanted: Iterable[bytes]
) -> dict[bytes, bytes | None]:
    """The proven value of every key the entries prove (None: proven absent) against `header`
    (already verified); every key in `wanted` must be among them."""
    if not isinstance(entries, list):
        raise VerificationError("the node's proof entries are not a list")
    values: dict[bytes, bytes | None] = {}
    for entry in entries:
        if not isinstance(entry, dict):
            raise VerificationError("a proof entry is not an object")
        key = hex_field(entry.get("key"), "proof key")
        raw_value = entry.get("value")
        value = None if raw_value is None else hex_field(raw_value, "proven value")
        try:
            proof = FlatProof.decode(hex_field(entry.get("proof_msgpack"), "proof"))
        except UnknownProofVersionError as exc:
            raise VerificationError(
                f"the proof of key {key.hex()} is of format version {exc.version}; this wallet "
                f"verifies version {PROOF_VERSION} only (a newer node's proof: update coterie)"
            ) from exc
        except MalformedError as exc:
            raise VerificationError(f"the proof of key {key.hex()} does not decode") from exc
        if not verify_proof(header.state_root, key, value, proof):
            raise VerificationError(
                f"the Merkle proof of state key {key.hex()} does not verify against the "
                f"state root of verified header {header.height} (a tampered answer)"
            )
        values[key] = value
    missing = [k for k in wanted if k not in values]
    if missing:
        raise VerificationError(f"the node sent no proof for state key {missing[0].hex()}")
    return values
