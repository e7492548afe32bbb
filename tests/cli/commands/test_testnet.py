"""`coterie testnet init` and the refusals of `coterie start` (the running is in tests/node)."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import pytest

from cli.commands.testnet import coterie_command
from cli.errors import ExitCode
from cli.wallet.keystore import Keystore
from node.devnet import dev_account_key
from node.home import NodeHome
from node.testnet import load_manifest
from tests.cli.helpers import Invoke, fails, read_json


def test_testnet_init_writes_homes_that_know_each_other_and_a_dev_keyring(
    invoke: Invoke, tmp_path: Path
) -> None:
    out = tmp_path / "net"
    result = invoke(["testnet", "init", "--validators", "3", "--out", str(out), "--output", "json"])
    assert result.exit_code == 0, result.output
    data = read_json(result)
    assert data == load_manifest(out)
    assert [n["moniker"] for n in data["nodes"]] == ["node0", "node1", "node2"]
    keys = {n["node_key"] for n in data["nodes"]}
    genesis_hashes = set()
    for node in data["nodes"]:
        home = NodeHome(Path(node["home"]))
        config = home.load_config()
        assert config.validator and home.sign_state_file.exists()
        assert {p.node_key.hex() for p in config.p2p.peers} == keys - {node["node_key"]}
        genesis = home.load_genesis()
        genesis_hashes.add(genesis.hash().hex())
        # each validator's node key is in the genesis, so allowlists follow the set
        assert {v.node_key.hex() for v in genesis.validators if v.node_key} == keys
    assert genesis_hashes == {data["genesis_hash"]}
    store = Keystore(out)
    dev0 = store.info("dev0")
    assert dev0.public_key == dev_account_key(0).public_key and not dev0.encrypted
    again = invoke(["testnet", "init", "--out", str(out)])
    fails(again, ExitCode.ERROR, "is not empty")


def test_start_refuses_a_home_it_cannot_run(invoke: Invoke, tmp_path: Path) -> None:
    fails(invoke(["start", "--home", str(tmp_path / "none")]), 3, "no config file")
    out = tmp_path / "net"
    assert invoke(["testnet", "init", "--validators", "1", "--out", str(out)]).exit_code == 0
    home = NodeHome(out / "node0")
    home.sign_state_file.unlink()
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    try:  # `start` sets up logging for the process
        fails(invoke(["start", "--home", str(home.root)]), ExitCode.ERROR, "has no sign state")
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)
    fails(invoke(["testnet", "start", str(tmp_path)]), ExitCode.ERROR, "no testnet at")


def test_printed_commands_run_whether_or_not_coterie_is_on_path(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """After `make devnet` the wallet is in .venv/bin, not on PATH: the banners print a command
    that runs as pasted (issue 15)."""
    beside = Path(sys.executable).parent / "coterie"
    monkeypatch.setenv("PATH", "/usr/bin:/bin")
    assert coterie_command() == str(beside.absolute())
    monkeypatch.setenv("PATH", f"{beside.parent}:/usr/bin:/bin")
    assert coterie_command() == "coterie"


def test_start_refuses_state_sync_options_that_cannot_work(invoke: Invoke, tmp_path: Path) -> None:
    """Each refusal is one line before anything is fetched or written."""
    out = tmp_path / "net"
    assert invoke(["testnet", "init", "--validators", "1", "--out", str(out)]).exit_code == 0
    home = str(out / "node0")
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    try:  # `start` sets up logging for the process
        half = ["start", "--home", home, "--state-sync", "--trust-height", "5"]
        fails(invoke(half), ExitCode.ERROR, "--trust-height and --trust-hash go together")
        bad_hash = [*half, "--trust-hash", "xyz"]
        fails(invoke(bad_hash), ExitCode.ERROR, "--trust-hash is the block's hash in hex")
        url = ["start", "--home", home, "--state-sync", "http://127.0.0.1:1"]
        fails(invoke(url), ExitCode.ERROR, "--state-sync URL needs --trust-height")
        lonely = NodeHome(out / "node0")  # a single validator has no peers to sync from
        fails(
            invoke(["start", "--home", str(lonely.root), "--state-sync"]),
            ExitCode.ERROR,
            "needs [p2p] peers",
        )
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)
