"""`coterie keys ...`: every command, its errors, and that a failure changes nothing."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from cli.errors import ExitCode
from cli.wallet.mnemonic import key_from_mnemonic
from ledger.genesis import Genesis
from ledger.keys import PrivateKey
from tests.cli.helpers import ALICE_SEED, PASSWORD, Invoke, StoredKey, fails, read_json


def test_new_key_prompts_twice_and_stores_it_encrypted(invoke: Invoke, home: Path) -> None:
    result = invoke(["keys", "new", "carol"], input=f"{PASSWORD}\n{PASSWORD}\n")
    assert result.exit_code == 0, result.output
    assert "created key 'carol'" in result.stdout
    assert "exists only on this machine" in result.stderr
    path = home / "keys" / "carol.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    doc = json.loads(path.read_text())
    assert doc["version"] == 1 and doc["name"] == "carol" and doc["type"] == "ed25519"
    assert doc["crypto"]["cipher"] == "aes-256-gcm"
    assert doc["crypto"]["kdf_params"]["n"] == 16  # lowered by the test env
    assert "seed" not in doc["crypto"]
    assert doc["public_key"] in result.stdout


def test_new_key_reprompts_when_the_confirmation_differs(invoke: Invoke, home: Path) -> None:
    typed = f"{PASSWORD}\nsomething else\n{PASSWORD}\n{PASSWORD}\n"
    result = invoke(["keys", "new", "carol"], input=typed)
    assert result.exit_code == 0, result.output
    assert "do not match" in result.output
    assert (home / "keys" / "carol.json").exists()


def test_new_key_json_output_and_prefix(invoke: Invoke) -> None:
    result = invoke(
        ["keys", "new", "dan", "--output", "json", "--prefix", "cot"], password=PASSWORD
    )
    assert result.exit_code == 0, result.output
    data = read_json(result)
    assert data["name"] == "dan" and data["encrypted"] is True
    assert data["address"].startswith("cot1")
    assert len(bytes.fromhex(data["public_key"])) == 32


def test_new_key_refuses_a_short_password(invoke: Invoke, home: Path) -> None:
    fails(invoke(["keys", "new", "carol"], password="short"), ExitCode.INVALID_INPUT, "at least 8")
    assert not (home / "keys" / "carol.json").exists()


def test_a_short_typed_password_is_refused_before_it_is_repeated(
    invoke: Invoke, home: Path
) -> None:
    """Issue 15: the prompt says so at once and asks again, not after the second entry."""
    result = invoke(["keys", "new", "carol"], input="short\nlonger-pass\nlonger-pass\n")
    assert result.exit_code == 0, result.output
    assert "at least 8 characters; type a longer one" in result.output
    assert result.output.index("type a longer one") < result.output.index("Repeat the password")


def test_new_key_refuses_an_existing_name(invoke: Invoke, alice: StoredKey) -> None:
    before = alice.path.read_bytes()
    fails(invoke(["keys", "new", "alice"], password=PASSWORD), ExitCode.KEYSTORE, "already exists")
    assert alice.path.read_bytes() == before


def test_invalid_key_names_are_refused(invoke: Invoke, home: Path) -> None:
    for name in ["../evil", "Alice", "", "-x", "a" * 41, "a b"]:
        result = invoke(["keys", "new", "--", name], password=PASSWORD)
        fails(result, ExitCode.KEYSTORE, "invalid key name")
    assert not (home / "keys").exists() or not list((home / "keys").iterdir())


def test_list_shows_every_key(invoke: Invoke, alice: StoredKey, bob: StoredKey) -> None:
    text = invoke(["keys", "list"])
    assert text.exit_code == 0
    assert alice.address() in text.stdout and bob.address() in text.stdout
    rows = read_json(invoke(["keys", "list", "--output", "json"]))
    assert [row["name"] for row in rows] == ["alice", "bob"]
    assert rows[0]["address"] == alice.address()
    assert rows[0]["public_key"] == alice.key.public_key.hex()


def test_list_of_an_empty_wallet(invoke: Invoke) -> None:
    result = invoke(["keys", "list"])
    assert result.exit_code == 0 and "no keys" in result.stdout
    assert read_json(invoke(["keys", "list", "--output", "json"])) == []


def test_list_reports_a_broken_file_and_still_lists_the_rest(
    invoke: Invoke, alice: StoredKey, home: Path
) -> None:
    (home / "keys" / "broken.json").write_text("{not json")
    result = invoke(["keys", "list"])
    assert result.exit_code == 0
    assert alice.address() in result.stdout and "UNREADABLE" in result.stdout
    rows = read_json(invoke(["keys", "list", "--output", "json"]))
    assert rows[0]["name"] == "alice" and "corrupted" in rows[1]["error"]


def test_show_needs_no_password(invoke: Invoke, alice: StoredKey) -> None:
    result = invoke(["keys", "show", "alice"])
    assert result.exit_code == 0
    assert alice.address() in result.stdout
    assert alice.key.public_key.hex() in result.stdout
    data = read_json(invoke(["keys", "show", "alice", "--output", "json"]))
    assert data == {
        "name": "alice",
        "address": alice.address(),
        "public_key": alice.key.public_key.hex(),
        "encrypted": True,
        "path": str(alice.path),
    }


def test_show_with_a_prefix_or_a_genesis(
    invoke: Invoke, alice: StoredKey, genesis: tuple[Genesis, Path]
) -> None:
    shown = read_json(invoke(["keys", "show", "alice", "--prefix", "cot", "--output", "json"]))
    assert shown["address"] == alice.address("cot")
    from_genesis = invoke(
        ["keys", "show", "alice", "--genesis", str(genesis[1]), "--output", "json"]
    )
    assert read_json(from_genesis)["address"] == alice.address("tcot")
    fails(invoke(["keys", "show", "alice", "--prefix", "Bad!"]), ExitCode.USAGE, "invalid --prefix")
    fails(
        invoke(["keys", "show", "alice", "--prefix", "cot", "--genesis", str(genesis[1])]),
        ExitCode.USAGE,
        "differs from the genesis prefix",
    )


def test_unknown_key_is_a_clear_error(invoke: Invoke) -> None:
    fails(invoke(["keys", "show", "nobody"]), ExitCode.KEYSTORE, "no key named 'nobody'")
    fails(invoke(["keys", "export", "nobody"]), ExitCode.KEYSTORE, "no key named 'nobody'")
    fails(invoke(["keys", "delete", "nobody", "-y"]), ExitCode.KEYSTORE, "no key named 'nobody'")


def test_missing_genesis_file_is_a_clear_error(invoke: Invoke, alice: StoredKey) -> None:
    fails(invoke(["keys", "show", "alice", "--genesis", "/nonexistent/genesis.json"]), 3, "genesis")


def test_import_from_a_prompt_then_export_gives_the_seed_back(invoke: Invoke) -> None:
    typed = f"{ALICE_SEED.hex()}\n{PASSWORD}\n{PASSWORD}\n"
    imported = invoke(["keys", "import", "carol", "--output", "json"], input=typed)
    assert imported.exit_code == 0, imported.output
    assert read_json(imported)["address"] == PrivateKey(ALICE_SEED).address.to_text("tcot")
    exported = invoke(["keys", "export", "carol"], input=f"{PASSWORD}\n")
    assert exported.exit_code == 0, exported.output
    assert exported.stdout.strip() == ALICE_SEED.hex()
    assert "WARNING" in exported.stderr and "secret seed" in exported.stderr


def test_import_notes_a_key_stored_twice(invoke: Invoke, alice: StoredKey, tmp_path: Path) -> None:
    seed_file = tmp_path / "seed"
    seed_file.write_text("0x" + ALICE_SEED.hex())
    result = invoke(["keys", "import", "copy", "--seed-file", str(seed_file)], password=PASSWORD)
    assert result.exit_code == 0
    assert "already stored as 'alice'" in result.stderr


def test_import_rejects_a_bad_seed(invoke: Invoke, home: Path, tmp_path: Path) -> None:
    seed_file = tmp_path / "seed"
    for text, message in [("zz" * 32, "not hex"), ("ab" * 31, "32 bytes")]:
        seed_file.write_text(text)
        result = invoke(
            ["keys", "import", "carol", "--seed-file", str(seed_file)], password=PASSWORD
        )
        fails(result, ExitCode.INVALID_INPUT, message)
    assert not (home / "keys" / "carol.json").exists()


def test_export_json_with_a_password_file(
    invoke: Invoke, alice: StoredKey, password_file: Path
) -> None:
    result = invoke(
        ["keys", "export", "alice", "--password-file", str(password_file), "--output", "json"]
    )
    assert result.exit_code == 0, result.output
    assert read_json(result) == {
        "name": "alice",
        "address": alice.address(),
        "seed": ALICE_SEED.hex(),
    }


def test_wrong_password_is_a_clear_error_and_changes_nothing(
    invoke: Invoke, alice: StoredKey, tmp_path: Path
) -> None:
    before = alice.path.read_bytes()
    fails(
        invoke(["keys", "export", "alice"], input="not the password\n"),
        ExitCode.WRONG_PASSWORD,
        "wrong password for key 'alice'",
    )
    fails(invoke(["keys", "export", "alice"], password="nope nope"), ExitCode.WRONG_PASSWORD)
    wrong_file = tmp_path / "wrong.txt"
    wrong_file.write_text("also wrong\n")
    fails(
        invoke(["keys", "export", "alice", "--password-file", str(wrong_file)]),
        ExitCode.WRONG_PASSWORD,
        "wrong password",
    )
    assert alice.path.read_bytes() == before


def test_missing_password_file_is_a_clear_error(invoke: Invoke, alice: StoredKey) -> None:
    fails(
        invoke(["keys", "export", "alice", "--password-file", "/nonexistent/pw"]),
        ExitCode.ERROR,
        "cannot read password file",
    )


def test_delete_without_a_terminal_needs_yes(invoke: Invoke, alice: StoredKey) -> None:
    fails(invoke(["keys", "delete", "alice"], input="y\n"), ExitCode.USAGE, "not a terminal")
    assert alice.path.exists()


@pytest.mark.usefixtures("tty")
def test_delete_asks_first(invoke: Invoke, alice: StoredKey) -> None:
    kept = invoke(["keys", "delete", "alice"], input="n\n")
    assert kept.exit_code == 1 and "Aborted" in kept.output
    assert alice.path.exists()
    deleted = invoke(["keys", "delete", "alice"], input="y\n")
    assert deleted.exit_code == 0 and "deleted key 'alice'" in deleted.stdout
    assert not alice.path.exists()


def test_delete_with_yes_and_a_broken_file(invoke: Invoke, alice: StoredKey) -> None:
    alice.path.write_text("garbage")
    result = invoke(["keys", "delete", "alice", "-y"])
    assert result.exit_code == 0
    assert not alice.path.exists()


def test_home_option_overrides_the_environment(invoke: Invoke, tmp_path: Path) -> None:
    other = tmp_path / "other-home"
    result = invoke(["keys", "new", "erin", "--home", str(other)], password=PASSWORD)
    assert result.exit_code == 0
    assert (other / "keys" / "erin.json").exists()
    assert "erin" not in invoke(["keys", "list"]).stdout


def test_a_bad_scrypt_override_is_refused(invoke: Invoke) -> None:
    result = invoke(
        ["keys", "new", "carol"], password=PASSWORD, env={"COTERIE_KEYSTORE_SCRYPT_N": "1000"}
    )
    fails(result, ExitCode.USAGE, "power of two")


def test_new_shows_a_mnemonic_that_recovers_the_same_address(
    invoke: Invoke, home: Path, tmp_path: Path
) -> None:
    made = invoke(["keys", "new", "carol"], password=PASSWORD)
    assert made.exit_code == 0, made.output
    assert "Write down these 24 words" in made.stderr
    assert "exists only on this machine" in made.stderr
    data = read_json(invoke(["keys", "new", "dave", "--output", "json"], password=PASSWORD))
    words = data["mnemonic"]
    assert len(words.split()) == 24 and data["derivation"] == "m/44'/1729'/0'/0'/0'"
    assert key_from_mnemonic(words).public_key.hex() == data["public_key"]
    backup = tmp_path / "words.txt"
    backup.write_text("  " + words.upper().replace(" ", "\n  ") + "\n")  # any spacing or case
    recovered = invoke(
        ["keys", "recover", "dave2", "--mnemonic-file", str(backup), "--output", "json"],
        password=PASSWORD,
    )
    assert recovered.exit_code == 0, recovered.output
    assert read_json(recovered)["address"] == data["address"]
    assert "already stored as 'dave'" in recovered.stderr
    typed = invoke(["keys", "recover", "dave3"], input=f"{words}\n", password=PASSWORD)
    assert typed.exit_code == 0, typed.output
    assert data["address"] in typed.stdout


def test_recover_refuses_a_bad_mnemonic(invoke: Invoke, home: Path) -> None:
    words = ["abandon"] * 23 + ["art"]
    swapped = " ".join(["art", *words[:-1]])
    fails(
        invoke(["keys", "recover", "x"], input=swapped + "\n", password=PASSWORD),
        ExitCode.INVALID_INPUT,
        "checksum",
    )
    fails(
        invoke(["keys", "recover", "x"], input="abandon bogus\n", password=PASSWORD),
        ExitCode.INVALID_INPUT,
        "12 to 24 words",
    )
    unknown = " ".join(["abandon"] * 23 + ["notaword"])
    fails(
        invoke(["keys", "recover", "x"], input=unknown + "\n", password=PASSWORD),
        ExitCode.INVALID_INPUT,
        "notaword",
    )
    assert not (home / "keys" / "x.json").exists()
