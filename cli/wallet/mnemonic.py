"""Key backup as a BIP-39 mnemonic: 24 English words that recreate the key on any machine.

Derivation (documented in docs/cli.md, fixed forever: changing it would orphan every backup):

1. the mnemonic (24 words, 256 bits of entropy + 8-bit checksum; the `mnemonic` package keeps the
   word list and checks the checksum) and an empty passphrase give the 64-byte BIP-39 seed:
   PBKDF2-HMAC-SHA512(NFKD(words), "mnemonic", 2048 rounds);
2. SLIP-0010 for ed25519 derives the key at `m/44'/1729'/0'/0'/0'` (every level hardened, as
   SLIP-0010 requires for ed25519; 1729 is Coterie's coin type) from that seed;
3. the 32-byte result is the Ed25519 seed of the key (`ledger.keys.PrivateKey`).

So the same words give the same address in any wallet that follows these steps.
"""

from __future__ import annotations

import hashlib
import hmac

from mnemonic import Mnemonic

from ledger.keys import PrivateKey

WORDS = 24
ENTROPY_BITS = 256
COIN_TYPE = 1729
HARDENED = 0x8000_0000
PATH = (44 | HARDENED, COIN_TYPE | HARDENED, HARDENED, HARDENED, HARDENED)
PATH_TEXT = f"m/44'/{COIN_TYPE}'/0'/0'/0'"
_SLIP10_KEY = b"ed25519 seed"
_ENGLISH = Mnemonic("english")


class MnemonicError(ValueError):
    """The words are not a valid BIP-39 mnemonic (unknown word, wrong count or checksum)."""


def new_mnemonic() -> str:
    return _ENGLISH.generate(ENTROPY_BITS)


def normalize(words: str) -> str:
    """One space between lowercase words, so a backup typed back with any spacing is read."""
    return " ".join(words.lower().split())


def check(words: str) -> str:
    """The normalized mnemonic, or `MnemonicError` saying what is wrong with it."""
    text = normalize(words)
    count = len(text.split())
    if count not in (12, 15, 18, 21, 24):
        raise MnemonicError(f"a mnemonic has 12 to 24 words (24 for Coterie keys), got {count}")
    unknown = [w for w in text.split() if w not in _ENGLISH.wordlist]
    if unknown:
        raise MnemonicError(f"not a BIP-39 English word: {unknown[0]!r}")
    if not _ENGLISH.check(text):
        raise MnemonicError("the checksum does not match: a word is wrong or out of order")
    return text


def bip39_seed(words: str, passphrase: str = "") -> bytes:
    return Mnemonic.to_seed(check(words), passphrase)


def slip10_ed25519(seed: bytes, path: tuple[int, ...]) -> tuple[bytes, bytes]:
    """(private key, chain code) at `path` (hardened indexes only) from a BIP-39 seed."""
    digest = hmac.new(_SLIP10_KEY, seed, hashlib.sha512).digest()
    key, chain_code = digest[:32], digest[32:]
    for index in path:
        if index < HARDENED:
            raise ValueError("SLIP-0010 ed25519 derives hardened children only")
        data = b"\x00" + key + index.to_bytes(4, "big")
        digest = hmac.new(chain_code, data, hashlib.sha512).digest()
        key, chain_code = digest[:32], digest[32:]
    return key, chain_code


def key_from_mnemonic(words: str, passphrase: str = "") -> PrivateKey:
    seed, _ = slip10_ed25519(bip39_seed(words, passphrase), PATH)
    return PrivateKey(seed)
