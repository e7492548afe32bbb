"""Fixtures for the node's own tests (config, home, logging, in-process networks)."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from node.service import Node
from node.testnet import LocalTestnet, init_testnet


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
