"""`coterie tx ...`: generate-only, offline signing, show, and every bad input they meet."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cli.errors import ExitCode
from ledger.genesis import Genesis
from ledger.tx import SignedTx, Transfer, TxBody, TxKind
from tests.cli.helpers import CHAIN_ID, PASSWORD, Invoke, StoredKey, fails, read_json

GENESIS_HASH_FLAG = "--genesis-hash"


def _transfer_args(to: str, *extra: str) -> list[str]:
    return [
        "tx", "transfer", "--from", "alice", "--to", to, "--amount", "25", "--nonce", "3",
        *extra,
    ]  # fmt: skip


def _sign(invoke: Invoke, unsigned: Path, out: Path, genesis_path: Path, *extra: str) -> None:
    args = ["tx", "sign", str(unsigned), "--genesis", str(genesis_path), "--out", str(out)]
    result = invoke([*args, "-y", *extra], password=PASSWORD)
    assert result.exit_code == 0, result.output


def test_generate_sign_show_round_trip(
    *,
    invoke: Invoke,
    alice: StoredKey,
    bob: StoredKey,
    unsigned_tx: Path,
    genesis: tuple[Genesis, Path],
    tmp_path: Path,
) -> None:
    value, genesis_path = genesis
    unsigned = json.loads(unsigned_tx.read_text())
    assert unsigned["format"] == "coterie-tx/v1" and unsigned["signed"] is False
    assert unsigned["tx"]["payload"] == {"recipient": bob.address(), "amount": 25, "memo": "rent"}
    assert unsigned["tx"]["sender"] == alice.address()

    signed_path = tmp_path / "signed.json"
    _sign(invoke, unsigned_tx, signed_path, genesis_path)
    signed_doc = json.loads(signed_path.read_text())
    assert signed_doc["signed"] is True
    assert signed_doc["signed_for_genesis"] == value.hash().hex()
    assert signed_doc["body_hex"] == unsigned["body_hex"]

    tx = SignedTx.decode(bytes.fromhex(signed_doc["signed_hex"]))
    assert tx.verify_signature(value.hash())
    assert tx.hash.hex() == signed_doc["hash"]
    assert tx.body == TxBody(
        CHAIN_ID, alice.key.public_key, 3, 2, Transfer(bob.key.address, 25, "rent")
    )
    assert tx.body.kind is TxKind.TRANSFER

    shown = invoke(["tx", "show", str(signed_path), "--genesis", str(genesis_path)])
    assert shown.exit_code == 0, shown.output
    for fragment in [
        "transfer (1)", alice.address(), bob.address(), "nonce       3", "fee         2",
        '"rent"', tx.hash.hex(), "signature   valid for genesis",
    ]:  # fmt: skip
        assert fragment in shown.stdout, fragment
    data = read_json(
        invoke(["tx", "show", str(signed_path), "--genesis", str(genesis_path), "--output", "json"])
    )
    assert data["signature_valid"] is True and data["hash"] == tx.hash.hex()
    assert data["tx"] == unsigned["tx"]


def test_sign_and_show_with_a_genesis_hash(
    invoke: Invoke, unsigned_tx: Path, genesis: tuple[Genesis, Path], tmp_path: Path
) -> None:
    value = genesis[0]
    signed_path = tmp_path / "signed.json"
    args = ["tx", "sign", str(unsigned_tx), GENESIS_HASH_FLAG, value.hash().hex()]
    result = invoke([*args, "--from", "alice", "-y", "--out", str(signed_path)], password=PASSWORD)
    assert result.exit_code == 0, result.output
    tx = SignedTx.decode(bytes.fromhex(json.loads(signed_path.read_text())["signed_hex"]))
    assert tx.verify_signature(value.hash())
    other = read_json(
        invoke(["tx", "show", str(signed_path), GENESIS_HASH_FLAG, "11" * 32, "--output", "json"])
    )
    assert other["signature_valid"] is False
    unchecked = invoke(["tx", "show", str(signed_path)])
    assert "not checked" in unchecked.stdout
    assert (
        read_json(invoke(["tx", "show", str(signed_path), "--output", "json"]))["signature_valid"]
        is None
    )


def test_sign_without_a_terminal_needs_yes(
    invoke: Invoke, unsigned_tx: Path, genesis: tuple[Genesis, Path], password_file: Path
) -> None:
    args = ["tx", "sign", str(unsigned_tx), "--genesis", str(genesis[1])]
    fails(invoke(args, input="y\n"), ExitCode.USAGE, "not a terminal", "-y")


@pytest.mark.usefixtures("tty")
def test_sign_writes_to_stdout_and_asks_first(
    invoke: Invoke, unsigned_tx: Path, genesis: tuple[Genesis, Path], password_file: Path
) -> None:
    args = ["tx", "sign", str(unsigned_tx), "--genesis", str(genesis[1])]
    declined = invoke(args, input="n\n")
    assert declined.exit_code == 1 and "Aborted" in declined.output
    accepted = invoke([*args, "--password-file", str(password_file)], input="y\n")
    assert accepted.exit_code == 0, accepted.output
    assert "Sign this transaction?" in accepted.stderr
    assert read_json(accepted)["signed"] is True  # stdout holds only the signed tx


def test_transfer_to_stdout_and_from_genesis(
    invoke: Invoke, alice: StoredKey, bob: StoredKey, genesis: tuple[Genesis, Path]
) -> None:
    args = _transfer_args(bob.address(), "--genesis", str(genesis[1]), "--generate-only")
    result = invoke(args)
    assert result.exit_code == 0, result.output
    doc = read_json(result)
    assert doc["tx"]["chain_id"] == CHAIN_ID and doc["tx"]["fee"] == 0
    assert doc["tx"]["payload"]["memo"] == ""


def test_transfer_bad_inputs(
    invoke: Invoke, alice: StoredKey, bob: StoredKey, genesis: tuple[Genesis, Path]
) -> None:
    to = bob.address()
    chain = ["--chain-id", CHAIN_ID, "--generate-only"]
    other_chain = bob.key.address.to_text("cot")
    fails(invoke(_transfer_args(other_chain, *chain)), 3, "prefix 'cot' is not this chain's")
    typo = to[:-1] + ("q" if to[-1] != "q" else "p")
    fails(invoke(_transfer_args(typo, *chain)), ExitCode.INVALID_INPUT, "checksum")
    fails(invoke(_transfer_args(to, "--generate-only")), ExitCode.USAGE, "--chain-id")
    fails(
        invoke(_transfer_args(to, "--chain-id", "x", "--genesis", str(genesis[1]))),
        ExitCode.USAGE,
        "differs from the genesis chain id",
    )
    zero = ["tx", "transfer", "--from", "alice", "--to", to, "--amount", "0", "--nonce", "0"]
    fails(invoke([*zero, *chain]), ExitCode.USAGE, "--amount")
    fails(invoke(_transfer_args(to, "--memo", "x" * 300, *chain)), 3, "memo")
    unknown = ["tx", "transfer", "--from", "carol", "--to", to, "--amount", "1", "--nonce", "0"]
    fails(invoke([*unknown, *chain]), ExitCode.KEYSTORE, "no key named 'carol'")


def test_transfer_to_an_unknown_key_name_says_what_is_allowed(
    invoke: Invoke, alice: StoredKey
) -> None:
    """Issue 15: not `address has no valid separator`, but what --to takes and where names are."""
    result = invoke(_transfer_args("nosuchkey", "--chain-id", CHAIN_ID, "--generate-only"))
    fails(
        result,
        ExitCode.INVALID_INPUT,
        "'nosuchkey' is neither an address of this chain (tcot1...) nor a key name",
        "coterie keys list",
    )


def test_transfer_without_generate_only_needs_a_node(
    invoke: Invoke, alice: StoredKey, bob: StoredKey, tmp_path: Path
) -> None:
    out = tmp_path / "never.json"
    args = _transfer_args(bob.address(), "--chain-id", CHAIN_ID, "--out", str(out))
    result = invoke([*args, "--node", "http://127.0.0.1:9"])
    fails(result, ExitCode.UNAVAILABLE, "cannot reach the node at http://127.0.0.1:9")
    assert not out.exists()
    no_nonce = ["tx", "transfer", "--from", "alice", "--to", bob.address(), "--amount", "1"]
    fails(invoke([*no_nonce, "--chain-id", CHAIN_ID, "--generate-only"]), 2, "--nonce")


def test_sign_with_a_wrong_password_writes_nothing(
    invoke: Invoke,
    alice: StoredKey,
    unsigned_tx: Path,
    genesis: tuple[Genesis, Path],
    tmp_path: Path,
) -> None:
    out = tmp_path / "signed.json"
    key_before = alice.path.read_bytes()
    tx_before = unsigned_tx.read_bytes()
    args = ["tx", "sign", str(unsigned_tx), "--genesis", str(genesis[1]), "-y", "--out", str(out)]
    fails(invoke(args, input="wrong password\n"), 5, "wrong password for key 'alice'")
    assert not out.exists()
    assert alice.path.read_bytes() == key_before and unsigned_tx.read_bytes() == tx_before


def test_sign_refusals(
    invoke: Invoke,
    bob: StoredKey,
    unsigned_tx: Path,
    genesis: tuple[Genesis, Path],
    tmp_path: Path,
) -> None:
    sign = ["tx", "sign", str(unsigned_tx), "-y"]
    with_genesis = [*sign, "--genesis", str(genesis[1])]
    fails(invoke(sign, password=PASSWORD), ExitCode.USAGE, "--genesis FILE or --genesis-hash")
    fails(
        invoke([*with_genesis, "--from", "bob"], password=PASSWORD),
        ExitCode.KEYSTORE,
        "key 'bob'",
        "is not the sender",
    )
    fails(invoke([*sign, GENESIS_HASH_FLAG, "abc"]), ExitCode.INVALID_INPUT, "not hex")
    fails(invoke([*sign, GENESIS_HASH_FLAG, "ab" * 31]), ExitCode.INVALID_INPUT, "32 bytes")
    fails(
        invoke([*with_genesis, GENESIS_HASH_FLAG, "ab" * 32]),
        ExitCode.USAGE,
        "differs from the hash of --genesis",
    )
    other_genesis = tmp_path / "other.json"
    doc = json.loads(genesis[1].read_text())
    doc["chain_id"] = "another-chain"
    other_genesis.write_text(json.dumps(doc))
    fails(
        invoke([*sign, "--genesis", str(other_genesis)], password=PASSWORD),
        ExitCode.INVALID_INPUT,
        "the tx is for chain 'coterie-test'",
    )
    signed = tmp_path / "signed.json"
    _sign(invoke, unsigned_tx, signed, genesis[1])
    fails(invoke(["tx", "sign", str(signed), "--genesis", str(genesis[1])]), 3, "already signed")


def test_sign_without_the_senders_key(
    invoke: Invoke, unsigned_tx: Path, alice: StoredKey, genesis: tuple[Genesis, Path]
) -> None:
    alice.path.unlink()
    fails(
        invoke(["tx", "sign", str(unsigned_tx), "--genesis", str(genesis[1]), "-y"]),
        ExitCode.KEYSTORE,
        "no stored key is the sender",
    )


def test_sign_with_a_plaintext_key_needs_the_flag(
    invoke: Invoke, bob: StoredKey, genesis: tuple[Genesis, Path], tmp_path: Path
) -> None:
    assert invoke(["keys", "new", "dev", "--insecure-dev"]).exit_code == 0
    unsigned = tmp_path / "dev.json"
    args = ["tx", "transfer", "--from", "dev", "--to", bob.address(), "--amount", "1"]
    extra = [
        "--nonce",
        "0",
        "--genesis",
        str(genesis[1]),
        "--generate-only",
        "--out",
        str(unsigned),
    ]
    assert invoke([*args, *extra]).exit_code == 0
    sign = ["tx", "sign", str(unsigned), "--genesis", str(genesis[1]), "-y"]
    fails(invoke(sign), ExitCode.KEYSTORE, "unencrypted", "--insecure-dev")
    result = invoke([*sign, "--insecure-dev"])
    assert result.exit_code == 0, result.output
    tx = SignedTx.decode(bytes.fromhex(read_json(result)["signed_hex"]))
    assert tx.verify_signature(genesis[0].hash())


def test_show_reads_raw_hex_and_stdin(
    invoke: Invoke,
    alice: StoredKey,
    unsigned_tx: Path,
    genesis: tuple[Genesis, Path],
    tmp_path: Path,
) -> None:
    signed = tmp_path / "signed.json"
    _sign(invoke, unsigned_tx, signed, genesis[1])
    signed_hex = json.loads(signed.read_text())["signed_hex"]
    body_hex = json.loads(signed.read_text())["body_hex"]
    from_arg = read_json(
        invoke(["tx", "show", signed_hex, "--genesis", str(genesis[1]), "--output", "json"])
    )
    assert from_arg["signed"] is True and from_arg["signature_valid"] is True
    assert from_arg["signed_for_genesis"] is None  # raw hex carries no claim
    body = invoke(["tx", "show", "-", "--prefix", "cot"], input=body_hex + "\n")
    assert body.exit_code == 0 and "status      unsigned" in body.stdout
    assert alice.address("cot") in body.stdout
    hex_file = tmp_path / "tx.hex"
    hex_file.write_text("0x" + signed_hex)
    assert "status      signed" in invoke(["tx", "show", str(hex_file)]).stdout


def test_show_notes_a_genesis_of_another_chain(
    invoke: Invoke, unsigned_tx: Path, genesis: tuple[Genesis, Path], tmp_path: Path
) -> None:
    other = tmp_path / "other.json"
    doc = json.loads(genesis[1].read_text())
    doc["chain_id"] = "another-chain"
    other.write_text(json.dumps(doc))
    result = invoke(["tx", "show", str(unsigned_tx), "--genesis", str(other)])
    assert result.exit_code == 0 and "genesis is for chain 'another-chain'" in result.stdout


def test_malformed_tx_files_are_clear_errors(
    invoke: Invoke, unsigned_tx: Path, tmp_path: Path
) -> None:
    doc = json.loads(unsigned_tx.read_text())
    bad = tmp_path / "bad.json"
    cases = [
        ("{not json", "not valid JSON"),
        ("hello world", "neither JSON nor hex"),
        ("", "empty transaction"),
        (doc["body_hex"][:-4], "malformed transaction"),
        (doc["body_hex"] + "00", "malformed transaction"),
        (json.dumps({"format": "other"}), "not a tx file"),
        (json.dumps({**doc, "body_hex": "c0"}), "malformed transaction"),
        (json.dumps({**doc, "address_prefix": "BAD"}), "invalid address_prefix"),
        (json.dumps({**doc, "signed": "no"}), "'signed' must be true or false"),
        (json.dumps({**doc, "signed": True}), "no 'signed_hex'"),
    ]
    for text, message in cases:
        bad.write_text(text)
        fails(invoke(["tx", "show", str(bad)]), ExitCode.INVALID_INPUT, message)
        fails(invoke(["tx", "sign", str(bad), GENESIS_HASH_FLAG, "00" * 32, "-y"]), 3, message)
    bad.write_bytes(b"\xff\xfe\x00")
    fails(invoke(["tx", "show", str(bad)]), ExitCode.INVALID_INPUT, "not a text tx file")
    fails(invoke(["tx", "show", str(tmp_path / "missing.json")]), 3, "no tx file at")


def test_an_edited_view_is_refused(
    invoke: Invoke, unsigned_tx: Path, genesis: tuple[Genesis, Path]
) -> None:
    """Changing the readable amount without the hex must not mislead the signer."""
    doc = json.loads(unsigned_tx.read_text())
    doc["tx"]["payload"]["amount"] = 1
    unsigned_tx.write_text(json.dumps(doc))
    args = ["tx", "sign", str(unsigned_tx), "--genesis", str(genesis[1]), "-y"]
    fails(invoke(args, password=PASSWORD), 3, "field 'tx' does not match", "authoritative")


def test_an_unwritable_out_file_is_a_clear_error(
    invoke: Invoke, alice: StoredKey, bob: StoredKey, tmp_path: Path
) -> None:
    out = tmp_path / "no" / "such" / "dir.json"
    args = _transfer_args(bob.address(), "--chain-id", CHAIN_ID, "--generate-only")
    fails(invoke([*args, "--out", str(out)]), ExitCode.ERROR, f"cannot write {out}")


def test_sign_from_stdin(invoke: Invoke, unsigned_tx: Path, genesis: tuple[Genesis, Path]) -> None:
    args = ["tx", "sign", "-", "--genesis", str(genesis[1])]
    text = unsigned_tx.read_text()
    fails(invoke(args, input=text, password=PASSWORD), ExitCode.USAGE, "add -y")
    result = invoke([*args, "-y"], input=text, password=PASSWORD)
    assert result.exit_code == 0, result.output
    assert SignedTx.decode(bytes.fromhex(read_json(result)["signed_hex"])).verify_signature(
        genesis[0].hash()
    )
