"""Fixtures for the node's own tests (config, home, logging, in-process networks)."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from pathlib import Path

import pytest

from ledger.keys import Address
from node.config import ApiConfig, ListenAddress, NodeConfig, P2PConfig, Peer, StateSyncConfig
from node.config_render import render_config
from node.home import NodeHome, init_home
from node.ports import free_ports
from node.service import Node
from node.testnet import LocalTestnet, LocalTestnetNode, init_testnet
from tests.node.processes import Cluster, NodeProc, SyncNet


@pytest.fixture
def restore_root_logger() -> Iterator[None]:
    """Put the root logger's handlers and level back after a test reconfigures logging."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    for handler in list(root.handlers):
        root.removeHandler(handler)
    for handler in handlers:
        root.addHandler(handler)
    root.setLevel(level)


# -- in-process networks of real nodes (real sockets on 127.0.0.1, real LevelDB) ---------------


@pytest.fixture
def testnet_dir(tmp_path: Path) -> LocalTestnet:
    """Homes of a 4-validator testnet with fast blocks (nothing started)."""
    return init_testnet(
        tmp_path / "testnet",
        4,
        block_interval_ms=100,
        timeout_propose_ms=1000,
        empty_block_interval_ms=300,
    )


@pytest.fixture
async def network(testnet_dir: LocalTestnet) -> AsyncIterator[list[Node]]:
    """Four started validators in this event loop; stopped (if still running) afterwards."""
    nodes = [Node.open(n.home) for n in testnet_dir.nodes]
    for node in nodes:
        await node.start()
    yield nodes
    for node in nodes:
        await node.stop()


# -- state sync on real processes -----------------------------------------------------------


@pytest.fixture
def sync_net(tmp_path: Path) -> Iterator[Callable[..., SyncNet]]:
    """Make (once per test) four validators with snapshots every 10 heights that accept a joiner,
    and the joiner: a full node whose peers they are (and `extra_peers`), neither started. Every
    process of it is stopped afterwards."""
    made: list[SyncNet] = []

    def make(
        *,
        funded: Sequence[Address] = (),
        extra_peers: Sequence[Peer] = (),
        chunk_bytes: int | None = None,
    ) -> SyncNet:
        testnet = init_testnet(
            tmp_path / "net", 4, block_interval_ms=200, timeout_propose_ms=1500,
            empty_block_interval_ms=300, funded=list(funded),
        )  # fmt: skip
        api, p2p = (ListenAddress("127.0.0.1", port) for port in free_ports(2, "127.0.0.1"))
        root = tmp_path / "joiner"
        report = init_home(
            root,
            validator=False,
            genesis_source=testnet.root / "genesis.json",
            config=NodeConfig(
                moniker="joiner",
                api=ApiConfig(api),
                p2p=P2PConfig(
                    p2p,
                    tuple(Peer(n.node_key, n.p2p.host, n.p2p.port) for n in testnet.nodes)
                    + tuple(extra_peers),
                ),
            ),
        )
        snapshots = StateSyncConfig(snapshot_interval=10, snapshot_keep=2)
        if chunk_bytes is not None:
            snapshots = dataclasses.replace(snapshots, snapshot_chunk_bytes=chunk_bytes)
        for node in testnet.nodes:  # the validators accept the joiner and make snapshots
            home = NodeHome(node.home)
            config = home.load_config()
            peers = (*config.p2p.peers, Peer(report.node_key, p2p.host, p2p.port))
            config = dataclasses.replace(
                config, p2p=dataclasses.replace(config.p2p, peers=peers), statesync=snapshots
            )
            home.config_file.write_text(render_config(config))
        joiner = NodeProc(LocalTestnetNode("joiner", root, api, p2p, report.node_key, b""))
        made.append(SyncNet(Cluster.of(testnet), joiner, report.node_key))
        return made[-1]

    yield make
    for net in made:
        if net.joiner.running:
            net.joiner.stop()
        net.cluster.stop_all()
