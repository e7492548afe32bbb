"""Reading `config.toml` into a `NodeConfig` (node/config.py) with `tomllib`, every key checked.

Unknown keys (with a did-you-mean hint), wrong types, bad addresses and out-of-range numbers are a
`ConfigError` that names the key, and `load_config` adds the file. `node/config_render.py` writes
the same file back.
"""

from __future__ import annotations

import difflib
import tomllib
from dataclasses import fields
from pathlib import Path
from typing import Any

from node.config import (
    DEFAULT_API_LISTEN,
    DEFAULT_LOG_FORMAT,
    DEFAULT_LOG_LEVEL,
    DEFAULT_MONIKER,
    DEFAULT_P2P_LISTEN,
    DEFAULT_RESERVED_FDS,
    LOG_FORMATS,
    LOG_LEVELS,
    MAX_PEERS,
    ApiConfig,
    ConsensusOverrides,
    LogConfig,
    NodeConfig,
    P2PConfig,
    PacingConfig,
    StateSyncConfig,
    StorageConfig,
    TestingConfig,
    check_moniker,
)
from node.config_addresses import ConfigError, ListenAddress, Peer
from node.config_limits import API_LIMIT_KEYS, API_RANGES, P2P_LIMIT_KEYS, P2P_RANGES
from node.mempool.limits import MempoolLimits
from node.p2p.budget import BudgetConfig
from node.pacing import MAX_QUIET_MS, QUIET_MS

__all__ = ["load_config", "parse_config"]


