"""The keystore: sealing, what the AEAD binds, corrupted files, and the plaintext dev keyring."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from cli.errors import ExitCode
from cli.wallet import sealing
from cli.wallet.keystore import (
    KeyExistsError,
    Keystore,
    PlaintextRefusedError,
    WrongPasswordError,
    associated_data,
)
from cli.wallet.sealing import ScryptParams
from ledger.keys import PrivateKey
from tests.cli.helpers import ALICE_SEED, PASSWORD, Invoke, StoredKey, fails, read_json

FAST = ScryptParams(n=16)


def _never() -> str:
    raise AssertionError("the password was asked for")


def test_the_default_cost_is_scrypt_n_2_15(tmp_path: Path) -> None:
    store = Keystore(tmp_path)
    assert store.scrypt == ScryptParams(n=2**15, r=8, p=1)
    store.add("slow", PrivateKey(ALICE_SEED), PASSWORD)
    doc = json.loads(store.path("slow").read_text())
    assert doc["crypto"]["kdf_params"]["n"] == 2**15
    assert store.unlock("slow", lambda: PASSWORD).seed() == ALICE_SEED


def test_seal_round_trip_and_what_it_binds() -> None:
    key = PrivateKey(ALICE_SEED)
    aad = associated_data("alice", key.public_key)
    sealed = sealing.seal(ALICE_SEED, PASSWORD, aad, FAST)
    assert sealing.open_sealed(sealed, PASSWORD, aad) == ALICE_SEED
    with pytest.raises(sealing.SealError) as wrong:
        sealing.open_sealed(sealed, "another password", aad)
    assert wrong.value.wrong_password
    with pytest.raises(sealing.SealError) as moved:
        sealing.open_sealed(sealed, PASSWORD, associated_data("mallory", key.public_key))
    assert not moved.value.wrong_password
    other = PrivateKey.generate().public_key
    with pytest.raises(sealing.SealError):
        sealing.open_sealed(sealed, PASSWORD, associated_data("alice", other))


def test_scrypt_parameters_are_bounded() -> None:
    for n in [0, 1, 8, 1000, 2**21]:
        with pytest.raises(ValueError, match="power of two"):
            ScryptParams(n=n)
    with pytest.raises(ValueError):
        ScryptParams(n=16, r=64)
    with pytest.raises(ValueError):
        ScryptParams(n=16, p=0)


def test_unlock_asks_for_the_password_only_for_encrypted_keys(tmp_path: Path) -> None:
    store = Keystore(tmp_path, FAST)
    store.add_plaintext("dev", PrivateKey(ALICE_SEED))
    assert store.unlock("dev", _never, allow_plaintext=True).seed() == ALICE_SEED
    with pytest.raises(PlaintextRefusedError, match="--insecure-dev"):
        store.unlock("dev", _never)
    store.add("enc", PrivateKey(ALICE_SEED), PASSWORD)
    with pytest.raises(WrongPasswordError, match="wrong password for key 'enc'"):
        store.unlock("enc", lambda: "nope", allow_plaintext=True)


def test_adding_a_taken_name_keeps_the_first_key(tmp_path: Path) -> None:
    store = Keystore(tmp_path, FAST)
    store.add("alice", PrivateKey(ALICE_SEED), PASSWORD)
    before = store.path("alice").read_bytes()
    with pytest.raises(KeyExistsError):
        store.add("alice", PrivateKey.generate(), PASSWORD)
    assert store.path("alice").read_bytes() == before
    assert [p.name for p in store.keys_dir.iterdir()] == ["alice.json"]  # no temporary left


def _edit(path: Path, change: Any) -> None:
    doc = json.loads(path.read_text())
    change(doc)
    path.write_text(json.dumps(doc))


def _flip_hex(value: str) -> str:
    return ("0" if value[0] != "0" else "1") + value[1:]


CORRUPTIONS = [
    ("not json", lambda path: path.write_text("{oops"), "not valid JSON"),
    ("empty", lambda path: path.write_text(""), "not valid JSON"),
    ("a list", lambda path: path.write_text("[]"), "not a JSON object"),
    ("version", lambda p: _edit(p, lambda d: d.update(version=9)), "unsupported version 9"),
    ("renamed", lambda p: _edit(p, lambda d: d.update(name="bob")), "was the file renamed"),
    ("key type", lambda p: _edit(p, lambda d: d.update(type="rsa")), "unsupported key type"),
    (
        "public key",
        lambda p: _edit(p, lambda d: d.update(public_key=_flip_hex(d["public_key"]))),
        "address does not match",
    ),
    ("address", lambda p: _edit(p, lambda d: d.update(address="00")), "holds 1 bytes"),
    (
        "ciphertext",
        lambda p: _edit(
            p, lambda d: d["crypto"].update(ciphertext=_flip_hex(d["crypto"]["ciphertext"]))
        ),
        "was altered",
    ),
    (
        "nonce",
        lambda p: _edit(p, lambda d: d["crypto"].update(nonce="zz")),
        "'nonce' is not hex",
    ),
    (
        "huge scrypt n",
        lambda p: _edit(p, lambda d: d["crypto"]["kdf_params"].update(n=2**30)),
        "bad kdf_params",
    ),
    (
        "cipher",
        lambda p: _edit(p, lambda d: d["crypto"].update(cipher="rot13")),
        "unsupported cipher",
    ),
    ("no crypto", lambda p: _edit(p, lambda d: d.pop("crypto")), "missing 'crypto'"),
]


@pytest.mark.parametrize(
    ("corrupt", "message"),
    [(c, m) for _, c, m in CORRUPTIONS],
    ids=[name for name, _, _ in CORRUPTIONS],
)
def test_a_corrupted_key_file_is_a_clear_error(
    invoke: Invoke, alice: StoredKey, corrupt: Any, message: str
) -> None:
    corrupt(alice.path)
    before = alice.path.read_bytes()
    result = invoke(["keys", "export", "alice"], password=PASSWORD)
    fails(result, ExitCode.KEYSTORE, "is corrupted", message)
    assert alice.path.read_bytes() == before


def test_a_swapped_seed_is_caught(invoke: Invoke, alice: StoredKey, bob: StoredKey) -> None:
    """Bob's sealed seed pasted into alice's file: the AEAD binding refuses it."""
    bob_crypto = json.loads(bob.path.read_text())["crypto"]
    _edit(alice.path, lambda d: d.update(crypto=bob_crypto))
    fails(invoke(["keys", "export", "alice"], password=PASSWORD), ExitCode.KEYSTORE, "altered")


def test_plaintext_keyring_only_with_the_flag(invoke: Invoke, home: Path) -> None:
    created = invoke(["keys", "new", "dev", "--insecure-dev", "--output", "json"])
    assert created.exit_code == 0, created.output
    assert "UNENCRYPTED" in created.stderr
    assert read_json(created)["encrypted"] is False
    path = home / "keys" / "dev.json"
    assert json.loads(path.read_text())["crypto"]["cipher"] == "none"
    before = path.read_bytes()
    fails(invoke(["keys", "export", "dev"]), ExitCode.KEYSTORE, "unencrypted", "--insecure-dev")
    assert path.read_bytes() == before
    exported = invoke(["keys", "export", "dev", "--insecure-dev"])
    assert exported.exit_code == 0
    assert PrivateKey(bytes.fromhex(exported.stdout.strip())).public_key.hex() in path.read_text()
    assert "PLAINTEXT" in invoke(["keys", "list"]).stdout
    assert "PLAINTEXT" in invoke(["keys", "show", "dev"]).stdout


def test_the_flag_does_not_weaken_encrypted_keys(invoke: Invoke, alice: StoredKey) -> None:
    fails(
        invoke(["keys", "export", "alice", "--insecure-dev"], password="wrong password"),
        ExitCode.WRONG_PASSWORD,
    )


def test_a_crafted_key_file_cannot_ask_for_gigabytes() -> None:
    """Issue 14: n and r each within their bounds still made 2^20 * 32 * 128 B = 4 GiB."""
    with pytest.raises(ValueError, match="memory"):
        ScryptParams(n=2**20, r=32)
    with pytest.raises(ValueError, match="n \\* r \\* p"):
        ScryptParams(n=2**16, r=16, p=16)
    assert ScryptParams(n=2**18, r=8, p=1)  # 256 MiB: the most a file may ask for
