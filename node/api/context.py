"""What the API needs from the node: one frozen `ApiContext`, built by the node's composition root.

The API reads committed data straight from the `Store` (blocks, txs, state, proofs) and asks the
node, through the callables below, for what only the running node knows: admission plus gossip,
consensus progress, peers and signing counters. Everything optional has a harmless default, so a
test (or a read-only node) can serve the API from a store and a mempool alone.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ledger.block import DuplicateVoteEvidence
from ledger.genesis import Genesis
from ledger.keys import Address
from ledger.store import Store
from node.api.events import EventHub
from node.mempool import Admission, Mempool
from node.p2p.stats import P2PStats


@dataclass(frozen=True, slots=True)
class NodeStatus:
    """A snapshot of the running node, read on every status, readiness and metrics request."""

    consensus_height: int
    """The height consensus is deciding (last committed + 1 when in step)."""
    round: int
    step: str
    """The consensus step name (propose, prevote, precommit, commit), or "syncing"/"stopped"."""
    syncing: bool
    """True while block sync fetches blocks from peers instead of following consensus."""
    sync_target_height: int = 0
    """The highest height peers reported (0 when unknown)."""
    peers: int = 0
    node_id: bytes | None = None
    """This node's P2P public key."""
    validator: Address | None = None
    """This node's validator address, or None for a full node."""
    moniker: str = ""
    rounds_total: int = 0
    """Rounds started since the process started (a round above 0 means a timeout happened)."""
    failed: bool = False
    """True when consensus stopped on an error (the node serves reads but cannot commit)."""


@dataclass(frozen=True, slots=True)
class SigningRecord:
    """How one validator of the current set has signed recently, as this node saw commits."""

    last_signed_height: int
    missed_blocks: int


Submit = Callable[[Sequence[bytes]], Awaitable[list[Admission]]]
"""Admit encoded txs into the mempool and gossip the admitted ones; one answer per input."""


def _no_peers() -> list[dict[str, Any]]:
    return []


def _no_p2p_stats() -> P2PStats | None:
    return None


def _no_signing() -> Mapping[bytes, SigningRecord]:
    return {}


@dataclass(frozen=True, slots=True)
class ApiContext:
    store: Store
    genesis: Genesis
    mempool: Mempool
    submit: Submit
    status: Callable[[], NodeStatus]
    events: EventHub = field(default_factory=EventHub)
    peers: Callable[[], list[dict[str, Any]]] = _no_peers
    """`PeerManager.peer_info`: one dict per connected peer."""
    p2p_stats: Callable[[], P2PStats | None] = _no_p2p_stats
    signing: Callable[[], Mapping[bytes, SigningRecord]] = _no_signing
    """Signing counters by validator address (raw 20 bytes); empty when not tracked."""
    version: str = "0.1.0"
    add_evidence: Callable[[DuplicateVoteEvidence], bool] | None = None
    """Hand evidence to the node's pool (True: new and valid); None: not taken over the API."""

    @property
    def hrp(self) -> str:
        return self.genesis.params.address_prefix
