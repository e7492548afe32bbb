"""State sync from P2P peers on real processes (node/statesync_peers.py): four validators make
snapshots every 10 heights in small chunks; a new full node started with `--state-sync` (no URL)
fetches one from its peers, verifies its header from genesis (or from a trusted block), refuses
and bans a peer that serves a corrupt chunk or a forged snapshot and blocks, then block-syncs
and follows the chain."""

from __future__ import annotations

import contextlib
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from ledger.keys import PrivateKey
from node.config import Peer
from node.ports import free_ports
from tests.node.processes import Cluster, NodeProc, SyncNet, http, wait_for

pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]


@dataclass
class Net:
    cluster: Cluster
    joiner: NodeProc
    joiner_key: bytes
    liars: list[tuple[str, PrivateKey, int]]  # (mode, key, port)


@contextlib.contextmanager
def _network(
    make: Callable[..., SyncNet], tmp_path: Path, liars: tuple[str, ...] = ()
) -> Iterator[Net]:
    """Four validators with snapshots every 10 heights (about 15 chunks of 1 KiB: 300 funded
    accounts), a joiner that has them (and the liars) as its peers, not started."""
    funded = [PrivateKey.generate().address for _ in range(300)]
    ports = free_ports(len(liars), "127.0.0.1")
    liar_keys = [
        (mode, PrivateKey.generate(), port) for mode, port in zip(liars, ports, strict=True)
    ]
    net = make(
        funded=funded,
        extra_peers=[Peer(k.public_key, "127.0.0.1", port) for _, k, port in liar_keys],
        chunk_bytes=1024,
    )
    cluster = net.cluster
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
            processes.append(_start_liar(liar, validator, net.joiner_key, tmp_path))
        yield Net(cluster, net.joiner, net.joiner_key, liar_keys)
    finally:
        for process in processes:
            process.terminate()
            process.wait(20)


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
    sync_net: Callable[..., SyncNet], tmp_path: Path
) -> None:
    with _network(sync_net, tmp_path) as net:
        net.joiner.extra = ("--state-sync",)
        net.joiner.start()
        _joined_and_follows(net)
        assert "banned" not in net.joiner.log_text()


def test_peers_serving_a_corrupt_chunk_or_a_forged_snapshot_are_banned_and_the_join_succeeds(
    sync_net: Callable[..., SyncNet], tmp_path: Path
) -> None:
    with _network(sync_net, tmp_path, liars=("corrupt", "forge")) as net:
        trusted = net.cluster.nodes[0].block_hash(5)  # from a node or explorer one trusts
        net.joiner.extra = ("--state-sync", "--trust-height", "5", "--trust-hash", trusted)
        net.joiner.start()
        _joined_and_follows(net)
        log = net.joiner.log_text()
        corrupt, forge = (key.public_key.hex()[:12] for _, key, _ in net.liars)
        assert f"banned peer {corrupt}: chunk" in log, log
        assert f"banned peer {forge}: served a forged block" in log, log
        assert "refused the snapshot of height" in log and "state root" in log, log
