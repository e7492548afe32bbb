"""State proofs of either format version while both trees exist: version 1 (the binary tree's
`Proof`) and version 2 (the flat 16-ary tree's `FlatProof`), so that the store, the API and the
light client handle both before the chain switches trees (docs/ledger.md, "Next: the flat
16-ary tree").

The encodings tell the versions apart by their first element: a version 2 proof's array starts
with its version number, a version 1 proof's with its list of siblings (it predates version
numbers). A number other than 2 there is refused as an unknown version
(`UnknownProofVersionError`), not as bytes that do not decode, so a wallet can say that it
needs an update. When version 1
goes, `StateProof` is `FlatProof` and `decode_proof` only refuses other numbers.
"""

from __future__ import annotations

from ledger import codec
from ledger.codec import MalformedError
from ledger.merkle import flat
from ledger.merkle.flat.proof import PROOF_VERSION as FLAT_VERSION
from ledger.merkle.flat.proof import FlatProof
from ledger.merkle.proof import MAX_PROOF_BYTES as BINARY_MAX_BYTES
from ledger.merkle.proof import Proof, verify_proof

StateProof = Proof | FlatProof
BINARY_VERSION = 1
KNOWN_VERSIONS = (BINARY_VERSION, FLAT_VERSION)
MAX_PROOF_BYTES = max(BINARY_MAX_BYTES, flat.MAX_PROOF_BYTES)


class UnknownProofVersionError(MalformedError):
    """A proof whose format version number this code does not know (a newer node's)."""

    def __init__(self, version: int) -> None:
        known = ", ".join(str(v) for v in KNOWN_VERSIONS)
        super().__init__(f"proof format version {version} is unknown (known: {known})")
        self.version = version


def proof_version(proof: StateProof) -> int:
    return FLAT_VERSION if isinstance(proof, FlatProof) else BINARY_VERSION


def decode_proof(data: bytes) -> StateProof:
    """Decode a proof of either version; `UnknownProofVersionError` for another version
    number, `MalformedError` for any other bad byte, length or count."""
    raw = codec.decode(data, MAX_PROOF_BYTES)
    if isinstance(raw, list) and raw and type(raw[0]) is int:
        if raw[0] != FLAT_VERSION:
            raise UnknownProofVersionError(raw[0])
        return FlatProof.from_fields(raw)
    return Proof.from_fields(raw)


def verify_state_proof(root: bytes, key: bytes, value: bytes | None, proof: StateProof) -> bool:
    """True when `proof` shows that `key` holds `value` (None: is absent) in the tree `root`,
    checked by its own version's rules. A proof of one version verifies against a root of the
    other tree only where both trees say the same: their inner nodes hash preimages of
    different lengths (65 bytes against 5 + 32 n), so the only roots they share are the empty
    tree's and a one-key tree's (its leaf, hashed alike in both)."""
    if isinstance(proof, FlatProof):
        return flat.verify_proof(root, key, value, proof)
    return verify_proof(root, key, value, proof)
