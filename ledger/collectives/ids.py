"""Identities of collectives and assets.

A collective id is 20 bytes (like an address) derived from its creator and the creating tx's
nonce, so it is known before the tx is included and can never collide with another collective's.
An asset is the native coin or one token class of one collective; its raw form is the empty byte
string (native) or the collective id followed by the class index, so an asset sorts and prefixes
cleanly inside state keys.
"""

from __future__ import annotations

from dataclasses import dataclass

from ledger.codec import MalformedError
from ledger.hashing import tagged_digest
from ledger.keys import ADDRESS_LEN, Address

COLLECTIVE_ID_LEN = 20
MAX_TOKEN_CLASSES = 8
ASSET_TOKEN_LEN = COLLECTIVE_ID_LEN + 1

SYSTEM_ADDRESS = Address(bytes(ADDRESS_LEN))
"""The proposer of proposals the chain opens by itself (e.g. removal after equivocation)."""


def derive_collective_id(creator: Address, nonce: int) -> bytes:
    return tagged_digest(b"coterie/collective", creator.raw + nonce.to_bytes(8, "big"))[
        :COLLECTIVE_ID_LEN
    ]


def genesis_collective_id(index: int) -> bytes:
    """The id of the `index`-th collective listed in the genesis file."""
    return derive_collective_id(SYSTEM_ADDRESS, index)


VALIDATORS_BODY_ID = tagged_digest(b"coterie/validators-body", b"")[:COLLECTIVE_ID_LEN]
"""The built-in collective whose members mirror the active validator set (see governance)."""


@dataclass(frozen=True, slots=True)
class Asset:
    """The native coin (`collective == b""`) or token class `token_class` of a collective."""

    collective: bytes = b""
    token_class: int = 0

    @property
    def is_native(self) -> bool:
        return self.collective == b""

    @property
    def raw(self) -> bytes:
        if self.is_native:
            return b""
        return self.collective + bytes([self.token_class])

    @classmethod
    def parse(cls, raw: bytes) -> Asset:
        """Decode a raw asset; raises `MalformedError` on any other length or class index."""
        if raw == b"":
            return NATIVE
        if len(raw) != ASSET_TOKEN_LEN or raw[-1] >= MAX_TOKEN_CLASSES:
            raise MalformedError("asset must be empty (native) or a collective id + class index")
        return cls(raw[:COLLECTIVE_ID_LEN], raw[-1])

    def __repr__(self) -> str:
        if self.is_native:
            return "Asset(native)"
        return f"Asset({self.collective.hex()}/{self.token_class})"


NATIVE = Asset()
