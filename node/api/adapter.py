"""Mounting the API on the node: `mount(app, node)` builds the `ApiContext` from the node's parts.

Written against small structural protocols rather than the node's class, so the API depends on
what it reads, not on how the composition root is built: the node passes `mount` as its
`api_routes` hook (`Node.open(home, api_routes=mount)`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, Protocol

from aiohttp import web

from ledger.block import Block, DuplicateVoteEvidence
from ledger.genesis import Genesis
from ledger.keys import Address
from ledger.state.events import Event, Receipt
from ledger.store import Store
from node.api.app import add_routes
from node.api.context import ApiContext, NodeStatus, SigningRecord
from node.api.events import EventHub
from node.explorer import add_explorer_routes
from node.mempool import Admission, Mempool
from node.p2p.stats import P2PStats

CommitListener = Callable[[Block, Sequence[Receipt], Sequence[Event]], None]


class NodeInfoLike(Protocol):
    @property
    def moniker(self) -> str: ...
    @property
    def node_id(self) -> bytes: ...
    @property
    def validator(self) -> Address | None: ...
    @property
    def consensus_height(self) -> int: ...
    @property
    def round(self) -> int: ...
    @property
    def step(self) -> str: ...
    @property
    def syncing(self) -> bool: ...
    @property
    def sync_target_height(self) -> int: ...
    @property
    def rounds_total(self) -> int: ...
    @property
    def peers(self) -> int: ...
    @property
    def failed(self) -> bool: ...


class PeersLike(Protocol):
    @property
    def stats(self) -> P2PStats: ...
    def peer_info(self) -> list[dict[str, Any]]: ...


class NodeLike(Protocol):
    @property
    def genesis(self) -> Genesis: ...
    @property
    def store(self) -> Store: ...
    @property
    def mempool(self) -> Mempool: ...
    @property
    def p2p(self) -> PeersLike: ...
    async def submit(self, raw_txs: Sequence[bytes]) -> list[Admission]: ...
    def status(self) -> NodeInfoLike: ...
    def signing(self) -> Mapping[bytes, SigningRecord]: ...
    def add_commit_listener(self, listener: CommitListener) -> None: ...
    def add_evidence(self, evidence: DuplicateVoteEvidence) -> bool: ...


def node_status(info: NodeInfoLike) -> NodeStatus:
    return NodeStatus(
        consensus_height=info.consensus_height,
        round=info.round,
        step=info.step,
        syncing=info.syncing,
        sync_target_height=info.sync_target_height,
        peers=info.peers,
        node_id=info.node_id,
        validator=info.validator,
        moniker=info.moniker,
        rounds_total=info.rounds_total,
        failed=info.failed,
    )


def context_for(node: NodeLike, version: str = "0.1.0") -> ApiContext:
    """The API's view of a running node; subscribes its event hub to the node's commits."""
    hub = EventHub()
    node.add_commit_listener(hub.publish_block)
    p2p = node.p2p
    return ApiContext(
        store=node.store,
        genesis=node.genesis,
        mempool=node.mempool,
        submit=node.submit,
        status=lambda: node_status(node.status()),
        events=hub,
        peers=p2p.peer_info,
        p2p_stats=lambda: p2p.stats,
        signing=node.signing,
        version=version,
        add_evidence=node.add_evidence,
    )


def mount(app: web.Application, node: NodeLike) -> None:
    """The node's `api_routes` hook: the whole API, and the explorer at `/explorer`, on the
    node's API application."""
    add_routes(app, context_for(node))
    add_explorer_routes(app)
