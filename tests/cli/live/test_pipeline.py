"""The shared tx pipeline against a live node: confirm, sign, send, wait; dry run; nonce races;
offline signing then `tx broadcast`; errors a person can read."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cli.errors import ExitCode
from ledger.keys import PrivateKey
from tests.cli.helpers import LiveWallet, fails

pytestmark = pytest.mark.slow

FRESH = PrivateKey.from_secret(b"wallet-pipeline-fresh").address.to_text("tcot")


def test_transfer_commits_and_prints_the_block(live: LiveWallet) -> None:
    before = live.balance(FRESH)
    sent = live.ok("tx", "transfer", "--from", "dev0", "--to", FRESH, "--amount", "70")
    assert sent["status"] == "committed" and sent["result"]["code"] == "OK"
    assert sent["height"] >= 1
    assert live.balance(FRESH) == before + 70
    text = live.run("tx", "transfer", "--from", "dev0", "--to", FRESH, "--amount", "1", "-y")
    assert text.exit_code == 0, text.output
    assert "committed at height" in text.stdout and "amount    1 COT" in text.stderr


def test_without_a_terminal_it_refuses_to_guess(live: LiveWallet) -> None:
    result = live.run("tx", "transfer", "--from", "dev1", "--to", FRESH, "--amount", "5")
    fails(result, ExitCode.USAGE, "not a terminal", "-y")


@pytest.mark.usefixtures("tty")
def test_confirm_declined_sends_nothing(live: LiveWallet) -> None:
    address = PrivateKey.from_secret(b"declined").address.to_text("tcot")
    args = ("tx", "transfer", "--from", "dev1", "--to", address, "--amount", "5")
    declined = live.run(*args, input="n\n")
    assert declined.exit_code == 1 and "Confirm? [y/N]" in declined.stderr
    assert live.balance(address) == 0
    accepted = live.run(*args, input="y\n")
    assert accepted.exit_code == 0, accepted.output
    assert live.balance(address) == 5


def test_dry_run_checks_state_and_sends_nothing(live: LiveWallet, tmp_path: Path) -> None:
    address = PrivateKey.from_secret(b"dry").address.to_text("tcot")
    ok = live.run("tx", "transfer", "--from", "dev2", "--to", address, "--amount", "9", "--dry-run")
    assert ok.exit_code == 0, ok.output
    assert "dry run: OK" in ok.stdout
    assert live.balance(address) == 0
    broke = live.run(
        "tx", "transfer", "--from", "dev2", "--to", address, "--amount", str(10**15), "--dry-run"
    )
    fails(broke, ExitCode.TX_FAILED, "INSUFFICIENT_FUNDS", "holds too little")


def test_a_stale_nonce_is_retried_with_the_next(
    live: LiveWallet, monkeypatch: pytest.MonkeyPatch
) -> None:
    live.ok("tx", "transfer", "--from", "dev3", "--to", FRESH, "--amount", "1")
    # the account moved on after the wallet read its nonce (another wallet of the same key sent)
    monkeypatch.setattr("cli.txflow.next_nonce", lambda _client, _address: 0)
    result = live.run("tx", "transfer", "--from", "dev3", "--to", FRESH, "--amount", "2", "-y")
    assert result.exit_code == 0, result.output
    assert "nonce 0 was taken" in result.stderr and "committed at height" in result.stdout
    given = live.run(
        "tx", "transfer", "--from", "dev3", "--to", FRESH, "--amount", "2", "--nonce", "0", "-y"
    )
    fails(given, ExitCode.TX_FAILED, "BAD_NONCE", "already used")


def test_sign_offline_then_broadcast(live: LiveWallet, tmp_path: Path) -> None:
    address = PrivateKey.from_secret(b"offline").address.to_text("tcot")
    dev = json.loads(live.run("keys", "show", "dev1", "--output", "json").stdout)["address"]
    next_nonce = live.devnet.get(f"/v1/accounts/{dev}")["next_nonce"]
    genesis = live.devnet.root / "genesis.json"
    unsigned, signed = tmp_path / "unsigned.json", tmp_path / "signed.json"
    made = live.run(
        "tx", "transfer", "--from", "dev1", "--to", address, "--amount", "11",
        "--nonce", str(next_nonce), "--genesis", str(genesis), "--generate-only",
        "--out", str(unsigned),
    )  # fmt: skip
    assert made.exit_code == 0, made.output
    signing = live.run(
        "tx", "sign", str(unsigned), "--genesis", str(genesis), "-y", "--out", str(signed)
    )
    assert signing.exit_code == 0, signing.output
    fails(live.run("tx", "broadcast", str(unsigned)), ExitCode.INVALID_INPUT, "not signed")
    sent = live.ok("tx", "broadcast", str(signed))
    assert sent["status"] == "committed"
    assert live.balance(address) == 11
    again = live.run("tx", "broadcast", str(signed))
    fails(again, ExitCode.TX_FAILED, "BAD_NONCE")


def test_human_errors(live: LiveWallet, tmp_path: Path) -> None:
    transfer = ("tx", "transfer", "--to", FRESH, "--amount", "1", "-y")
    fails(live.run(*transfer, "--from", "nobody"), ExitCode.KEYSTORE, "nobody")
    wrong = live.invoke(
        [*transfer, "--from", "dev0"],
        password="not the password",
        env={"COTERIE_NODE": live.devnet.url},
    )
    fails(wrong, ExitCode.WRONG_PASSWORD, "password")
    down = live.run(*transfer, "--from", "dev0", "--node", "http://127.0.0.1:9")
    fails(down, ExitCode.UNAVAILABLE, "cannot reach the node")
    typo = live.run("tx", "transfer", "--from", "dev0", "--to", FRESH[:-1] + "q", "--amount", "1")
    fails(typo, ExitCode.INVALID_INPUT, "invalid address")


def test_quiet_prints_only_the_id_and_key_names_are_accounts(live: LiveWallet) -> None:
    made = live.run("collective", "create", "--from", "dev1", "--name", "Quiet Ones", "-y", "-q")
    assert made.exit_code == 0, made.output
    cid = made.stdout.strip()
    assert len(cid) == 40 and live.devnet.get(f"/v1/collectives/{cid}")["name"] == "Quiet Ones"
    address = live.run("keys", "show", "dev2", "--address").stdout.strip()
    before = live.balance(address)
    sent = live.run("tx", "transfer", "--from", "dev1", "--to", "dev2", "--amount", "4", "-y", "-q")
    assert sent.exit_code == 0, sent.output
    assert len(sent.stdout.strip()) == 64  # the tx hash
    assert live.balance(address) == before + 4


def test_testnet_env_points_the_wallet_at_the_testnet(live: LiveWallet) -> None:
    result = live.run("testnet", "env", str(live.devnet.root), "--wait", "30")
    assert result.exit_code == 0, result.output
    assert f"export COTERIE_NODE={live.devnet.url}" in result.stdout
    assert f"export COTERIE_HOME={live.devnet.root}" in result.stdout
