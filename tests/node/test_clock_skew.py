"""A validator with a clock an hour ahead, as real processes: the others refuse its proposals
(their time is not timely: proposer-based timestamps) and the chain keeps committing, with every
block's time within the honest clocks' precision.

Regression (issue 18): validators checked only `time > last block's time`, so one bad clock (or a
Byzantine proposer) moved chain time an hour, or centuries, ahead for good.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from ledger.keys import Address
from node.testnet import init_testnet
from tests.node.processes import Cluster, http, wait_for

pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]

HOUR_MS = 3_600_000


@pytest.fixture
def skewed(tmp_path: Path) -> Iterator[Cluster]:
    testnet = init_testnet(
        tmp_path / "net", 4, block_interval_ms=200, timeout_propose_ms=1500,
        empty_block_interval_ms=300,
    )  # fmt: skip
    config = testnet.nodes[0].home / "config" / "config.toml"
    config.write_text(config.read_text() + "\n[testing]\nclock_offset_ms = 3600000\n")
    cluster = Cluster.of(testnet)
    cluster.start()
    yield cluster
    cluster.stop_all()


def test_a_validator_an_hour_ahead_never_gets_its_blocks_committed(skewed: Cluster) -> None:
    nodes = skewed.nodes
    genesis = skewed.testnet.genesis
    hrp = genesis.params.address_prefix
    ahead = Address.from_public_key(skewed.testnet.nodes[0].validator_key).to_text(hrp)
    precision = genesis.params.consensus.synchrony_precision_ms
    # 4 equal validators take turns: over 16 heights the skewed one is round-0 proposer 4 times
    wait_for(lambda: min(n.height() for n in nodes[1:]) >= 16, 300, "16 heights committed")
    after = time.time() * 1000
    top = nodes[1].answered_height()
    proposers = []
    for height in range(1, top + 1):
        code, block = http(f"{nodes[1].url}/v1/blocks/{height}?txs=hashes")
        assert code == 200, block
        header = block["header"]
        assert header["time_ms"] <= after + precision, (height, header["time_ms"] - after)
        proposers.append(header["proposer"])
    assert ahead not in proposers
    assert len(set(proposers)) == 3  # the three others took the skewed one's turns
    assert "is not timely" in nodes[1].log_text()  # the others say why they refused it
