"""The node's configuration: `config.toml` in the home's config/ folder, as one frozen dataclass.

The file is data, never code: `node/config_parse.py` reads it with `tomllib` and checks every key
(unknown keys, wrong types, bad addresses and out-of-range numbers are a `ConfigError` that names
the key and the file); every key is optional, with the defaults below. `render_config` writes it
back as commented TOML; `coterie config show` prints the effective config that way.
docs/operating.md has the reference.

Chain-wide rules (timeouts included) live in genesis.json; `[consensus]` holds only this node's
overrides of the genesis timeouts (a timeout is a local liveness choice in Tendermint, not a
validity rule), and `ConsensusOverrides.apply` merges them.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field, fields

from ledger.genesis import ConsensusParams
from ledger.store.history import MIN_KEEP_STATES
from ledger.store.leveldb import (
    BLOCK_CACHE_MB,
    STATE_CACHE_ENTRIES,
    WRITE_BUFFER_MB,
    MemoryBudget,
)
from ledger.store.snapshot import CHUNK_BYTES
from node.api.limits import DEFAULT_JSON_BODY_BYTES
from node.config_addresses import ConfigError, ListenAddress, Peer
from node.mempool.limits import MempoolLimits
from node.p2p.budget import BudgetConfig
from node.pacing import QUIET_MS

__all__ = [
    "DEFAULT_API_LISTEN",
    "DEFAULT_API_PORT",
    "DEFAULT_LOG_FORMAT",
    "DEFAULT_LOG_LEVEL",
    "DEFAULT_MONIKER",
    "DEFAULT_P2P_LISTEN",
    "DEFAULT_P2P_PORT",
    "DEFAULT_RESERVED_FDS",
    "LOG_FORMATS",
    "LOG_LEVELS",
    "LOOPBACK",
    "MAX_MONIKER_LEN",
    "MAX_PEERS",
    "MAX_TIMEOUT_MS",
    "MIN_KEEP_BLOCKS",
    "MIN_KEEP_STATES",
    "ApiConfig",
    "ConfigError",
    "ConsensusOverrides",
    "ListenAddress",
    "LogConfig",
    "NodeConfig",
    "P2PConfig",
    "PacingConfig",
    "Peer",
    "StateSyncConfig",
    "StorageConfig",
    "TestingConfig",
    "check_moniker",
]

DEFAULT_API_PORT = 26657
DEFAULT_P2P_PORT = 26656
LOOPBACK = "127.0.0.1"
LOG_LEVELS = ("debug", "info", "warning", "error", "critical")
LOG_FORMATS = ("text", "json")
MAX_MONIKER_LEN = 64
MAX_PEERS = 256
MAX_TIMEOUT_MS = 600_000  # ten minutes: a larger value is almost surely a unit mistake


DEFAULT_API_LISTEN = ListenAddress(LOOPBACK, DEFAULT_API_PORT)
DEFAULT_P2P_LISTEN = ListenAddress(LOOPBACK, DEFAULT_P2P_PORT)


@dataclass(frozen=True, slots=True)
class ApiConfig:
    listen: ListenAddress = DEFAULT_API_LISTEN
    max_connections: int = 900
    """Open connections (HTTP and WebSocket) from everyone (CometBFT's default)."""
    max_connections_per_address: int = 64
    """Open connections from one remote address."""
    idle_timeout_s: int = 10
    """A connection without a complete request for this long is closed (slowloris, idle)."""
    max_requests_in_flight: int = 64
    """Requests being served at once (WebSockets not counted); more get 503."""
    max_requests_per_address: int = 8
    """Requests being served at once for one remote address; more get 429."""
    max_body_bytes_in_flight: int = 48 * 1024 * 1024
    """Request bodies being read or held, reserved by Content-Length before reading; 503 past it."""
    max_json_body_bytes: int = DEFAULT_JSON_BODY_BYTES
    """Largest JSON tx submission (msgpack batches keep their 16 MiB)."""
    max_websockets: int = 100
    """WebSocket subscribers at once (CometBFT's 100)."""
    max_websockets_per_address: int = 8
    """WebSocket subscribers from one remote address."""
    max_ws_notifications_per_block: int = 1000
    """Notifications of one block to one WebSocket client (node/api/limits.py)."""
    max_ws_notifications_per_block_all: int = 20_000
    """Notifications of one block to all WebSocket clients together (node/api/limits.py)."""


@dataclass(frozen=True, slots=True)
class P2PConfig:
    listen: ListenAddress = DEFAULT_P2P_LISTEN
    peers: tuple[Peer, ...] = ()
    max_connections: int = 64
    """Inbound connections from addresses that are not a configured peer's host."""
    max_connections_per_address: int = 4
    """Inbound connections from one such address."""
    reserved_connections: int = 32
    """Inbound connections kept for the hosts of `peers`, which outsiders cannot take."""
    idle_timeout_s: int = 5
    """An inbound connection that has not finished its upgrade request for this long is closed."""
    max_pending_handshakes: int = 16
    """Inbound handshakes in progress from addresses that are not a configured peer's host."""
    max_pending_per_address: int = 2
    """Inbound handshakes in progress from one such address."""
    hello_timeout_ms: int = 2000
    """An inbound peer must send its HELLO this soon after the upgrade."""
    handshake_timeout_ms: int = 5000
    """The whole handshake (dial, both HELLOs, both signatures) must end this soon."""
    heartbeat_ms: int = 5000
    """Ping a peer silent for this long; no pong within half of it closes the connection."""
    dial_backoff_max_ms: int = 30_000
    """Longest wait between two failed dials of a configured peer (doubling from 0.5 s)."""
    dial_backoff_validator_max_ms: int = 2000
    """... of a configured peer whose node key is a validator's: the chain needs it for quorum."""
    budgets: BudgetConfig = field(default_factory=BudgetConfig)
    """Per-peer message and byte budgets (`[p2p.budgets]`, node/p2p/budget.py)."""


DEFAULT_RESERVED_FDS = 256


@dataclass(frozen=True, slots=True)
class ConsensusOverrides:
    """This node's overrides of the genesis timeouts; None keeps the genesis value."""

    timeout_propose_ms: int | None = None
    timeout_propose_delta_ms: int | None = None
    timeout_prevote_ms: int | None = None
    timeout_prevote_delta_ms: int | None = None
    timeout_precommit_ms: int | None = None
    timeout_precommit_delta_ms: int | None = None

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if value is None:
                continue
            low = 0 if "delta" in f.name else 1
            if isinstance(value, bool) or not isinstance(value, int):
                raise ConfigError(f"consensus.{f.name} must be an integer, got {value!r}")
            if not low <= value <= MAX_TIMEOUT_MS:
                raise ConfigError(f"consensus.{f.name} must be in [{low}, {MAX_TIMEOUT_MS}] ms")

    def apply(self, params: ConsensusParams) -> ConsensusParams:
        changes = {f.name: getattr(self, f.name) for f in fields(self)}
        return dataclasses.replace(params, **{k: v for k, v in changes.items() if v is not None})


@dataclass(frozen=True, slots=True)
class PacingConfig:
    """When this node begins a height (node/pacing.py, docs/node.md "Pacing and empty blocks"):
    `start_at_once` (the default) lets the proposer begin the next height at the decision when
    txs wait; False makes every height wait out the block interval, as before that rule (the
    bench sets it to measure what the rule costs in saturated throughput). `quiet_start_ms`:
    how long admissions must pause before a validator that decides alone begins a waiting
    height (`QuietStart`)."""

    start_at_once: bool = True
    quiet_start_ms: int = QUIET_MS


DEFAULT_MONIKER = "node"
DEFAULT_LOG_LEVEL = "info"
DEFAULT_LOG_FORMAT = "text"


@dataclass(frozen=True, slots=True)
class LogConfig:
    level: str = DEFAULT_LOG_LEVEL
    format: str = DEFAULT_LOG_FORMAT


STORAGE_RANGES = (
    ("write_buffer_mb", 1, 1024),
    ("block_cache_mb", 1, 4096),
    ("state_cache_entries", 0, 10_000_000),
)
DEFAULT_KEEP_STATES = MIN_KEEP_STATES
"""Nothing in the node reads an older state tree (docs/operating.md, "Pruning")."""


@dataclass(frozen=True, slots=True)
class StorageConfig:
    """`keep_blocks`: 0 keeps every block (an archive node, the default: docs/operating.md,
    "Pruning"); K >= MIN_KEEP_BLOCKS keeps the last K blocks and their indexes. `keep_states`:
    the state trees of the last K heights (K >= MIN_KEEP_STATES, default DEFAULT_KEEP_STATES);
    0 keeps every state tree (an archive of states)."""

    keep_blocks: int = 0
    keep_states: int = DEFAULT_KEEP_STATES
    write_buffer_mb: int = WRITE_BUFFER_MB
    block_cache_mb: int = BLOCK_CACHE_MB
    state_cache_entries: int = STATE_CACHE_ENTRIES

    def __post_init__(self) -> None:
        if 0 < self.keep_blocks < MIN_KEEP_BLOCKS:
            raise ValueError(
                f"storage.keep_blocks must be 0 (archive) or at least {MIN_KEEP_BLOCKS}, "
                f"got {self.keep_blocks}"
            )
        if 0 < self.keep_states < MIN_KEEP_STATES or self.keep_states < 0:
            raise ValueError(
                f"storage.keep_states must be 0 (archive) or at least {MIN_KEEP_STATES}, "
                f"got {self.keep_states}"
            )
        for name, low, high in STORAGE_RANGES:
            if not low <= getattr(self, name) <= high:
                raise ValueError(f"storage.{name} must be in [{low}, {high}]")

    def budget(self) -> MemoryBudget:
        return MemoryBudget(self.write_buffer_mb, self.block_cache_mb, self.state_cache_entries)


@dataclass(frozen=True, slots=True)
class StateSyncConfig:
    """Snapshots this node makes for state sync (node/snapshots.py): every `snapshot_interval`
    heights (0: none), keeping the newest `snapshot_keep`."""

    snapshot_interval: int = 0
    snapshot_keep: int = 2
    snapshot_chunk_bytes: int = CHUNK_BYTES
    """About how large a chunk is; every node offering one snapshot must cut it alike (the
    joiner fetches a snapshot from the peers whose offers are identical)."""

    def __post_init__(self) -> None:
        if self.snapshot_keep < 1:
            raise ValueError("statesync.snapshot_keep must be at least 1")
        if not 1024 <= self.snapshot_chunk_bytes <= CHUNK_BYTES:
            raise ValueError(
                f"statesync.snapshot_chunk_bytes must be in [1024, {CHUNK_BYTES}], "
                f"got {self.snapshot_chunk_bytes}"
            )


MIN_KEEP_BLOCKS = 2
"""The current block and the one before it: consensus needs the last commit, nothing older."""


@dataclass(frozen=True, slots=True)
class TestingConfig:
    """For tests only: `clock_offset_ms` sets this node's consensus clock that far ahead (a bad
    clock, or a proposer stamping future times), to show the others refuse its proposals."""

    clock_offset_ms: int = 0


@dataclass(frozen=True, slots=True)
class NodeConfig:
    moniker: str = DEFAULT_MONIKER
    validator: bool = False
    reserved_fds: int = DEFAULT_RESERVED_FDS
    """File descriptors kept for the node's own files (node/fdbudget.py)."""
    api: ApiConfig = field(default_factory=ApiConfig)
    p2p: P2PConfig = field(default_factory=P2PConfig)
    consensus: ConsensusOverrides = field(default_factory=ConsensusOverrides)
    pacing: PacingConfig = field(default_factory=PacingConfig)
    mempool: MempoolLimits = field(default_factory=MempoolLimits)
    log: LogConfig = field(default_factory=LogConfig)
    storage: StorageConfig = field(default_factory=StorageConfig)
    statesync: StateSyncConfig = field(default_factory=StateSyncConfig)
    testing: TestingConfig = field(default_factory=TestingConfig)


def check_moniker(value: str) -> str:
    """`value` if it is a usable moniker, else `ConfigError`."""
    if not 0 < len(value) <= MAX_MONIKER_LEN or not value.isprintable():
        raise ConfigError(f"moniker must be 1 to {MAX_MONIKER_LEN} printable characters")
    return value
