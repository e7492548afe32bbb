"""State sync on real processes (node/statesync.py): four validators make snapshots every 10
heights; a new full node starts from the newest one, verified against a trusted block, refuses and
bans a source that serves a corrupt chunk, then block-syncs the rest and follows the chain."""

from __future__ import annotations

import contextlib
import dataclasses
import threading
import urllib.request
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from node.config import ApiConfig, ListenAddress, NodeConfig, P2PConfig, Peer, StateSyncConfig
from node.config_render import render_config
from node.home import NodeHome, init_home
from node.ports import free_ports
from node.testnet import LocalTestnetNode, init_testnet
from tests.node.processes import Cluster, NodeProc, http, wait_for

pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]


@contextlib.contextmanager
def _corrupting_proxy(upstream: str) -> Iterator[str]:
    """An HTTP source answering as `upstream` does, except that every chunk has a flipped byte."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # the name http.server calls
            with urllib.request.urlopen(upstream + self.path, timeout=30) as answer:
                body = bytearray(answer.read())
                kind = answer.headers["Content-Type"]
            if "/chunks/" in self.path and body:
                body[len(body) // 2] ^= 0xFF
            self.send_response(200)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(bytes(body))

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        thread.join()
        server.server_close()


def test_a_new_node_state_syncs_bans_a_bad_source_and_follows_the_chain(tmp_path: Path) -> None:
    testnet = init_testnet(
        tmp_path / "net", 4, block_interval_ms=200, timeout_propose_ms=1500,
        empty_block_interval_ms=300,
    )  # fmt: skip
    api_port, p2p_port = free_ports(2, "127.0.0.1")
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
                tuple(Peer(n.node_key, n.p2p.host, n.p2p.port) for n in testnet.nodes),
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
            statesync=StateSyncConfig(snapshot_interval=10, snapshot_keep=2),
        )
        home.config_file.write_text(render_config(config))
    cluster = Cluster.of(testnet)
    cluster.start()
    nodes = cluster.nodes
    joiner = NodeProc(
        LocalTestnetNode(
            "joiner",
            root,
            ListenAddress("127.0.0.1", api_port),
            ListenAddress("127.0.0.1", p2p_port),
            report.node_key,
            b"",
        )
    )
    try:
        wait_for(lambda: min(cluster.heights()) >= 5, 120, "four validators to commit")
        trusted = nodes[0].block_hash(5)  # what an operator reads from a node or explorer it trusts
        wait_for(
            lambda: (
                bool(http(f"{nodes[0].url}/v1/snapshots")[1]["snapshots"])
                and min(cluster.heights()) >= 25
            ),
            120,
            "snapshots",
        )
        with _corrupting_proxy(nodes[1].url) as bad:
            joiner.extra = ("--state-sync", bad, "--state-sync", nodes[0].url,
                            "--trust-height", "5", "--trust-hash", trusted)  # fmt: skip
            joiner.start()
            wait_for(lambda: joiner.height() >= 0, 120, "the joiner's API")
            log = joiner.log_text()
            assert "state sync: restored height" in log, log
            assert f"banned source {bad}" in log
        status = http(f"{joiner.url}/v1/status")[1]
        snapshot = status["earliest_height"]  # the newest snapshot when it synced
        assert snapshot >= 20 and snapshot % 10 == 0, status
        code, body = http(f"{joiner.url}/v1/blocks/1")
        assert (code, body["error"]["code"]) == (410, "pruned")
        target = max(cluster.heights()) + 3
        wait_for(lambda: joiner.height() >= target, 120, "the joiner to follow the chain")
        assert joiner.block_hash(target) == nodes[0].block_hash(target)
        assert joiner.block_hash(snapshot + 1) == nodes[0].block_hash(snapshot + 1)
    finally:
        if joiner.running:
            joiner.stop()
        cluster.stop_all()
