"""`coterie init` and `coterie config show`: files, modes, refusals and the effective config."""

from __future__ import annotations

import stat
import tomllib
from pathlib import Path

from cli.errors import ExitCode
from ledger.genesis import Genesis
from node.config_parse import parse_config
from node.home import NodeHome
from tests.cli.helpers import CHAIN_ID, Invoke, fails, read_json


def test_init_writes_a_validator_home(invoke: Invoke, tmp_path: Path) -> None:
    target = tmp_path / "v0"
    result = invoke(["init", "--home", str(target), "--moniker", "v0", "--chain-id", "dev-9"])
    assert result.exit_code == 0, result.output
    home = NodeHome(target)
    assert "initialized node home" in result.stdout
    assert "in the genesis validator set" in result.stdout
    assert "dev accounts" in result.stdout
    for path in (home.node_key_file, home.validator_key_file, home.sign_state_file):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    config = home.load_config()
    assert config.moniker == "v0" and config.validator
    assert str(config.api.listen).startswith("127.0.0.1:")
    assert str(config.p2p.listen).startswith("127.0.0.1:")
    genesis = home.load_genesis()
    assert genesis.chain_id == "dev-9"
    (validator,) = genesis.validators  # its node key is on chain: nodes allow it from genesis
    assert validator.node_key == home.load_node_key().public_key


def test_init_uses_coterie_home_and_reports_json(invoke: Invoke, home: Path) -> None:
    result = invoke(["init", "--moniker", "x", "--no-validator", "--output", "json"])
    fails(result, ExitCode.ERROR, "pass --genesis")
    assert not NodeHome(home).is_initialized()
    result = invoke(["init", "--moniker", "x", "--output", "json"])
    assert result.exit_code == 0, result.output
    data = read_json(result)
    assert data["home"] == str(home)
    assert data["chain_id"] == "coterie-dev"
    assert data["in_validator_set"] is True
    assert len(data["dev_accounts"]) == 4
    assert data["genesis_hash"] == Genesis.load(NodeHome(home).genesis_file).hash().hex()


def test_init_refuses_an_existing_home_without_force(invoke: Invoke, node_home: Path) -> None:
    home = NodeHome(node_home)
    before = home.config_file.read_bytes(), home.validator_key_file.read_bytes()
    fails(invoke(["init"]), ExitCode.ERROR, "already holds a node home", "--force")
    assert (home.config_file.read_bytes(), home.validator_key_file.read_bytes()) == before
    result = invoke(["init", "--force", "--moniker", "renamed", "--chain-id", CHAIN_ID])
    assert result.exit_code == 0, result.output
    assert "kept" in result.stdout
    assert home.validator_key_file.read_bytes() == before[1]
    assert home.load_config().moniker == "renamed"


def test_init_joins_a_chain_from_its_genesis(
    invoke: Invoke, tmp_path: Path, genesis: tuple[Genesis, Path]
) -> None:
    value, path = genesis
    assert value.chain_id == CHAIN_ID
    target = tmp_path / "full"
    result = invoke(["init", "--home", str(target), "--no-validator", "--genesis", str(path)])
    assert result.exit_code == 0, result.output
    home = NodeHome(target)
    assert home.genesis_file.read_bytes() == path.read_bytes()
    assert not home.validator_key_file.exists()
    assert home.load_config().validator is False
    result = invoke(
        ["init", "--home", str(tmp_path / "x"), "--genesis", str(path), "--chain-id", "other"]
    )
    fails(result, ExitCode.INVALID_INPUT, "does not match the genesis chain id")
    joiner = tmp_path / "joiner"  # a validator key not in the genesis: the output says how to join
    result = invoke(["init", "--home", str(joiner), "--genesis", str(path)])
    assert result.exit_code == 0, result.output
    keys = NodeHome(joiner)
    validator_key = keys.load_validator_key().public_key.hex()
    node_key = keys.load_node_key().public_key.hex()
    assert f"--add {validator_key}=POWER --node-key {node_key}" in result.stdout
    result = invoke(["init", "--home", str(tmp_path / "y"), "--genesis", str(tmp_path / "no")])
    fails(result, ExitCode.USAGE, "does not exist")


def test_init_refuses_a_bad_moniker(invoke: Invoke, tmp_path: Path) -> None:
    result = invoke(["init", "--home", str(tmp_path / "m"), "--moniker", "x" * 65])
    fails(result, ExitCode.INVALID_INPUT, "moniker must be 1 to 64")
    assert not (tmp_path / "m").exists()


def test_config_show_prints_the_effective_config(invoke: Invoke, node_home: Path) -> None:
    home = NodeHome(node_home)
    text = home.config_file.read_text().replace(
        "# timeout_propose_ms = 3000", "timeout_propose_ms = 1500"
    )
    home.config_file.write_text(text)
    result = invoke(["config", "show"])
    assert result.exit_code == 0, result.output
    shown = parse_config(result.stdout)
    assert shown == home.load_config()
    assert shown.consensus.timeout_propose_ms == 1500
    assert "# timeout_prevote_ms = 1000" in result.stdout
    tomllib.loads(result.stdout)
    data = read_json(invoke(["config", "show", "--output", "json"]))
    assert data["consensus"] == {"timeout_propose_ms": 1500}
    assert data["consensus_in_effect"]["timeout_propose_ms"] == 1500
    assert data["consensus_in_effect"]["timeout_prevote_ms"] == 1000
    assert data["mempool"]["max_txs"] == home.load_config().mempool.max_txs


def test_config_show_reports_a_broken_config_clearly(
    invoke: Invoke, node_home: Path, tmp_path: Path
) -> None:
    home = NodeHome(node_home)
    home.config_file.write_text("[p2p]\nlisten = '127.0.0.1'\n")
    fails(invoke(["config", "show"]), ExitCode.INVALID_INPUT, "p2p.listen", "host:port")
    home.config_file.write_text("[mempol]\n")
    fails(invoke(["config", "show"]), ExitCode.INVALID_INPUT, "did you mean 'mempool'")
    empty = tmp_path / "empty"
    fails(
        invoke(["config", "show", "--home", str(empty)]),
        ExitCode.INVALID_INPUT,
        "no config file",
        "coterie init",
    )
