"""`mount(app, node)`: the API on a node's own application, fed by the node's commit listener."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from pytest_aiohttp import AiohttpClient

from ledger.block import DuplicateVoteEvidence
from ledger.genesis import Genesis
from ledger.keys import Address
from ledger.store import Store
from node.api.adapter import CommitListener, mount
from node.api.context import SigningRecord
from node.mempool import Admission, Mempool
from node.p2p import P2PStats
from tests.node.api.builder import ALICE, BOB, VALIDATOR, LiveChain


@dataclass(frozen=True)
class Info:
    moniker: str = "n0"
    node_id: bytes = b"\x01" * 32
    validator: Address | None = VALIDATOR.address
    consensus_height: int = 6
    round: int = 1
    step: str = "prevote"
    syncing: bool = False
    sync_target_height: int = 0
    rounds_total: int = 9
    peers: int = 0
    failed: bool = False


@dataclass
class Peers:
    stats: P2PStats = field(default_factory=P2PStats)

    def peer_info(self) -> list[dict[str, Any]]:
        return []


@dataclass
class StandInNode:
    """The parts of the node's composition root that the API reads (the real ones are
    node/service.py's); store and mempool are the real ones."""

    genesis: Genesis
    store: Store
    mempool: Mempool
    p2p: Peers
    info: Info
    listeners: list[CommitListener] = field(default_factory=list)

    async def submit(self, raw_txs: Sequence[bytes]) -> list[Admission]:
        return await self.mempool.admit_batch(raw_txs)

    def status(self) -> Info:
        return self.info

    def signing(self) -> dict[bytes, SigningRecord]:
        return {VALIDATOR.address.raw: SigningRecord(last_signed_height=5, missed_blocks=2)}

    def add_evidence(self, evidence: DuplicateVoteEvidence) -> bool:
        return False

    def add_commit_listener(self, listener: CommitListener) -> None:
        self.listeners.append(listener)


async def _livez(_request: web.Request) -> web.Response:
    return web.json_response({"status": "alive"})


async def test_mount_serves_the_node_and_follows_its_commits(
    chain: LiveChain, aiohttp_client: AiohttpClient
) -> None:
    node = StandInNode(chain.genesis, chain.store, chain.mempool, Peers(), Info())
    app = web.Application()
    app.router.add_get("/livez", _livez)  # the node's own probe is kept
    mount(app, node)
    client = await aiohttp_client(app)
    status = await (await client.get("/v1/status")).json()
    assert status["consensus"] == {"height": 6, "round": 1, "step": "prevote"}
    assert status["node_id"] == "01" * 32
    assert (await (await client.get("/livez")).json()) == {"status": "alive"}
    assert (await client.get("/readyz")).status == 200
    metrics = await (await client.get("/metrics")).text()
    label = f'validator="{VALIDATOR.address.to_text(chain.genesis.params.address_prefix)}"'
    assert f"coterie_validator_missed_blocks_total{{{label}}} 2.0" in metrics
    async with client.ws_connect("/v1/ws") as sock:
        await sock.send_json({"id": 1, "method": "subscribe", "params": {"topic": "blocks"}})
        await sock.receive_json(timeout=30)
        block, result = chain.builder.commit([chain.builder.transfer(ALICE, BOB, 1)])
        [listener] = node.listeners
        listener(block, result.receipts, result.block_events)
        note = await sock.receive_json(timeout=30)
        assert note["result"]["height"] == block.header.height


async def test_readyz_fails_when_consensus_stopped(
    chain: LiveChain, aiohttp_client: AiohttpClient
) -> None:
    node = StandInNode(chain.genesis, chain.store, chain.mempool, Peers(), Info(failed=True))
    app = web.Application()
    mount(app, node)
    client = await aiohttp_client(app)
    response = await client.get("/readyz")
    assert response.status == 503
    assert (await response.json())["checks"]["consensus"]["ok"] is False
