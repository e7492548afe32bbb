"""Password-based sealing of a key seed: scrypt derives a key, AES-256-GCM encrypts the seed.

scrypt derives 64 bytes from the password: the first 32 are the AES-256-GCM key, the last 32 feed a
password check (SHA-256 under a tag) stored next to the ciphertext. The check costs an attacker the
same scrypt run as the AEAD tag does, so it leaks nothing new, but it lets the wallet tell a wrong
password (check fails) from a file whose ciphertext or bound metadata was altered (check passes,
AEAD fails): two different messages for two different problems.

The caller passes associated data (the key's name and public key, canonically encoded), so a sealed
seed cannot be moved to another name or paired with another public key unnoticed.
"""

from __future__ import annotations

import hmac
import os
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from ledger.hashing import tagged_digest

KDF_NAME = "scrypt"
CIPHER_NAME = "aes-256-gcm"
DEFAULT_SCRYPT_N = 2**15
SCRYPT_R = 8
SCRYPT_P = 1
SALT_LEN = 16
NONCE_LEN = 12
TAG_LEN = 16
CHECK_LEN = 32
# Bounds on parameters read from a file, so that a crafted file cannot ask for gigabytes of memory.
MIN_SCRYPT_N = 2**4
MAX_SCRYPT_N = 2**20
MAX_SCRYPT_R = 32
MAX_SCRYPT_P = 16
# scrypt takes 128 * n * r bytes of memory and about n * r * p units of work: each bound alone
# let a crafted file ask for 4 GiB (2^20 * 32 * 128), so their products are bounded too.
MAX_SCRYPT_MEMORY = 256 * 1024 * 1024
MAX_SCRYPT_WORK = 2**20 * 8
_CHECK_TAG = b"coterie/keystore/password-check"


class SealError(ValueError):
    """Sealed data that cannot be opened; `wrong_password` says if the password is at fault."""

    def __init__(self, message: str, wrong_password: bool) -> None:
        super().__init__(message)
        self.wrong_password = wrong_password


@dataclass(frozen=True, slots=True)
class ScryptParams:
    n: int = DEFAULT_SCRYPT_N
    r: int = SCRYPT_R
    p: int = SCRYPT_P

    def __post_init__(self) -> None:
        check_scrypt_n(self.n)
        if not 1 <= self.r <= MAX_SCRYPT_R:
            raise ValueError(f"scrypt r must be in [1, {MAX_SCRYPT_R}], got {self.r}")
        if not 1 <= self.p <= MAX_SCRYPT_P:
            raise ValueError(f"scrypt p must be in [1, {MAX_SCRYPT_P}], got {self.p}")
        if 128 * self.n * self.r > MAX_SCRYPT_MEMORY:
            raise ValueError(
                f"scrypt n * r asks for {128 * self.n * self.r} bytes of memory, above "
                f"{MAX_SCRYPT_MEMORY}"
            )
        if self.n * self.r * self.p > MAX_SCRYPT_WORK:
            raise ValueError(f"scrypt n * r * p is above {MAX_SCRYPT_WORK}")


def check_scrypt_n(n: int) -> int:
    """`n` itself when it is a power of two within the bounds; ValueError otherwise."""
    if n < MIN_SCRYPT_N or n > MAX_SCRYPT_N or n & (n - 1):
        raise ValueError(f"scrypt n must be a power of two in [{MIN_SCRYPT_N}, {MAX_SCRYPT_N}]")
    return n


@dataclass(frozen=True, slots=True)
class Sealed:
    """What goes into a key file's `crypto` section."""

    params: ScryptParams
    salt: bytes
    nonce: bytes
    check: bytes
    ciphertext: bytes  # includes the 16-byte GCM tag


def _derive(password: str, salt: bytes, params: ScryptParams) -> tuple[bytes, bytes]:
    kdf = Scrypt(salt=salt, length=64, n=params.n, r=params.r, p=params.p)
    derived = kdf.derive(password.encode("utf-8"))
    return derived[:32], tagged_digest(_CHECK_TAG, derived[32:])


def seal(secret: bytes, password: str, associated_data: bytes, params: ScryptParams) -> Sealed:
    salt = os.urandom(SALT_LEN)
    nonce = os.urandom(NONCE_LEN)
    key, check = _derive(password, salt, params)
    ciphertext = AESGCM(key).encrypt(nonce, secret, associated_data)
    return Sealed(params, salt, nonce, check, ciphertext)


def open_sealed(sealed: Sealed, password: str, associated_data: bytes) -> bytes:
    """The secret; `SealError` for a wrong password or altered data."""
    key, check = _derive(password, sealed.salt, sealed.params)
    if not hmac.compare_digest(check, sealed.check):
        raise SealError("wrong password", wrong_password=True)
    try:
        return AESGCM(key).decrypt(sealed.nonce, sealed.ciphertext, associated_data)
    except InvalidTag as exc:
        raise SealError("authentication failed", wrong_password=False) from exc
