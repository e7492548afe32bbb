"""Writing a `NodeConfig` as commented TOML (for `coterie init` and `coterie config show`).

Hand-formatted rather than through a TOML writer so that every key carries its one-line
explanation and the file reads like documentation; tests parse the output back with `tomllib`.
"""

from __future__ import annotations

from dataclasses import asdict, fields
from typing import Any

from ledger.genesis import ConsensusParams
from node.config import NodeConfig
from node.config_limits import API_LIMIT_KEYS, P2P_LIMIT_KEYS

_MEMPOOL_NOTES = {
    "max_txs": "pending txs held (ready and waiting for a lower nonce together)",
    "max_bytes": "total encoded size of pending txs",
    "max_tx_bytes": "largest tx admitted (the genesis max_tx_bytes applies too)",
    "max_txs_per_sender": "pending txs of one sender",
    "max_future_per_sender": "how far ahead of its next nonce a sender's tx may wait (0: none)",
    "max_future_txs": "txs waiting for a lower nonce, in the whole pool",
    "future_ttl_s": "seconds (block time) a tx may wait for a lower nonce before it is dropped",
    "verified_cache_size": "tx hashes remembered as verified, so no signature is checked twice",
    "verify_processes": "processes verifying signatures (0: threads, which contend for the GIL)",
}


_API_NOTES = {
    "max_connections": "open connections (HTTP and WebSocket) from everyone",
    "max_connections_per_address": "open connections from one remote address",
    "idle_timeout_s": "seconds a connection may go without a complete request",
    "max_requests_in_flight": "requests served at once (WebSockets not counted); more get 503",
    "max_requests_per_address": "requests served at once for one address; more get 429",
    "max_body_bytes_in_flight": "request body bytes being read at once; more get 503",
    "max_json_body_bytes": "largest JSON tx submission body (msgpack batches: 16 MiB); more: 413",
    "max_websockets": "WebSocket subscribers at once; more get 503",
    "max_websockets_per_address": "WebSocket subscribers from one address; more get 429",
    "max_ws_notifications_per_block": "notifications of one block to one WebSocket client; past "
    "it the client is closed (4008)",
    "max_ws_notifications_per_block_all": "notifications of one block to all WebSocket clients: "
    "each gets at most this divided by the clients connected",
}
_P2P_NOTES = {
    "max_connections": "inbound connections from hosts not in `peers` (outsiders)",
    "max_connections_per_address": "inbound connections from one such host",
    "reserved_connections": "inbound connections kept for the hosts of `peers`",
    "idle_timeout_s": "seconds an inbound connection may take to finish its upgrade request",
    "max_pending_handshakes": "inbound handshakes in progress from outsiders",
    "max_pending_per_address": "inbound handshakes in progress from one outsider host",
    "hello_timeout_ms": "an inbound peer must send its HELLO within this",
    "handshake_timeout_ms": "the whole handshake (dial, HELLOs, signatures) must end within this",
    "heartbeat_ms": "ping a peer silent this long; no pong in half of it closes the link",
    "dial_backoff_max_ms": "longest wait between failed dials of a configured peer",
    "dial_backoff_validator_max_ms": "... of a peer that is a validator (quorum needs it)",
}
_BUDGET_NOTES = {
    "proposals_per_s": "proposals a peer may send per second, and in a burst",
    "proposal_blocks_per_s": "proposal bytes per second and burst, in largest blocks",
    "votes_per_s": "votes per second and burst (every validator's votes, relayed)",
    "evidence_per_s": "evidence messages per second and burst",
    "status_per_s": "status messages per second and burst",
    "block_requests_per_s": "block requests per second and burst (block sync)",
    "block_responses_per_s": "block responses per second and burst",
    "block_response_blocks_per_s": "block response bytes per second and burst, in largest blocks",
}


def _limit_lines(section: Any, keys: tuple[str, ...], notes: dict[str, str]) -> list[str]:
    lines = []
    for key in keys:
        lines.append(f"# {notes[key]}")
        lines.append(f"{key} = {getattr(section, key)}")
    return lines


