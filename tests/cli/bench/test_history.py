"""The bench's written history (cli/bench/history.py): blocks a node accepts as its own chain.

Replayed block by block into a fresh database, every written block passes the checks block sync
runs (its header links, its last commit's signatures, its execution and state root); and a node
started on the history serves its last block and goes on committing after it.
"""

from __future__ import annotations

import io
import sys
import time
from pathlib import Path

import pytest

from cli.bench import history
from cli.nodeclient import NodeClient
from cli.testnet_run import NodeProcess, Supervisor
from consensus.commit import verify_commit
from consensus.validators import ValidatorSet
from ledger.keys import PrivateKey
from ledger.store import Store
from node.chain import Chain
from node.home import NodeHome
from node.testnet import LocalTestnet, init_testnet

HEIGHTS = 24
START_SECONDS = 120.0


def _testnet(tmp_path: Path, validators: int) -> tuple[LocalTestnet, list[Path]]:
    now = int(time.time() * 1000)
    net = init_testnet(tmp_path / "net", validators, time_ms=history.genesis_time_for(HEIGHTS, now))
    return net, [NodeHome(n.home).data_dir / "chain" for n in net.nodes]


def _keys(net: LocalTestnet) -> list[PrivateKey]:
    return [NodeHome(n.home).load_validator_key() for n in net.nodes]


def test_every_written_block_passes_block_syncs_checks_on_a_fresh_database(
    tmp_path: Path,
) -> None:
    net, chains = _testnet(tmp_path, 4)
    last = history.write_history(chains, net.genesis, _keys(net), HEIGHTS)
    genesis_hash = net.genesis.hash()
    replay = Chain(Store.open(tmp_path / "replay", genesis_hash), net.genesis)
    proposers = set()
    with Store.open(chains[-1], genesis_hash) as written:  # a copy: the last node's database
        assert written.height == HEIGHTS and written.last_block_hash == last
        for height in range(1, HEIGHTS + 1):
            block, commit = written.block(height), written.commit(height)
            assert block is not None and commit is not None
            assert replay.block_error(block) is None, height  # last commit, execution, root
            verify_commit(replay.validators, genesis_hash, block.hash(), commit, height=height)
            assert block.header.proposer == replay.validators.proposer(0).address
            proposers.add(block.header.proposer)
            replay.commit(block, commit)
        assert replay.store.state_root == written.state_root
        assert written.recompute_state_root() == written.state_root
    replay.store.close()
    everyone = ValidatorSet.from_genesis(net.genesis.validators).validators
    assert proposers == {v.address for v in everyone}  # the rotation went round


@pytest.mark.slow
def test_a_node_started_on_a_written_history_serves_its_last_block_and_commits_the_next(
    tmp_path: Path,
) -> None:
    net, chains = _testnet(tmp_path, 1)
    last = history.write_history(chains, net.genesis, _keys(net), HEIGHTS)
    spec = net.nodes[0]
    node = NodeProcess(spec.moniker, spec.home, spec.api_url)
    supervisor = Supervisor([node], out=io.StringIO())
    try:
        node.start(sys.executable)
        deadline = time.monotonic() + START_SECONDS
        while time.monotonic() < deadline and node.exit_code is None:
            node.poll()
            if node.height > HEIGHTS:
                break
            time.sleep(0.2)
        assert node.height > HEIGHTS, f"no commit after the history (exit {node.exit_code})"
        client = NodeClient(spec.api_url, timeout=10.0)
        assert client.get(f"/v1/blocks/{HEIGHTS}?txs=hashes")["hash"] == last.hex()
        after = client.get(f"/v1/blocks/{HEIGHTS + 1}?txs=hashes")
        assert after["header"]["prev_block_hash"] == last.hex()
    finally:
        supervisor.stop_all()
