"""State sync from P2P peers on real processes (node/statesync_peers.py): four validators make
snapshots every 10 heights in small chunks; a new full node started with `--state-sync` (no URL)
fetches one from its peers, verifies its header from genesis (or from a trusted block), refuses
and bans a peer that serves a corrupt chunk or a forged snapshot and blocks, then block-syncs
and follows the chain."""

from __future__ import annotations

import contextlib
import dataclasses
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from ledger.keys import PrivateKey
from node.config import ApiConfig, ListenAddress, NodeConfig, P2PConfig, Peer, StateSyncConfig
from node.config_render import render_config
from node.home import NodeHome, init_home
from node.ports import free_ports
from node.testnet import LocalTestnetNode, init_testnet
from tests.node.processes import Cluster, NodeProc, http, wait_for

pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]


@dataclass
class Net:
    cluster: Cluster
    joiner: NodeProc
    joiner_key: bytes
    liars: list[tuple[str, PrivateKey, int]]  # (mode, key, port)


@contextlib.contextmanager
def _network(tmp_path: Path, liars: tuple[str, ...] = ()) -> Iterator[Net]:
    """Four validators with snapshots every 10 heights (about 15 chunks of 1 KiB: 300 funded
    accounts), a joiner that has them (and the liars) as its peers, not started."""
    funded = [PrivateKey.generate().address for _ in range(300)]
    testnet = init_testnet(
        tmp_path / "net", 4, block_interval_ms=200, timeout_propose_ms=1500,
        empty_block_interval_ms=300, funded=funded,
    )  # fmt: skip
    ports = free_ports(2 + len(liars), "127.0.0.1")
    api_port, p2p_port = ports[:2]
    liar_keys = [
        (mode, PrivateKey.generate(), port) for mode, port in zip(liars, ports[2:], strict=True)
    ]
    root = tmp_path / "joiner"
    report = init_home(
        root,
        validator=False,
        genesis_source=testnet.root / "genesis.json",
        config=NodeConfig(
            moniker="joiner",
            api=ApiConfig(ListenAddress("127.0.0.1", api_port)),
            p2p=P2PConfig(
                ListenAddress("127.0.0.1", p2p_port),
                tuple(Peer(n.node_key, n.p2p.host, n.p2p.port) for n in testnet.nodes)
                + tuple(Peer(k.public_key, "127.0.0.1", port) for _, k, port in liar_keys),
            ),
        ),
    )
    for node in testnet.nodes:  # the validators accept the joiner and make snapshots
        home = NodeHome(node.home)
        config = home.load_config()
        peers = (*config.p2p.peers, Peer(report.node_key, "127.0.0.1", p2p_port))
        config = dataclasses.replace(
            config,
            p2p=dataclasses.replace(config.p2p, peers=peers),
            statesync=StateSyncConfig(
                snapshot_interval=10, snapshot_keep=2, snapshot_chunk_bytes=1024
            ),
        )
        home.config_file.write_text(render_config(config))
    cluster = Cluster.of(testnet)
    joiner = NodeProc(
        LocalTestnetNode(
            "joiner", root, ListenAddress("127.0.0.1", api_port),
            ListenAddress("127.0.0.1", p2p_port), report.node_key, b"",
        )
    )  # fmt: skip
    processes: list[subprocess.Popen[bytes]] = []
    cluster.start()
    try:
        wait_for(
            lambda: (
                min(cluster.heights()) >= 25
                and bool(http(f"{cluster.nodes[0].url}/v1/snapshots")[1]["snapshots"])
            ),
            120,
            "snapshots",
        )
        validator = cluster.nodes[0]
        for liar in liar_keys:
            processes.append(_start_liar(liar, validator, report.node_key, tmp_path))
        yield Net(cluster, joiner, report.node_key, liar_keys)
    finally:
        for process in processes:
            process.terminate()
            process.wait(20)
        if joiner.running:
            joiner.stop()
        cluster.stop_all()


def _start_liar(
    liar: tuple[str, PrivateKey, int], validator: NodeProc, joiner: bytes, tmp_path: Path
) -> subprocess.Popen[bytes]:
    """The liar of tests/node/statesync_liar.py, serving what `validator` keeps."""
    mode, key, port = liar
    home = validator.node.home
    log = (tmp_path / f"liar-{mode}.log").open("wb")
    process = subprocess.Popen(
        [
            sys.executable, "-m", "tests.node.statesync_liar", "--mode", mode,
            "--key", key.seed().hex(), "--port", str(port),
            "--genesis", str(home / "config" / "genesis.json"),
            "--snapshots", str(home / "data" / "snapshots"),
            "--upstream", validator.url, "--allow", joiner.hex(),
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
    )  # fmt: skip
    log.close()
    wait_for(
        lambda: "liar listening" in (tmp_path / f"liar-{mode}.log").read_text(), 60, "the liar"
    )
    return process


def _joined_and_follows(net: Net) -> int:
    """The joiner restored a snapshot, holds the validators' block there, and follows."""
    joiner, nodes = net.joiner, net.cluster.nodes
    wait_for(lambda: joiner.height() >= 0, 180, "the joiner's API")
    log = joiner.log_text()
    assert "state sync: restored height" in log, log
    status = http(f"{joiner.url}/v1/status")[1]
    snapshot = int(status["earliest_height"])  # the newest snapshot when it synced
    assert snapshot >= 20 and snapshot % 10 == 0, status
    assert joiner.block_hash(snapshot) == nodes[0].block_hash(snapshot)  # same header, same root
    code, body = http(f"{joiner.url}/v1/blocks/1")
    assert (code, body["error"]["code"]) == (410, "pruned")
    target = max(net.cluster.heights()) + 3
    wait_for(lambda: joiner.height() >= target, 120, "the joiner to follow the chain")
    assert joiner.block_hash(target) == nodes[0].block_hash(target)
    return snapshot


def test_a_new_node_state_syncs_from_its_peers_verified_from_genesis_then_follows(
    tmp_path: Path,
) -> None:
    with _network(tmp_path) as net:
        net.joiner.extra = ("--state-sync",)
        net.joiner.start()
        _joined_and_follows(net)
        assert "banned" not in net.joiner.log_text()


def test_peers_serving_a_corrupt_chunk_or_a_forged_snapshot_are_banned_and_the_join_succeeds(
    tmp_path: Path,
) -> None:
    with _network(tmp_path, liars=("corrupt", "forge")) as net:
        trusted = net.cluster.nodes[0].block_hash(5)  # from a node or explorer one trusts
        net.joiner.extra = ("--state-sync", "--trust-height", "5", "--trust-hash", trusted)
        net.joiner.start()
        _joined_and_follows(net)
        log = net.joiner.log_text()
        corrupt, forge = (key.public_key.hex()[:12] for _, key, _ in net.liars)
        assert f"banned peer {corrupt}: chunk" in log, log
        assert f"banned peer {forge}: served a forged block" in log, log
        assert "refused the snapshot of height" in log and "state root" in log, log
