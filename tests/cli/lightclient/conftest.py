"""Fixtures for the light client and `coterie query`: a real chain served by the node's API on
127.0.0.1, a tampering proxy in front of it, and a wallet home holding the chain's genesis."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import pytest

from ledger.genesis import Genesis
from node.api.adapter import mount
from node.service import Node
from node.testnet import LocalTestnet, init_testnet
from tests.cli.lightclient.devchain import (
    DevChain,
    Servers,
    Tamper,
    api_app,
    make_genesis,
    proxy_app,
)


@pytest.fixture
def servers() -> Iterator[Servers]:
    running = Servers()
    yield running
    running.close()


@pytest.fixture
def devchain(tmp_path: Path, servers: Servers) -> Iterator[DevChain]:
    """Five committed blocks (a transfer in the second), served at `devchain.url`."""
    chain = DevChain(tmp_path / "chain.ldb", make_genesis())
    chain.commit()
    chain.commit([chain.transfer(250)])
    chain.blocks(3)
    chain.url = servers.serve(api_app(chain))
    yield chain
    servers.call(chain.close)


@pytest.fixture
def node_url(devchain: DevChain) -> str:
    return devchain.url


@pytest.fixture
def proxy(servers: Servers, node_url: str) -> Callable[[Tamper], str]:
    """Start a proxy in front of the node that rewrites answers with the given function."""

    def start(tamper: Tamper) -> str:
        return servers.serve(proxy_app(node_url, tamper))

    return start


@pytest.fixture
def genesis_file(tmp_path: Path, devchain: DevChain) -> Path:
    path = tmp_path / "genesis.json"
    devchain.genesis.write(path)
    return path


@pytest.fixture
def other_genesis_file(tmp_path: Path) -> Path:
    """A genesis of another chain (same validators, another chain id)."""
    path = tmp_path / "other-genesis.json"
    other: Genesis = make_genesis("coterie-other-chain")
    other.write(path)
    return path


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
    """Four real validators (P2P consensus on 127.0.0.1, the API mounted) in this loop."""
    nodes = [Node.open(n.home, api_routes=mount) for n in testnet_dir.nodes]
    for node in nodes:
        await node.start()
    yield nodes
    for node in nodes:
        await node.stop()
