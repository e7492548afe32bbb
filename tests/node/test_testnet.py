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


def test_a_follower_has_no_validator_key_and_every_node_lists_it_as_a_peer(
    tmp_path: Path,
) -> None:
    testnet = init_testnet(tmp_path / "net", 2, followers=1)
    assert [n.moniker for n in testnet.nodes] == ["node0", "node1", "node2"]
    assert len(testnet.genesis.validators) == 2
    follower = NodeHome(testnet.nodes[2].home)
    assert not follower.load_config().validator
    assert not follower.validator_key_file.exists() and not follower.sign_state_file.exists()
    for node in testnet.nodes[:2]:
        home = NodeHome(node.home)
        assert home.load_config().validator and home.sign_state_file.exists()
        peers = {p.node_key for p in home.load_config().p2p.peers}
        assert testnet.nodes[2].node_key in peers