def toml_string(text: str) -> str:
    """A TOML basic string: quote, backslash and control characters escaped."""
    out = ['"']
    for ch in text:
        code = ord(ch)
        if ch in '"\\':
            out.append("\\" + ch)
        elif code < 0x20 or code == 0x7F:
            out.append(f"\\u{code:04x}")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def render_config(config: NodeConfig, genesis_consensus: ConsensusParams | None = None) -> str:
    """The config as commented TOML; with `genesis_consensus`, timeouts not overridden are
    shown as comments holding the genesis value, so the output shows what is in effect."""
    lines = [
        "# Coterie node configuration. Every key is optional; docs/operating.md explains each.",
        "# Chain-wide rules live in genesis.json next to this file.",
        "",
        "# A name for this node in logs and status output.",
        f"moniker = {toml_string(config.moniker)}",
        "# true: sign blocks with config/priv_validator_key.json (guarded by the sign state).",
        f"validator = {'true' if config.validator else 'false'}",
        "# File descriptors kept for the node's own files; sockets get the rest of the limit.",
        f"reserved_fds = {config.reserved_fds}",
        "",
        "[api]",
        "# REST API, WebSocket, explorer and /metrics. Keep 127.0.0.1 unless a proxy guards it.",
        f"listen = {toml_string(str(config.api.listen))}",
        *_limit_lines(config.api, API_LIMIT_KEYS, _API_NOTES),
        "",
        "[p2p]",
        "# Where peers connect (authenticated WebSocket).",
        f"listen = {toml_string(str(config.p2p.listen))}",
        *_limit_lines(config.p2p, P2P_LIMIT_KEYS, _P2P_NOTES),
        '# Peers to dial and to accept: "<node public key hex>@host:port".',
    ]
    if config.p2p.peers:
        lines.append("peers = [")
        lines.extend(f"  {toml_string(str(peer))}," for peer in config.p2p.peers)
        lines.append("]")
    else:
        lines.append("peers = []")
    lines += [
        "",
        "[p2p.budgets]",
        "# Per peer, by message type; past a budget a message is dropped undecoded and costs the",
        "# peer score (docs/p2p.md, 'Scoring and bans').",
    ]
    for name, value in asdict(config.p2p.budgets).items():
        if name in _BUDGET_NOTES:
            lines.append(f"# {_BUDGET_NOTES[name]}")
        lines.append(f"{name} = {value}")
    lines += [
        "",
        "[consensus]",
        "# This node's overrides of the genesis timeouts, in milliseconds (timeout = base +",
        "# delta * round). A commented key shows the genesis value in effect.",
    ]
    for f in fields(config.consensus):
        value = getattr(config.consensus, f.name)
        if value is not None:
            lines.append(f"{f.name} = {value}")
        elif genesis_consensus is not None:
            lines.append(f"# {f.name} = {getattr(genesis_consensus, f.name)}")
    lines += [
        "",
        "[pacing]",
        "# true: the proposer begins the next height at once when txs wait; false: every height",
        "# waits out the genesis block_interval_ms (docs/node.md, 'Pacing and empty blocks')",
        f"start_at_once = {str(config.pacing.start_at_once).lower()}",
        "# a validator that decides alone begins a waiting height once admissions paused this long",
        f"quiet_start_ms = {config.pacing.quiet_start_ms}",
    ]
    lines += ["", "[mempool]"]
    for name, value in asdict(config.mempool).items():
        lines.append(f"# {_MEMPOOL_NOTES[name]}")
        lines.append(f"{name} = {value}")
    lines += [
        "",
        "[log]",
        "# debug, info, warning, error or critical",
        f"level = {toml_string(config.log.level)}",
        "# text (for people) or json (one object per line, for log collectors)",
        f"format = {toml_string(config.log.format)}",
    ]
    lines += [
        "",
        "[storage]",
        "# 0 keeps every block (archive); K keeps the last K blocks, their tx index, receipts",
        "# and account index (docs/operating.md, 'Pruning')",
        f"keep_blocks = {config.storage.keep_blocks}",
        "# the state trees (Merkle records) of the last K heights, for proofs at those heights;",
        "# 0 keeps every state tree (archive of states)",
        f"keep_states = {config.storage.keep_states}",
        "# memory: LevelDB's memtable (up to twice this) and block cache, in MiB, and how many",
        "# committed state values are cached (docs/operating.md, '[storage]')",
        f"write_buffer_mb = {config.storage.write_buffer_mb}",
        f"block_cache_mb = {config.storage.block_cache_mb}",
        f"state_cache_entries = {config.storage.state_cache_entries}",
        "",
        "[statesync]",
        "# snapshots for nodes that state-sync: every N heights (0: none), keeping the newest K",
        f"snapshot_interval = {config.statesync.snapshot_interval}",
        f"snapshot_keep = {config.statesync.snapshot_keep}",
        "# about how large a chunk is (bytes); every node of a chain should cut chunks alike",
        f"snapshot_chunk_bytes = {config.statesync.snapshot_chunk_bytes}",
    ]
    if config.testing.clock_offset_ms:
        lines += ["", "[testing]", f"clock_offset_ms = {config.testing.clock_offset_ms}"]
    return "\n".join(lines) + "\n"


def config_to_json(config: NodeConfig) -> dict[str, Any]:
    """The config as plain JSON data (addresses and peers as their text forms)."""
    return {
        "moniker": config.moniker,
        "validator": config.validator,
        "reserved_fds": config.reserved_fds,
        "api": {
            "listen": str(config.api.listen),
            **{key: getattr(config.api, key) for key in API_LIMIT_KEYS},
        },
        "p2p": {
            "listen": str(config.p2p.listen),
            "peers": [str(peer) for peer in config.p2p.peers],
            **{key: getattr(config.p2p, key) for key in P2P_LIMIT_KEYS},
            "budgets": asdict(config.p2p.budgets),
        },
        "consensus": {k: v for k, v in asdict(config.consensus).items() if v is not None},
        "pacing": asdict(config.pacing),
        "mempool": asdict(config.mempool),
        "log": {"level": config.log.level, "format": config.log.format},
        "storage": {
            "keep_blocks": config.storage.keep_blocks,
            "keep_states": config.storage.keep_states,
            "write_buffer_mb": config.storage.write_buffer_mb,
            "block_cache_mb": config.storage.block_cache_mb,
            "state_cache_entries": config.storage.state_cache_entries,
        },
        "statesync": {
            "snapshot_interval": config.statesync.snapshot_interval,
            "snapshot_keep": config.statesync.snapshot_keep,
            "snapshot_chunk_bytes": config.statesync.snapshot_chunk_bytes,
        },
    }