def load_config(path: Path) -> NodeConfig:
    """Read and check `config.toml`; raises `ConfigError` naming the file and the key."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"no config file at {path} (run `coterie init`)") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read {path}: {exc}") from None
    try:
        return parse_config(text)
    except ConfigError as exc:
        raise ConfigError(f"{path}: {exc}") from None


def parse_config(text: str) -> NodeConfig:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"not valid TOML: {exc}") from None
    sections = (
        "api",
        "p2p",
        "consensus",
        "pacing",
        "mempool",
        "log",
        "storage",
        "statesync",
        "testing",
    )
    _check_keys(data, ("moniker", "validator", "reserved_fds", *sections), "")
    return NodeConfig(
        moniker=check_moniker(_get(data, "moniker", str, "", DEFAULT_MONIKER)),
        validator=_get(data, "validator", bool, "", False),
        reserved_fds=_positive(data, "reserved_fds", "", DEFAULT_RESERVED_FDS),
        api=_api(_section(data, "api")),
        p2p=_p2p(_section(data, "p2p")),
        consensus=_ints_section(_section(data, "consensus"), "consensus", ConsensusOverrides),
        pacing=_pacing(_section(data, "pacing")),
        mempool=_ints_section(_section(data, "mempool"), "mempool", MempoolLimits),
        log=_log(_section(data, "log")),
        storage=_ints_section(_section(data, "storage"), "storage", StorageConfig),
        statesync=_ints_section(_section(data, "statesync"), "statesync", StateSyncConfig),
        testing=_ints_section(_section(data, "testing"), "testing", TestingConfig),
    )


def _check_keys(table: dict[str, Any], known: tuple[str, ...], prefix: str) -> None:
    for key in table:
        if key not in known:
            hint = difflib.get_close_matches(key, known, n=1)
            maybe = f"; did you mean {prefix}{hint[0]!r}?" if hint else ""
            raise ConfigError(f"unknown key {prefix}{key!r}{maybe} (known: {', '.join(known)})")


def _section(data: dict[str, Any], name: str) -> dict[str, Any]:
    value = data.get(name, {})
    if not isinstance(value, dict):
        raise ConfigError(f"{name} must be a table ([{name}])")
    return value


def _get(table: dict[str, Any], key: str, kind: type, prefix: str, default: Any) -> Any:
    if key not in table:
        return default
    value = table[key]
    wrong_bool = kind is int and isinstance(value, bool)
    if wrong_bool or not isinstance(value, kind):
        names = {str: "a string", bool: "true or false", int: "an integer", list: "an array"}
        raise ConfigError(f"{prefix}{key} must be {names[kind]}, got {value!r}")
    return value


def _positive(table: dict[str, Any], key: str, prefix: str, default: int) -> int:
    value: int = _get(table, key, int, prefix, default)
    if value < 1:
        raise ConfigError(f"{prefix}{key} must be at least 1, got {value}")
    return value


def _limits(
    table: dict[str, Any], ranges: dict[str, tuple[int, int]], prefix: str, cls: Any
) -> dict[str, int]:
    defaults = cls()
    out = {}
    for key, (low, high) in ranges.items():
        value: int = _get(table, key, int, prefix, getattr(defaults, key))
        if not low <= value <= high:
            raise ConfigError(f"{prefix}{key} must be in [{low}, {high}], got {value}")
        out[key] = value
    return out


def _api(table: dict[str, Any]) -> ApiConfig:
    _check_keys(table, ("listen", *API_LIMIT_KEYS), "api.")
    text = _get(table, "listen", str, "api.", str(DEFAULT_API_LISTEN))
    limits = _limits(table, API_RANGES, "api.", ApiConfig)
    return ApiConfig(ListenAddress.parse(text, "api.listen"), **limits)


def _p2p(table: dict[str, Any]) -> P2PConfig:
    _check_keys(table, ("listen", "peers", "budgets", *P2P_LIMIT_KEYS), "p2p.")
    text = _get(table, "listen", str, "p2p.", str(DEFAULT_P2P_LISTEN))
    raw_peers = _get(table, "peers", list, "p2p.", [])
    if len(raw_peers) > MAX_PEERS:
        raise ConfigError(f"p2p.peers lists more than {MAX_PEERS} peers")
    peers = []
    for i, item in enumerate(raw_peers):
        if not isinstance(item, str):
            raise ConfigError(f"p2p.peers[{i}] must be a string <node key hex>@host:port")
        peers.append(Peer.parse(item, f"p2p.peers[{i}]"))
    if len({p.node_key for p in peers}) != len(peers):
        raise ConfigError("p2p.peers lists a node key twice")
    limits = _limits(table, P2P_RANGES, "p2p.", P2PConfig)
    if limits["handshake_timeout_ms"] < limits["hello_timeout_ms"]:
        raise ConfigError("p2p.handshake_timeout_ms must be at least p2p.hello_timeout_ms")
    budgets = _ints_section(_section(table, "budgets"), "p2p.budgets", BudgetConfig)
    return P2PConfig(
        ListenAddress.parse(text, "p2p.listen"), tuple(peers), budgets=budgets, **limits
    )


def _ints_section(table: dict[str, Any], name: str, cls: Any) -> Any:
    """A section whose keys are the integer fields of `cls` (at least 0)."""
    known = tuple(f.name for f in fields(cls))
    _check_keys(table, known, f"{name}.")
    values = {}
    for key in table:
        value = _get(table, key, int, f"{name}.", None)
        if value < 0:
            raise ConfigError(f"{name}.{key} must not be negative, got {value}")
        values[key] = value
    try:
        return cls(**values)
    except ValueError as exc:
        raise ConfigError(str(exc)) from None


def _pacing(table: dict[str, Any]) -> PacingConfig:
    _check_keys(table, ("start_at_once", "quiet_start_ms"), "pacing.")
    quiet_ms: int = _get(table, "quiet_start_ms", int, "pacing.", QUIET_MS)
    if not 1 <= quiet_ms <= MAX_QUIET_MS:
        raise ConfigError(f"pacing.quiet_start_ms must be 1 to {MAX_QUIET_MS}, got {quiet_ms}")
    return PacingConfig(_get(table, "start_at_once", bool, "pacing.", True), quiet_ms)


def _log(table: dict[str, Any]) -> LogConfig:
    _check_keys(table, ("level", "format"), "log.")
    level = _get(table, "level", str, "log.", DEFAULT_LOG_LEVEL).lower()
    if level not in LOG_LEVELS:
        raise ConfigError(f"log.level must be one of {', '.join(LOG_LEVELS)}, got {level!r}")
    fmt = _get(table, "format", str, "log.", DEFAULT_LOG_FORMAT).lower()
    if fmt not in LOG_FORMATS:
        raise ConfigError(f"log.format must be one of {', '.join(LOG_FORMATS)}, got {fmt!r}")
    return LogConfig(level, fmt)
