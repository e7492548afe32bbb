"""Fixtures for the hostile-network tests: real node processes under a low open-file limit."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from node.testnet import init_testnet
from tests.node.processes import Cluster, wait_for

NOFILE = 512  # the nodes' RLIMIT_NOFILE: a flood of a few hundred sockets reaches it


def _cluster(root: Path, validators: int) -> Cluster:
    net = Cluster.of(
        init_testnet(
            root,
            validators,
            block_interval_ms=200,
            timeout_propose_ms=1500,
            empty_block_interval_ms=300,
        )
    )
    for node in net.nodes:
        node.nofile = NOFILE
    return net


@pytest.fixture
def solo(tmp_path: Path) -> Iterator[Cluster]:
    """One validator (it commits alone), started and committing, under RLIMIT_NOFILE=512."""
    net = _cluster(tmp_path / "solo", 1)
    net.start()
    try:
        wait_for(lambda: net.nodes[0].height() >= 2, 60, "the validator to commit")
        yield net
    finally:
        net.stop_all()


@pytest.fixture
def pair(tmp_path: Path) -> Iterator[Cluster]:
    """Two validators (both needed to commit), started and committing, RLIMIT_NOFILE=512."""
    net = _cluster(tmp_path / "pair", 2)
    net.start()
    try:
        wait_for(lambda: min(net.heights()) >= 2, 90, "two validators to commit")
        yield net
    finally:
        net.stop_all()
