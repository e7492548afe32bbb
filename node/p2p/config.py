"""P2P settings and peer addresses.

Defaults suit a small network of validators on a LAN or the internet; tests shrink the timeouts
with `dataclasses.replace`. Times are in seconds, sizes in bytes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from typing import Any

from ledger.keys import PUBLIC_KEY_LEN
from node.p2p.budget import Budget, default_budgets
from node.p2p.messages import (
    BLOCK_MESSAGE_OVERHEAD,
    ENVELOPE_OVERHEAD,
    MAX_TXS_PER_BATCH,
    MIB,
    MessageType,
    message_limits,
)
from node.p2p.session import TAG_LEN


@dataclass(frozen=True, slots=True)
class PeerAddress:
    """A peer to dial: where it listens and the node key it must prove (`<hex key>@host:port`)."""

    host: str
    port: int
    public_key: bytes

    def __post_init__(self) -> None:
        if len(self.public_key) != PUBLIC_KEY_LEN:
            raise ValueError(f"a node public key is {PUBLIC_KEY_LEN} bytes")
        if not 0 < self.port < 65536:
            raise ValueError(f"port {self.port} out of range")

    @classmethod
    def parse(cls, text: str) -> PeerAddress:
        """Parse `<64 hex chars>@host:port`; IPv6 hosts go in brackets."""
        key_hex, sep, hostport = text.strip().partition("@")
        host, colon, port = hostport.rpartition(":")
        if not sep or not colon or not host or not port.isdigit():
            raise ValueError(f"peer address {text!r} is not <node key hex>@host:port")
        try:
            key = bytes.fromhex(key_hex)
        except ValueError:
            raise ValueError(f"peer address {text!r}: the node key is not hex") from None
        return cls(host.strip("[]"), int(port), key)

    def url(self, path: str) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}{path}"

    def __str__(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{self.public_key.hex()}@{host}:{self.port}"


@dataclass(frozen=True, slots=True)
class P2PConfig:
    path: str = "/p2p"
    # handshake and liveness
    handshake_timeout: float = 5.0  # connect + both hellos + both signatures
    close_timeout: float = 2.0  # wait for the peer's close frame, then drop the transport
    # WebSocket ping after this long without a message from the peer; no pong within half of it
    # closes the connection. A link that silently drops packets (a cut route) is noticed in
    # 1.5 x this, and redialed; left open, its stalled TCP retransmits back off to 13 s and more.
    heartbeat: float = 5.0
    max_pending_handshakes: int = 16  # unauthenticated inbound sockets at once, from outsiders
    max_pending_per_address: int = 2  # ... from one outsider address
    reserved_pending: int = 32  # ... from the hosts of configured peers (their own pool)
    hello_timeout: float = 2.0  # an inbound peer's HELLO must arrive this soon
    # reconnecting to configured peers: delay = min(max, initial * 2**failures), with jitter
    dial_backoff_initial: float = 0.5
    dial_backoff_max: float = 30.0
    dial_backoff_validator_max: float = 2.0  # the peer is a validator of the set: quorum needs it
    dial_backoff_not_allowed_max: float = 5.0  # the peer refused us as not (yet) allowed
    # per-peer send queues (see connection.py for the policy)
    send_timeout: float = 10.0  # one frame not accepted by the socket for this long: slow peer
    control_queue_msgs: int = 4096
    control_queue_bytes: int = 128 * MIB
    bulk_queue_msgs: int = 64
    bulk_queue_bytes: int = 16 * MIB
    # tx gossip
    tx_batch_max_txs: int = 2000
    tx_batch_max_bytes: int = 1 * MIB
    tx_flush_interval: float = 0.01
    seen_txs: int = 200_000  # tx hashes remembered with the peers known to hold them
    # scoring
    ban_score: float = -100.0
    ban_seconds: float = 600.0
    score_recovery_per_second: float = 0.1
    limits: Mapping[MessageType, int] = field(default_factory=message_limits)
    # per-peer budgets by message type (node/p2p/budget.py); None: derived from the limits
    budgets: Mapping[MessageType, Budget] | None = None

    def budget_table(self) -> Mapping[MessageType, Budget]:
        if self.budgets is not None:
            return self.budgets
        block = self.limits[MessageType.BLOCK_RESPONSE] - BLOCK_MESSAGE_OVERHEAD
        return default_budgets(max(block, 1))

    def __post_init__(self) -> None:
        if set(self.limits) != set(MessageType):
            raise ValueError("limits must give a size for every message type")
        if not 0 < self.tx_batch_max_txs <= MAX_TXS_PER_BATCH:
            raise ValueError(f"tx_batch_max_txs must be 1 to {MAX_TXS_PER_BATCH}")
        if self.tx_batch_max_bytes > self.limits[MessageType.TXS] - ENVELOPE_OVERHEAD:
            raise ValueError("tx_batch_max_bytes must fit in the TXS message limit")
        if self.ban_score >= 0:
            raise ValueError("ban_score must be negative")
        lowest_max = min(
            self.dial_backoff_max,
            self.dial_backoff_validator_max,
            self.dial_backoff_not_allowed_max,
        )
        if self.dial_backoff_initial <= 0 or lowest_max < self.dial_backoff_initial:
            raise ValueError("dial backoff must be positive, with max >= initial")

    @classmethod
    def from_mapping(
        cls, values: Mapping[str, Any], limits: Mapping[MessageType, int] | None = None
    ) -> P2PConfig:
        """Settings from a config-file table (the `[p2p]` section of config.toml): unknown keys
        and values of the wrong type are errors. `limits` (normally
        `message_limits(genesis max_block_bytes)`) is not a file setting."""
        defaults = cls()
        unknown = set(values) - ({f.name for f in fields(cls)} - {"limits", "budgets"})
        if unknown:
            raise ValueError(f"unknown p2p settings: {sorted(unknown)}")
        changes: dict[str, Any] = {}
        for key, value in values.items():
            default = getattr(defaults, key)
            if isinstance(default, str):
                ok = isinstance(value, str)
            elif isinstance(default, int):
                ok = isinstance(value, int) and not isinstance(value, bool)
            else:
                ok = isinstance(value, int | float) and not isinstance(value, bool)
            if not ok:
                raise ValueError(f"p2p.{key} must be a {type(default).__name__}, got {value!r}")
            changes[key] = float(value) if isinstance(default, float) else value
        if limits is not None:
            changes["limits"] = limits
        return replace(defaults, **changes)

    @property
    def max_frame_bytes(self) -> int:
        """The transport's frame limit: the largest message of any type, sealed."""
        return max(self.limits.values()) + ENVELOPE_OVERHEAD + TAG_LEN
