"""config.toml: defaults, every key checked with a clear error, and a faithful round trip."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ledger.genesis import ConsensusParams
from ledger.store.leveldb import MemoryBudget
from node.config import (
    ApiConfig,
    ConfigError,
    ConsensusOverrides,
    ListenAddress,
    LogConfig,
    NodeConfig,
    P2PConfig,
    PacingConfig,
    Peer,
)
from node.config_parse import load_config, parse_config
from node.config_render import config_to_json, render_config, toml_string
from node.mempool import MempoolLimits
from node.p2p.budget import BudgetConfig, default_budgets
from node.p2p.messages import MessageType

KEY = "ab" * 32
OTHER_KEY = "cd" * 32


def test_an_empty_file_gives_the_defaults() -> None:
    config = parse_config("")
    assert config == NodeConfig()
    assert str(config.api.listen) == "127.0.0.1:26657"
    assert str(config.p2p.listen) == "127.0.0.1:26656"
    assert config.p2p.peers == ()
    assert config.log == LogConfig("info", "text")
    assert config.validator is False
    assert config.storage.keep_blocks == 0 and config.storage.keep_states == 2


def test_every_key_is_read() -> None:
    config = parse_config(
        f"""
        moniker = "alpha"
        validator = true
        [api]
        listen = "0.0.0.0:8080"
        [p2p]
        listen = "[::1]:9000"
        peers = ["{KEY}@10.0.0.2:26656", "{OTHER_KEY}@node-b.example.org:26656"]
        [consensus]
        timeout_propose_ms = 2000
        timeout_precommit_delta_ms = 0
        [pacing]
        start_at_once = false
        quiet_start_ms = 40
        [mempool]
        max_txs = 10
        max_future_per_sender = 0
        [log]
        level = "DEBUG"
        format = "json"
        """
    )
    assert config.moniker == "alpha" and config.validator
    assert config.api.listen == ListenAddress("0.0.0.0", 8080)
    assert config.p2p.listen == ListenAddress("::1", 9000)
    assert str(config.p2p.listen) == "[::1]:9000"
    assert config.p2p.peers == (
        Peer(bytes.fromhex(KEY), "10.0.0.2", 26656),
        Peer(bytes.fromhex(OTHER_KEY), "node-b.example.org", 26656),
    )
    assert config.consensus == ConsensusOverrides(
        timeout_propose_ms=2000, timeout_precommit_delta_ms=0
    )
    assert config.pacing == PacingConfig(start_at_once=False, quiet_start_ms=40)
    assert config.mempool == MempoolLimits(max_txs=10, max_future_per_sender=0)
    assert config.log == LogConfig("debug", "json")


def test_every_limit_key_is_read_and_reaches_the_node_parts() -> None:
    """The limits that were code constants (issue 14) are config keys: the JSON body cap, the
    WebSocket caps, the handshake deadline and the per-peer budgets."""
    config = parse_config(
        """
        [api]
        max_json_body_bytes = 65536
        max_websockets = 10
        max_websockets_per_address = 3
        [p2p]
        handshake_timeout_ms = 3000
        [p2p.budgets]
        votes_per_s = 10
        votes_burst = 20
        proposal_blocks_burst = 1
        """
    )
    assert (config.api.max_json_body_bytes, config.api.max_websockets) == (65536, 10)
    assert config.api.max_websockets_per_address == 3
    assert config.p2p.handshake_timeout_ms == 3000
    table = config.p2p.budgets.table(1000)
    assert (table[MessageType.VOTE].per_second, table[MessageType.VOTE].burst) == (10, 20)
    assert table[MessageType.PROPOSAL].bytes_burst == 1000
    defaults = default_budgets(1000)
    assert {
        k: v for k, v in table.items() if k not in (MessageType.VOTE, MessageType.PROPOSAL)
    } == {k: v for k, v in defaults.items() if k not in (MessageType.VOTE, MessageType.PROPOSAL)}
    assert parse_config("").p2p.budgets.table(1000) == default_budgets(1000)


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("monicker = 'x'", "unknown key 'monicker'; did you mean 'moniker'?"),
        ("[api]\nlisten_addr = '1.2.3.4:5'", "unknown key api.'listen_addr'"),
        ("[rpc]\nlisten = '1.2.3.4:5'", "unknown key 'rpc'"),
        ("[mempool]\nmax_tx = 5", "did you mean mempool.'max_txs'?"),
        ("[consensus]\nblock_interval_ms = 5", "unknown key consensus.'block_interval_ms'"),
        ("moniker = 5", "moniker must be a string"),
        ("moniker = ''", "moniker must be 1 to 64"),
        ('moniker = "a\\u0007b"', "printable"),
        ("validator = 'yes'", "validator must be true or false"),
        ("api = 5", "api must be a table"),
        ("[mempool]\nmax_txs = true", "mempool.max_txs must be an integer"),
        ("[mempool]\nmax_txs = 1.5", "mempool.max_txs must be an integer"),
        ("[mempool]\nmax_txs = -1", "must not be negative"),
        ("[mempool]\nmax_txs = 0", "mempool.max_txs must be at least 1"),
        ("[mempool]\nmax_tx_bytes = 100\nmax_bytes = 50", "cannot exceed"),
        ("[consensus]\ntimeout_prevote_ms = 0", "timeout_prevote_ms must be in [1, 600000]"),
        ("[consensus]\ntimeout_prevote_ms = 6000000", "must be in [1, 600000]"),
        ("[api]\nmax_connections = 0", "api.max_connections must be in [1, 1000000]"),
        ("[api]\nidle_timeout_s = 'soon'", "api.idle_timeout_s must be an integer"),
        ("[api]\nmax_requests_per_address = true", "must be an integer"),
        ("[p2p]\nreserved_connections = -3", "p2p.reserved_connections must be in [1, "),
        ("[api]\nidle_timeout_s = 86400", "api.idle_timeout_s must be in [1, 3600]"),
        ("[api]\nmax_json_body_bytes = 100", "api.max_json_body_bytes must be in [1024, 16777216]"),
        ("[api]\nmax_json_body_bytes = 20000000", "api.max_json_body_bytes must be in"),
        ("[api]\nmax_body_bytes_in_flight = 1048576", "api.max_body_bytes_in_flight must be in"),
        ("[api]\nmax_websockets = 0", "api.max_websockets must be in [1, 100000]"),
        ("[api]\nmax_websockets_per_address = 'x'", "must be an integer"),
        ("[p2p]\nhello_timeout_ms = 10", "p2p.hello_timeout_ms must be in [100, 60000]"),
        ("[p2p]\nhandshake_timeout_ms = 1000", "at least p2p.hello_timeout_ms"),
        ("[p2p]\nbudgets = 3", "must be a table"),
        ("[p2p.budgets]\nvotes_per_s = 0", "p2p.budgets.votes_per_s must be in [1, 1000000]"),
        ("[p2p.budgets]\nproposal_blocks_burst = 2000000", "proposal_blocks_burst must be in"),
        ("[p2p.budgets]\nvote_per_s = 5", "did you mean p2p.budgets.'votes_per_s'?"),
        ("[p2p]\nhello_timeout_ms = 2.5", "p2p.hello_timeout_ms must be an integer"),
        ("reserved_fds = 0", "reserved_fds must be at least 1"),
        ("[mempool]\nmax_future_txs = 0", "mempool.max_future_txs must be at least 1"),
        ("[mempool]\nfuture_ttl_s = 600000", "mempool.future_ttl_s must be at most 86400"),
        ("[pacing]\nstart_at_once = 1", "pacing.start_at_once must be true or false"),
        ("[pacing]\nstart_at_one = false", "did you mean pacing.'start_at_once'?"),
        ("[pacing]\nquiet_start_ms = 0", "pacing.quiet_start_ms must be 1 to 60000, got 0"),
        ("[pacing]\nquiet_start_ms = 60001", "pacing.quiet_start_ms must be 1 to 60000"),
        ("[pacing]\nquiet_start_ms = 0.5", "pacing.quiet_start_ms must be an integer"),
        ("[log]\nlevel = 'loud'", "log.level must be one of"),
        ("[log]\nformat = 'xml'", "log.format must be one of"),
        ("[storage]\nkeep_states = 1", "storage.keep_states must be 0 (archive) or at least 2"),
        ("[storage]\nkeep_states = -2", "storage.keep_states must not be negative"),
        ("[storage]\nwrite_buffer_mb = 0", "storage.write_buffer_mb must be in [1, 1024]"),
        ("[storage]\nblock_cache_mb = 5000", "storage.block_cache_mb must be in [1, 4096]"),
        ("this is not toml", "not valid TOML"),
    ],
)
def test_bad_values_are_refused_with_the_key_named(text: str, fragment: str) -> None:
    with pytest.raises(ConfigError) as info:
        parse_config(text)
    assert fragment in str(info.value)


@pytest.mark.parametrize(
    ("listen", "fragment"),
    [
        ("localhost", "is not host:port"),
        ("127.0.0.1:", "is not host:port"),
        (":26656", "is not host:port"),
        ("127.0.0.1:70000", "port 70000 is out of range"),
        ("127.0.0.1:-1", "is not host:port"),
        ("::1:26656", "put an IPv6 host in brackets"),
        ("bad_host!:80", "is not an IP address or host name"),
        ("[not-an-ip]:80", "is not an IPv6 address"),
    ],
)
def test_bad_listen_addresses_are_refused(listen: str, fragment: str) -> None:
    with pytest.raises(ConfigError) as info:
        parse_config(f"[p2p]\nlisten = {toml_string(listen)}")
    assert "p2p.listen" in str(info.value)
    assert fragment in str(info.value)


@pytest.mark.parametrize(
    ("peer", "fragment"),
    [
        ("127.0.0.1:26656", "is not <node key hex>@host:port"),
        ("zz@127.0.0.1:26656", "is not hex"),
        ("abcd@127.0.0.1:26656", "a node key is 32 bytes"),
        (f"{KEY}@127.0.0.1:0", "port 0 is out of range"),
        (f"{KEY}@127.0.0.1", "is not host:port"),
    ],
)
def test_bad_peers_are_refused(peer: str, fragment: str) -> None:
    with pytest.raises(ConfigError) as info:
        parse_config(f"[p2p]\npeers = [{toml_string(peer)}]")
    assert "p2p.peers[0]" in str(info.value)
    assert fragment in str(info.value)


def test_peers_must_be_strings_and_unique() -> None:
    with pytest.raises(ConfigError, match=r"p2p.peers\[0\] must be a string"):
        parse_config("[p2p]\npeers = [5]")
    with pytest.raises(ConfigError, match="lists a node key twice"):
        parse_config(f"[p2p]\npeers = ['{KEY}@a:1', '{KEY}@b:2']")


def test_load_names_the_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="run `coterie init`"):
        load_config(tmp_path / "missing.toml")
    path = tmp_path / "config.toml"
    path.write_text("[log]\nlevel = 'loud'\n")
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert str(path) in str(info.value) and "log.level" in str(info.value)
    path.write_bytes(b"\xff\xfe")
    with pytest.raises(ConfigError, match="cannot read"):
        load_config(path)


def test_overrides_replace_only_the_timeouts_they_set() -> None:
    genesis = ConsensusParams()
    merged = ConsensusOverrides(timeout_propose_ms=1234).apply(genesis)
    assert merged.timeout_propose_ms == 1234
    assert merged.timeout_prevote_ms == genesis.timeout_prevote_ms
    assert ConsensusOverrides().apply(genesis) == genesis


def test_rendered_config_parses_back_to_the_same_config() -> None:
    config = NodeConfig(
        moniker='weird "name" \\ with ünïcode',
        validator=True,
        api=ApiConfig(ListenAddress("0.0.0.0", 1), max_json_body_bytes=2048, max_websockets=7),
        p2p=P2PConfig(
            ListenAddress("::1", 0),
            (Peer(bytes(32), "10.1.2.3", 5), Peer(b"\x01" * 32, "example.org", 6)),
            handshake_timeout_ms=9000,
            budgets=BudgetConfig(votes_per_s=77, block_response_blocks_burst=3),
        ),
        consensus=ConsensusOverrides(timeout_prevote_ms=777),
        pacing=PacingConfig(start_at_once=False, quiet_start_ms=250),
        mempool=MempoolLimits(max_txs=3),
        log=LogConfig("error", "json"),
    )
    text = render_config(config, ConsensusParams())
    assert parse_config(text) == config
    assert "# timeout_propose_ms = 3000" in text
    assert "timeout_prevote_ms = 777" in text
    data = config_to_json(config)
    assert data["consensus"] == {"timeout_prevote_ms": 777}
    assert data["pacing"] == {"start_at_once": False, "quiet_start_ms": 250}
    assert "start_at_once = true" in render_config(NodeConfig())
    assert "quiet_start_ms = 100" in render_config(NodeConfig())
    assert data["p2p"]["peers"][1] == f"{'01' * 32}@example.org:6"
    assert data["p2p"]["budgets"]["votes_per_s"] == 77
    assert data["api"]["max_websockets"] == 7


@given(st.text(min_size=1, max_size=64))
def test_any_string_survives_toml_quoting(text: str) -> None:
    assert tomllib.loads(f"value = {toml_string(text)}")["value"] == text


def test_the_memory_budget_is_read() -> None:
    text = "[storage]\nwrite_buffer_mb = 32\nblock_cache_mb = 4\nstate_cache_entries = 5000"
    assert parse_config(text).storage.budget() == MemoryBudget(32, 4, 5000)
    assert parse_config("").storage.budget() == MemoryBudget()
