"""Stale answers, answers from the future, and a trusted state older than the trust period
(issue 20, items 2 and 4): each refused with one clear line and its exit code."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from cli.main import cli
from tests.cli.lightclient.conftest import LiarRun
from tests.cli.lightclient.devchain import (
    ALICE,
    BOB,
    DevChain,
    Servers,
    Tamper,
)
from tests.cli.lightclient.lies import YEAR_2100_MS, honest, one_line, resigned

Liar = Callable[[Tamper], LiarRun]
ALICE_TEXT = ALICE.address.to_text("tcot")


def test_a_replayed_balance_from_before_a_big_transfer_is_refused(
    liar: Liar, devchain: DevChain, servers: Servers
) -> None:
    recorded: dict[str, Any] = {}

    def replay(path: str, data: Any) -> Any:
        if path.startswith("/v1/accounts/"):
            return recorded.setdefault("answer", data)
        return data

    replaying = liar(replay)
    before = replaying(["account", ALICE_TEXT])
    assert json.loads(before.stdout)["balance"] == 999_750
    servers.call(lambda: devchain.commit([devchain.transfer(900_000)]))
    servers.call(lambda: devchain.blocks(2))
    now = json.loads(liar(honest)(["account", ALICE_TEXT]).stdout)
    assert now["balance"] == 99_750 and now["verified"]["height"] == 8
    one_line(
        replaying(["account", ALICE_TEXT]),
        9,
        "answered from height 5, below height 8 that this wallet already verified",
    )


@pytest.mark.parametrize("devchain", [{"realtime": False}], indirect=True)
def test_an_answer_older_than_max_age_is_refused(liar: Liar) -> None:
    """The chain's last block is about an hour old: a stalled node, or a replay."""
    run = liar(honest)
    one_line(run(["account", ALICE_TEXT]), 9, "more than --max-age 300 s")
    assert run(["account", ALICE_TEXT, "--max-age", "7200"]).exit_code == 0
    assert run(["account", ALICE_TEXT, "--max-age", "0"]).exit_code == 0


def test_a_far_future_header_signed_by_the_genesis_keys_is_refused(
    liar: Liar, tmp_path: Path, genesis_file: Path
) -> None:
    def future(path: str, data: Any) -> Any:
        if path == "/v1/proofs":
            resigned(data, height=data["height"] + 100_000, time_ms=YEAR_2100_MS)
        return data

    one_line(
        liar(future)(["validators"]),
        9,
        "header 100005 is dated 2100-01-01",
        "ahead of this computer's clock",
    )
    runner = CliRunner(env={"COTERIE_HOME": str(tmp_path / "wallet")})
    status = runner.invoke(
        cli, ["query", "light-status", "--genesis", str(genesis_file), "--output", "json"]
    )
    assert json.loads(status.stdout)["height"] < 100_000  # the trusted state was not poisoned


@pytest.mark.parametrize("devchain", [{"trust_period_ms": 1_800_000}], indirect=True)
def test_a_wallet_past_the_trust_period_needs_a_checkpoint(
    liar: Liar, devchain: DevChain, tmp_path: Path, genesis_file: Path
) -> None:
    """The genesis is an hour old and the trust period half an hour: a fresh wallet must not
    trust the genesis set; it starts from a height and hash given by someone it trusts."""
    run = liar(honest)
    one_line(run(["account", ALICE_TEXT]), 11, "older than the chain's trust period of 0 h")
    block = devchain.store.block(4)
    assert block is not None
    home = {"COTERIE_HOME": str(tmp_path / "wallet"), "COTERIE_NODE": devchain.url}
    runner = CliRunner(env=home)
    light = ["--genesis", str(genesis_file)]
    wrong = runner.invoke(cli, ["light", "trust", "4", "00" * 32, *light])
    one_line(wrong, 9, "not the checkpoint's")
    trusted = runner.invoke(cli, ["light", "trust", "4", block.hash().hex(), *light])
    assert trusted.exit_code == 0, trusted.output
    answer = run(["account", BOB.address.to_text("tcot")])
    assert answer.exit_code == 0, answer.output
    assert json.loads(answer.stdout)["verified"]["height"] == 5
    one_line(run(["block", "3"]), 9, "below this wallet's checkpoint at height 4")
    # an operator publishes its checkpoint; another wallet starts from the file
    published = tmp_path / "checkpoint.json"
    assert (
        runner.invoke(cli, ["light", "checkpoint", "--out", str(published), *light]).exit_code == 0
    )
    other = CliRunner(env={**home, "COTERIE_HOME": str(tmp_path / "other")})
    started = other.invoke(cli, ["light", "trust", "--from", str(published), *light])
    assert started.exit_code == 0, started.output
    assert (
        '"height": 5'
        in other.invoke(
            cli, ["light", "trust", "--from", str(published), *light, "--output", "json"]
        ).stdout
    )


def test_a_replayed_latest_block_is_refused_a_past_one_is_not(
    liar: Liar, devchain: DevChain, servers: Servers
) -> None:
    recorded: dict[str, Any] = {}

    def replay(path: str, data: Any) -> Any:
        if path == "/v1/blocks/latest":
            return recorded.setdefault("answer", data)
        return data

    replaying = liar(replay)
    assert replaying(["block"]).exit_code == 0
    servers.call(lambda: devchain.blocks(2))
    assert json.loads(liar(honest)(["block"]).stdout)["height"] == 7
    one_line(replaying(["block"]), 9, "below height 7 that this wallet already verified")
    assert liar(honest)(["block", "5"]).exit_code == 0  # a past height asked for: fine


def test_a_wallet_saved_before_header_times_were_kept_still_verifies(
    liar: Liar, tmp_path: Path, devchain: DevChain, servers: Servers
) -> None:
    """A trusted-state file of version 1 (no header time, no seen hashes) is upgraded: the
    header of its height is fetched and must have the saved hash."""
    run = liar(honest)
    assert run(["account", ALICE_TEXT]).exit_code == 0
    [saved] = (tmp_path / "wallet" / "light").glob("*.json")
    data = json.loads(saved.read_text())
    old = {k: v for k, v in data.items() if k not in ("time_ms", "seen", "signed")}
    saved.write_text(json.dumps({**old, "version": 1}))
    servers.call(lambda: devchain.blocks(1))
    assert run(["account", ALICE_TEXT]).exit_code == 0
    upgraded = json.loads(saved.read_text())
    assert upgraded["version"] == 2 and upgraded["time_ms"] > 0
