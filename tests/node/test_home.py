"""Node homes: what `init_home` writes, what it keeps, and when it refuses; key files."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from consensus.errors import SignStateMissingError
from consensus.signer import Signer
from ledger.genesis import Genesis, GenesisError
from ledger.keys import PrivateKey
from node.config import NodeConfig
from node.devnet import DEV_BALANCE, dev_account_key, dev_genesis
from node.home import HomeError, HomeExistsError, NodeHome, init_home
from node.keyfile import (
    NODE_KEY,
    VALIDATOR_KEY,
    KeyFileError,
    load_key_file,
    write_key_file,
)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_validator_home_gets_a_dev_chain_keys_and_a_sign_state(tmp_path: Path) -> None:
    report = init_home(
        tmp_path / "n0", chain_id="dev-7", config=NodeConfig(moniker="alpha"), time_ms=5
    )
    home = report.home
    for path in (home.config_file, home.genesis_file, home.node_key_file):
        assert path.exists()
    assert mode(home.node_key_file) == 0o600
    assert mode(home.validator_key_file) == 0o600
    assert mode(home.sign_state_file) == 0o600
    assert mode(home.data_dir) == 0o700
    config = home.load_config()
    assert config.validator and config.moniker == "alpha"
    genesis = home.load_genesis()
    assert genesis == report.genesis
    assert genesis.chain_id == "dev-7" and genesis.genesis_time_ms == 5
    validator = home.load_validator_key()
    assert [v.public_key for v in genesis.validators] == [validator.public_key]
    assert genesis.validators[0].name == "alpha"
    assert (dev_account_key(0).address, DEV_BALANCE) in genesis.balances
    assert report.in_validator_set and not report.warnings
    assert home.load_node_key().public_key == report.node_key
    # The signer starts from the written state without being told the chain is new.
    signer = Signer(validator, genesis.hash(), home.sign_state_store())
    assert signer.last_signed.height == 0


def test_an_existing_home_is_not_overwritten_without_force(tmp_path: Path) -> None:
    init_home(tmp_path, time_ms=1)
    before = {p: p.read_bytes() for p in (tmp_path / "config").iterdir()}
    with pytest.raises(HomeExistsError, match="--force"):
        init_home(tmp_path, time_ms=2)
    assert {p: p.read_bytes() for p in (tmp_path / "config").iterdir()} == before


def test_force_rewrites_config_and_genesis_but_keeps_the_keys(tmp_path: Path) -> None:
    first = init_home(tmp_path, chain_id="one", time_ms=1)
    home = first.home
    node_key = home.node_key_file.read_bytes()
    validator_key = home.validator_key_file.read_bytes()
    second = init_home(tmp_path, chain_id="two", config=NodeConfig(moniker="b"), force=True)
    assert home.node_key_file.read_bytes() == node_key
    assert home.validator_key_file.read_bytes() == validator_key
    assert home.load_genesis().chain_id == "two"
    assert home.load_config().moniker == "b"
    assert home.validator_key_file in second.kept
    # A generated genesis is a new chain: the old chain's sign state is set aside, not lost.
    aside = [p.name for p in home.data_dir.iterdir() if p.name.endswith(".old")]
    assert len(aside) == 1
    validator = home.load_validator_key()
    Signer(validator, second.genesis.hash(), home.sign_state_store())


def test_a_kept_key_whose_sign_state_was_lost_gets_no_new_one(tmp_path: Path) -> None:
    """tendermint #3418: a wiped data directory must not let the key sign from scratch."""
    first = init_home(tmp_path / "v", time_ms=1)
    genesis_file = tmp_path / "genesis.json"
    first.genesis.write(genesis_file)
    home = first.home
    home.sign_state_file.unlink()
    report = init_home(home.root, genesis_source=genesis_file, force=True)
    assert not home.sign_state_file.exists()
    assert any("sign state" in w and "missing" in w for w in report.warnings)
    with pytest.raises(SignStateMissingError):
        Signer(home.load_validator_key(), first.genesis.hash(), home.sign_state_store())


def test_joining_a_chain_copies_its_genesis_verbatim(tmp_path: Path) -> None:
    genesis = dev_genesis("shared", [("v0", PrivateKey.from_secret(b"v0").public_key, None)], 9)
    source = tmp_path / "source.json"
    text = json.dumps(genesis.to_json(), indent=4, sort_keys=True)
    source.write_text(text)
    report = init_home(tmp_path / "full", validator=False, genesis_source=source)
    home = report.home
    assert home.genesis_file.read_text() == text
    assert report.genesis.hash() == genesis.hash()
    assert not home.validator_key_file.exists() and not home.sign_state_file.exists()
    assert home.load_config().validator is False
    assert report.dev_accounts == ()
    # A new validator key joining this chain starts with a fresh sign state and a warning.
    joining = init_home(tmp_path / "joiner", genesis_source=source)
    assert joining.home.sign_state_file.exists()
    assert not joining.in_validator_set
    assert any("not in this genesis" in w for w in joining.warnings)


def test_init_refuses_what_it_cannot_do(tmp_path: Path) -> None:
    with pytest.raises(HomeError, match="--genesis"):
        init_home(tmp_path / "a", validator=False)
    genesis = dev_genesis("real", [("v0", PrivateKey.from_secret(b"v0").public_key, None)], 9)
    source = tmp_path / "genesis.json"
    genesis.write(source)
    with pytest.raises(GenesisError, match="does not match"):
        init_home(tmp_path / "b", chain_id="other", genesis_source=source)
    source.write_text("{not json")
    with pytest.raises(GenesisError):
        init_home(tmp_path / "c", genesis_source=source)
    assert not (tmp_path / "b").exists() and not (tmp_path / "c").exists()


def test_key_files_round_trip_and_refuse_bad_files(tmp_path: Path) -> None:
    key = PrivateKey.from_secret(b"k")
    path = tmp_path / "key.json"
    write_key_file(path, key, NODE_KEY)
    assert load_key_file(path, NODE_KEY).public_key == key.public_key
    with pytest.raises(FileExistsError):
        write_key_file(path, key, NODE_KEY)
    with pytest.raises(KeyFileError, match="not a 'validator_key'"):
        load_key_file(path, VALIDATOR_KEY)
    with pytest.raises(KeyFileError, match="no node_key file"):
        load_key_file(tmp_path / "missing.json", NODE_KEY)
    path.chmod(0o644)
    with pytest.raises(KeyFileError, match="chmod 600"):
        load_key_file(path, NODE_KEY)
    path.chmod(0o600)
    document = json.loads(path.read_text())
    document["public_key"] = "00" * 32
    path.write_text(json.dumps(document))
    with pytest.raises(KeyFileError, match="does not match"):
        load_key_file(path, NODE_KEY)
    path.write_text("{}")
    with pytest.raises(KeyFileError, match="not a valid key file"):
        load_key_file(path, NODE_KEY)


def test_a_home_reports_whether_it_is_initialized(tmp_path: Path) -> None:
    home = NodeHome(tmp_path)
    assert not home.is_initialized()
    init_home(tmp_path, time_ms=1)
    assert home.is_initialized()
    assert Genesis.load(home.genesis_file).chain_id == "coterie-dev"
