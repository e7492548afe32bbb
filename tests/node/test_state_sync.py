"""State sync on real processes (node/statesync.py): four validators make snapshots every 10
heights; a new full node starts from the newest one, verified against a trusted block, refuses and
bans a source that serves a corrupt chunk, then block-syncs the rest and follows the chain."""

from __future__ import annotations

import contextlib
import threading
import urllib.request
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.node.processes import SyncNet, http, wait_for

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


def test_a_new_node_state_syncs_bans_a_bad_source_and_follows_the_chain(
    sync_net: Callable[..., SyncNet],
) -> None:
    net = sync_net()
    cluster, joiner = net.cluster, net.joiner
    nodes = cluster.nodes
    cluster.start()
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
