"""Ed25519 keys and account addresses.

Signing uses `cryptography`. Verification uses PyNaCl (libsodium), measured here at about 7,700
verifies/s against 4,200/s for `cryptography` on one core: verification is the node's throughput
ceiling, so the faster library is worth its place. Both implement RFC 8032, so they agree.
"""

from __future__ import annotations

from dataclasses import dataclass

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from nacl.exceptions import CryptoError
from nacl.signing import VerifyKey

from ledger import bech32m
from ledger.hashing import digest

PUBLIC_KEY_LEN = 32
SIGNATURE_LEN = 64
ADDRESS_LEN = 20
SEED_LEN = 32


BY_KEY_MAX = 16_384  # public keys whose address is remembered (about 4 MiB at most)


@dataclass(frozen=True, slots=True)
class Address:
    """The first 20 bytes of SHA-256 of a public key; shown as bech32m with the chain's prefix."""

    raw: bytes

    def __post_init__(self) -> None:
        if len(self.raw) != ADDRESS_LEN:
            raise ValueError(f"an address is {ADDRESS_LEN} bytes, got {len(self.raw)}")

    @classmethod
    def from_public_key(cls, public_key: bytes) -> Address:
        """The address of `public_key`; remembered for the latest keys (`_BY_KEY`): every
        decoded tx derives its sender's, and a hash plus a frozen object cost about 0.7 µs."""
        found = _BY_KEY.get(public_key) if type(public_key) is bytes else None
        if found is None:
            found = cls(digest(public_key)[:ADDRESS_LEN])
            if type(public_key) is bytes:
                if len(_BY_KEY) >= BY_KEY_MAX:
                    _BY_KEY.clear()
                _BY_KEY[public_key] = found
        return found

    @classmethod
    def parse(cls, hrp: str, text: str) -> Address:
        """Parse a bech32m address; raises `bech32m.AddressError` on a wrong prefix or checksum."""
        raw = bech32m.decode(hrp, text.strip())
        if len(raw) != ADDRESS_LEN:
            raise bech32m.AddressError(f"address holds {len(raw)} bytes, expected {ADDRESS_LEN}")
        return cls(raw)

    def to_text(self, hrp: str) -> str:
        return bech32m.encode(hrp, self.raw)

    def __repr__(self) -> str:
        return f"Address({self.raw.hex()})"


_BY_KEY: dict[bytes, Address] = {}


class PrivateKey:
    """An Ed25519 signing key. Never encoded on chain; the keystore encrypts its seed."""

    __slots__ = ("_key", "public_key")

    def __init__(self, seed: bytes) -> None:
        if len(seed) != SEED_LEN:
            raise ValueError(f"an Ed25519 seed is {SEED_LEN} bytes")
        self._key = Ed25519PrivateKey.from_private_bytes(seed)
        self.public_key: bytes = self._key.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )

    @classmethod
    def generate(cls) -> PrivateKey:
        key = Ed25519PrivateKey.generate()
        return cls(
            key.private_bytes(
                serialization.Encoding.Raw,
                serialization.PrivateFormat.Raw,
                serialization.NoEncryption(),
            )
        )

    @classmethod
    def from_secret(cls, secret: bytes) -> PrivateKey:
        """A deterministic key derived from any secret (dev accounts, tests)."""
        return cls(digest(b"coterie/dev-key\x00" + secret))

    def seed(self) -> bytes:
        return self._key.private_bytes(
            serialization.Encoding.Raw,
            serialization.PrivateFormat.Raw,
            serialization.NoEncryption(),
        )

    @property
    def address(self) -> Address:
        return Address.from_public_key(self.public_key)

    def sign(self, message: bytes) -> bytes:
        return self._key.sign(message)


def verify(public_key: bytes, message: bytes, signature: bytes) -> bool:
    """True when `signature` is a valid Ed25519 signature of `message` by `public_key`."""
    if len(public_key) != PUBLIC_KEY_LEN or len(signature) != SIGNATURE_LEN:
        return False
    try:
        VerifyKey(public_key).verify(message, signature)
    except (CryptoError, ValueError, TypeError):
        return False
    return True
