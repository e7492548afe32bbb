"""`coterie query ...` against a real chain served on 127.0.0.1: human and JSON output, --verify
passing on honest answers and refusing (exit 9, one clear line) tampered ones."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from cli.main import cli
from cli.querycontext import SyncProgress
from cli.wallet.keystore import Keystore
from ledger.governance.proposal_txs import ProposalSubmit
from ledger.state.records import Account
from tests.cli.lightclient.devchain import ALICE, BOB, GUILD, NEWCOMER, DevChain, Servers, Tamper

Run = Callable[..., Result]


@pytest.fixture
def run(tmp_path: Path, node_url: str) -> Run:
    runner = CliRunner(env={"COTERIE_HOME": str(tmp_path / "wallet"), "COTERIE_NODE": node_url})

    def invoke(args: Sequence[str], env: dict[str, str] | None = None) -> Result:
        return runner.invoke(cli, ["query", *args], env=env, catch_exceptions=False)

    return invoke


def as_json(result: Result) -> Any:
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_account_human_and_json(run: Run) -> None:
    alice = ALICE.address.to_text("tcot")
    human = run(["account", alice])
    assert human.exit_code == 0, human.output
    assert "balance:" in human.stdout and "999750" in human.stdout
    assert "Cartridge Keepers shares" in human.stdout
    data = as_json(run(["account", alice, "--output", "json"]))
    assert data["balance"] == 999_750 and data["nonce"] == 1
    assert {"collective": GUILD.hex(), "collective_name": "Cartridge Keepers", "class": "shares",
            "amount": 10} in data["holdings"]  # fmt: skip
    assert "verified" not in data


def test_verified_account_collective_and_validators(run: Run, genesis_file: Path) -> None:
    alice = ALICE.address.to_text("tcot")
    verify = ["--verify", "--genesis", str(genesis_file), "--output", "json"]
    account = as_json(run(["account", alice, *verify]))
    assert account["verified"]["height"] == 5 and account["balance"] == 999_750
    collective = as_json(run(["collective", GUILD.hex(), *verify]))
    assert collective["verified"]["height"] == 5 and collective["member_count"] == 2
    validators = as_json(run(["validators", *verify]))
    assert len(validators["validators"]) == 4 and validators["verified"]["height"] == 5
    human = run(["collective", GUILD.hex(), "--verify", "--genesis", str(genesis_file)])
    assert "yes, at height 5" in human.stdout


def test_the_genesis_kept_in_the_wallet_home_is_used(
    run: Run, genesis_file: Path, tmp_path: Path
) -> None:
    (tmp_path / "wallet").mkdir()
    shutil.copy(genesis_file, tmp_path / "wallet" / "genesis.json")
    data = as_json(run(["account", BOB.address.to_text("tcot"), "--verify", "--output", "json"]))
    assert data["verified"]["height"] == 5
    status = as_json(run(["light-status", "--output", "json"]))
    assert status["height"] == 5 and len(status["validator_sets"]) == 1


def test_verify_without_a_genesis_says_what_is_missing(run: Run) -> None:
    result = run(["account", ALICE.address.to_text("tcot"), "--verify"])
    assert result.exit_code == 3
    assert "--verify needs the chain's genesis.json" in result.output


def test_a_tampered_answer_exits_9_with_the_reason(
    tmp_path: Path, genesis_file: Path, proxy: Callable[[Tamper], str]
) -> None:
    def tamper(path: str, data: Any) -> Any:
        if path.startswith("/v1/accounts/"):
            data["balance"] = 10**12
            data["proof"]["value"] = Account(10**12, 1).encode().hex()
        return data

    url = proxy(tamper)
    runner = CliRunner(env={"COTERIE_HOME": str(tmp_path / "wallet")})
    args = ["query", "account", ALICE.address.to_text("tcot"), "--verify", "--node", url,
            "--genesis", str(genesis_file)]  # fmt: skip
    result = runner.invoke(cli, args, catch_exceptions=False)
    assert result.exit_code == 9
    assert "verification failed: the Merkle proof of state key" in result.output
    assert "Traceback" not in result.output


def test_a_json_answer_that_disagrees_with_its_proof_is_refused(
    tmp_path: Path, genesis_file: Path, proxy: Callable[[Tamper], str]
) -> None:
    def tamper(path: str, data: Any) -> Any:
        if path.startswith("/v1/collectives/") and data.get("members"):
            data["members"][0]["holdings"]["shares"] += 1
        return data

    runner = CliRunner(env={"COTERIE_HOME": str(tmp_path / "wallet")})
    args = ["query", "collective", GUILD.hex(), "--verify", "--node", proxy(tamper),
            "--genesis", str(genesis_file)]  # fmt: skip
    result = runner.invoke(cli, args, catch_exceptions=False)
    assert result.exit_code == 9
    assert "holdings.shares = 11" in result.output and "proven state holds 10" in result.output


def test_wrong_genesis_is_refused(run: Run, other_genesis_file: Path) -> None:
    result = run(["validators", "--verify", "--genesis", str(other_genesis_file)])
    assert result.exit_code == 9
    assert "wrong --node or wrong --genesis" in result.output


def test_validators_follow_a_change(
    run: Run, devchain: DevChain, servers: Servers, genesis_file: Path
) -> None:
    verify = ["--verify", "--genesis", str(genesis_file), "--output", "json"]
    as_json(run(["validators", *verify]))
    servers.call(devchain.swap_validator)
    servers.call(lambda: devchain.blocks(3))
    data = as_json(run(["validators", *verify]))
    assert NEWCOMER.address.to_text("tcot") in {v["address"] for v in data["validators"]}
    status = as_json(run(["light-status", "--genesis", str(genesis_file), "--output", "json"]))
    assert len(status["validator_sets"]) == 2


def test_a_tampered_policy_is_refused(
    tmp_path: Path, genesis_file: Path, proxy: Callable[[Tamper], str]
) -> None:
    def tamper(path: str, data: Any) -> Any:
        if path.startswith("/v1/collectives/") and data.get("policies"):
            data["policies"][0]["policy"]["quorum_ppm"] = 1
        return data

    runner = CliRunner(env={"COTERIE_HOME": str(tmp_path / "wallet")})
    args = ["query", "collective", GUILD.hex(), "--verify", "--node", proxy(tamper),
            "--genesis", str(genesis_file)]  # fmt: skip
    result = runner.invoke(cli, args, catch_exceptions=False)
    assert result.exit_code == 9
    assert "policies[0].policy.quorum_ppm = 1" in result.output


def test_verified_proposals_and_a_tampered_status(
    *,
    run: Run,
    devchain: DevChain,
    servers: Servers,
    genesis_file: Path,
    proxy: Callable[[Tamper], str],
    tmp_path: Path,
) -> None:
    submit = ProposalSubmit(GUILD, (), metadata="restore Earthbound?")
    servers.call(lambda: devchain.commit([devchain.sign(ALICE, submit)]))
    verify = ["--verify", "--genesis", str(genesis_file)]
    listed = as_json(run(["proposals", GUILD.hex(), *verify, "--output", "json"]))
    assert [p["metadata"] for p in listed["proposals"]] == ["restore Earthbound?"]
    assert listed["verified"]["height"] == 6
    human = run(["proposal", str(listed["proposals"][0]["id"]), *verify])
    assert "voting ends:" in human.stdout and "yes, at height 6" in human.stdout

    def tamper(path: str, data: Any) -> Any:
        if path.endswith("/proposals"):
            data["proposals"][0]["status"] = "PASSED"
        return data

    runner = CliRunner(env={"COTERIE_HOME": str(tmp_path / "wallet2")})
    args = ["query", "proposals", GUILD.hex(), "--node", proxy(tamper), *verify]
    result = runner.invoke(cli, args, catch_exceptions=False)
    assert result.exit_code == 9 and "status" in result.output


def test_an_unknown_name_or_bad_address_is_a_clear_error(run: Run) -> None:
    unknown = run(["account", "nobody"])
    assert unknown.exit_code == 3
    assert "'nobody' is neither an address of this chain nor a key name" in unknown.output
    other_chain = run(["account", ALICE.address.to_text("cot")])
    assert other_chain.exit_code == 3 and "prefix" in other_chain.output


def test_a_key_name_is_resolved_from_the_wallet(run: Run, tmp_path: Path) -> None:
    Keystore(tmp_path / "wallet").add_plaintext("alice", ALICE)
    data = as_json(run(["account", "alice", "--output", "json"]))
    assert data["address"] == ALICE.address.to_text("tcot")


def test_the_sync_progress_bar_shows_only_for_several_steps(
    capsys: pytest.CaptureFixture[str],
) -> None:
    quick = SyncProgress()
    quick(1, 1)
    assert capsys.readouterr().err == ""
    slow = SyncProgress()
    for done in range(4):
        slow(done, 3)
    assert "Following validator-set changes" in capsys.readouterr().err


def test_verified_block_and_tx(run: Run, devchain: DevChain, genesis_file: Path) -> None:
    verify = ["--verify", "--genesis", str(genesis_file), "--output", "json"]
    latest = as_json(run(["block", *verify]))
    assert latest["height"] == 5 and latest["verified"]["height"] == 5
    block = devchain.store.block(2)
    assert block is not None
    second = as_json(run(["block", "2", *verify]))
    assert second["tx_count"] == 1
    tx = as_json(run(["tx", block.txs[0].hash.hex(), *verify]))
    assert tx["verified"]["height"] == 2 and tx["tx"]["payload"]["amount"] == 250


def test_a_tampered_block_or_tx_is_refused(
    tmp_path: Path, devchain: DevChain, genesis_file: Path, proxy: Callable[[Tamper], str]
) -> None:
    def tamper(path: str, data: Any) -> Any:
        if path.startswith("/v1/txs/") and data.get("tx"):
            data["tx"]["payload"]["amount"] = 1
        if path.startswith("/v1/blocks/") and data.get("txs") and isinstance(data["txs"][0], dict):
            data["txs"][0]["payload"]["memo"] = "forged"
        return data

    url = proxy(tamper)
    runner = CliRunner(env={"COTERIE_HOME": str(tmp_path / "wallet"), "COTERIE_NODE": url})
    block = devchain.store.block(2)
    assert block is not None
    verify = ["--verify", "--genesis", str(genesis_file)]
    for args, reason in (
        (["block", "2"], "shows another txs than its signed bytes"),
        (["tx", block.txs[0].hash.hex()], "shows another tx than the bytes"),
    ):
        result = runner.invoke(cli, ["query", *args, *verify], catch_exceptions=False)
        assert result.exit_code == 9, result.output
        assert reason in result.output
