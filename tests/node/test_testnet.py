"""A local testnet's homes: each node's signature workers sized for the cores the nodes share."""

from __future__ import annotations

from pathlib import Path

import pytest

from node.home import NodeHome
from node.testnet import init_testnet, shared_core_workers


@pytest.mark.parametrize(
    ("nodes", "cores", "workers"),
    [(1, 2, 2), (2, 2, 1), (4, 2, 1), (4, 8, 2), (1, 1, 1), (1, 16, 2)],
)
def test_workers_per_node_divide_the_cores_between_two_and_one(
    nodes: int, cores: int, workers: int
) -> None:
    assert shared_core_workers(nodes, cores) == workers


@pytest.mark.parametrize("validators", [1, 4])
def test_each_home_names_its_worker_count(tmp_path: Path, validators: int) -> None:
    testnet = init_testnet(tmp_path / "net", validators)
    for node in testnet.nodes:
        config = NodeHome(node.home).load_config()
        assert config.mempool.verify_processes == shared_core_workers(validators)
