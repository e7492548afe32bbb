"""Issue 14, item 2 (second round): a validator that is not a configured peer, or connects from
an address no configured peer has (NAT), must not lose its handshake to outsiders.

Reserved slots used to match the source address alone, so such a validator took its chances in
the outsiders' pools; a squatter keeping those full (silent upgrades from 24 addresses) kept it
out for good. Now a newcomer takes the place of the oldest connection that has not proven a key,
and a connection that proves an allowed key leaves the outsiders' pool for the reserved one.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from node.config_parse import load_config
from node.config_render import render_config
from node.testnet import init_testnet
from tests.node.hostile.attacker import SlotSquatter
from tests.node.hostile.conftest import NOFILE
from tests.node.processes import Cluster, NodeProc, wait_for

pytestmark = [pytest.mark.slow, pytest.mark.timeout(300)]


def _peers(node: NodeProc) -> int:
    status = node.status()
    return int(status["peers"]) if status else -1


@pytest.fixture
def unlisted(tmp_path: Path) -> Iterator[Cluster]:
    """Two validators (both needed to commit); the first lists no peers, so the second is
    known to it only from the chain's validator set and connects as an outsider address."""
    net = Cluster.of(
        init_testnet(
            tmp_path / "unlisted",
            2,
            block_interval_ms=200,
            timeout_propose_ms=1500,
            empty_block_interval_ms=300,
        )
    )
    path = net.nodes[0].node.home / "config" / "config.toml"
    config = load_config(path)
    path.write_text(
        render_config(dataclasses.replace(config, p2p=dataclasses.replace(config.p2p, peers=())))
    )
    for node in net.nodes:
        node.nofile = NOFILE
    net.start()
    try:
        wait_for(lambda: min(net.heights()) >= 2, 90, "two validators to commit")
        yield net
    finally:
        net.stop_all()


def test_a_validator_known_only_from_the_chain_gets_past_a_squatter(unlisted: Cluster) -> None:
    a, b = unlisted.nodes
    with SlotSquatter([a.node.p2p.port]) as squatter:
        time.sleep(2.0)  # the squatter holds every outsider slot it can get
        b.stop()
        b.start()
        wait_for(lambda: _peers(a) >= 1 and _peers(b) >= 1, 45, "the validator to reconnect")
        top = a.answered_height()
        wait_for(lambda: min(unlisted.heights()) >= top + 3, 45, "commits under the squatter")
        assert squatter.opened >= 16  # it kept the outsiders' pending pool full
    assert a.running and b.running
