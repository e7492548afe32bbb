"""BIP-39 and SLIP-0010 (ed25519) against their published test vectors, and our fixed path."""

from __future__ import annotations

import pytest

from cli.wallet.mnemonic import (
    HARDENED,
    MnemonicError,
    bip39_seed,
    check,
    key_from_mnemonic,
    new_mnemonic,
    slip10_ed25519,
)

# BIP-39 (Trezor's vectors.json, passphrase "TREZOR")
BIP39 = [
    (
        "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon "
        "about",
        "c55257c360c07c72029aebc1b53c05ed0362ada38ead3e3e9efa3708e53495531f09a6987599d18264c1e1c9"
        "2f2cf141630c7a3c4ab7c81b2f001698e7463b04",
    ),
    (
        "legal winner thank year wave sausage worth useful legal winner thank yellow",
        "2e8905819b8723fe2c1d161860e5ee1830318dbf49a83bd451cfb8440c28bd6fa457fe1296106559a3c80937"
        "a1c1069be3a3a5bd381ee6260e8d9739fce1f607",
    ),
    (
        " ".join(["abandon"] * 23 + ["art"]),
        "bda85446c68413707090a52022edd26a1c9462295029f2e60cd7c4f2bbd3097170af7a4d73245cafa9c3cca8"
        "d561a7c3de6f5d4a10be8ed2a5e608d68f92fcc8",
    ),
]

# SLIP-0010 test vector 1 for ed25519: seed 000102...0f
SLIP10_SEED = bytes(range(16))
SLIP10 = [
    (
        (),
        "90046a93de5380a72b5e45010748567d5ea02bbf6522f979e05c0d8d8ca9fffb",
        "2b4be7f19ee27bbf30c667b642d5f4aa69fd169872f8fc3059c08ebae2eb19e7",
    ),
    (
        (0,),
        "8b59aa11380b624e81507a27fedda59fea6d0b779a778918a2fd3590e16e9c69",
        "68e0fe46dfb67e368c75379acec591dad19df3cde26e63b93a8e704f1dade7a3",
    ),
    (
        (0, 1),
        "a320425f77d1b5c2505a6b1b27382b37368ee640e3557c315416801243552f14",
        "b1d0bad404bf35da785a64ca1ac54b2617211d2777696fbffaf208f746ae84f2",
    ),
    (
        (0, 1, 2, 2),
        "8f6d87f93d750e0efccda017d662a1b31a266e4a6f5993b15f5c1f07f74dd5cc",
        "30d1dc7e5fc04c31219ab25a27ae00b50f6fd66622f6e9c913253d6511d1e662",
    ),
]


@pytest.mark.parametrize(("words", "seed"), BIP39)
def test_bip39_vectors(words: str, seed: str) -> None:
    assert bip39_seed(words, "TREZOR").hex() == seed


@pytest.mark.parametrize(("path", "chain_code", "key"), SLIP10)
def test_slip10_ed25519_vectors(path: tuple[int, ...], chain_code: str, key: str) -> None:
    derived, code = slip10_ed25519(SLIP10_SEED, tuple(i | HARDENED for i in path))
    assert (derived.hex(), code.hex()) == (key, chain_code)


def test_only_hardened_children() -> None:
    with pytest.raises(ValueError, match="hardened"):
        slip10_ed25519(SLIP10_SEED, (1,))


def test_a_new_mnemonic_has_24_words_and_one_key() -> None:
    words = new_mnemonic()
    assert len(words.split()) == 24 and check(words) == words
    assert key_from_mnemonic(words).public_key == key_from_mnemonic(words.upper()).public_key
    assert new_mnemonic() != words


def test_our_path_is_fixed() -> None:
    """A regression pin: changing the derivation would orphan every written-down backup."""
    key = key_from_mnemonic(BIP39[2][0])
    assert key.seed().hex() == _PINNED


def test_bad_mnemonics() -> None:
    for words, what in [
        ("abandon " * 11 + "abandon", "checksum"),
        ("abandon about", "12 to 24"),
        ("abandon " * 11 + "xyzzy", "xyzzy"),
    ]:
        with pytest.raises(MnemonicError, match=what):
            check(words)


_PINNED = "e6d9a3f4afded9a2b0896a9c7d6d3409c5e51847eaae2147916da25780126c4d"
