"""State sync on real processes (node/statesync.py): four validators make snapshots every 10
heights; a new full node starts from the newest one, verified against a trusted block, refuses and
bans a source that serves a corrupt chunk, then block-syncs the rest and follows the chain; a
snapshot pruned by its sources while it is fetched is given up for one they still list."""

from __future__ import annotations

import contextlib
import json
import threading
import urllib.request
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.node.processes import SyncNet, http, wait_for

pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]


Alter = Callable[[str, bytes], tuple[int, bytes]]  # (path, upstream body) -> (status, body)


@contextlib.contextmanager
def _proxy(upstream: str, alter: Alter) -> Iterator[str]:
    """An HTTP source answering as `upstream` does, each answer passed through `alter`."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # the name http.server calls
            with urllib.request.urlopen(upstream + self.path, timeout=30) as answer:
                status, body = alter(self.path, answer.read())
                kind = answer.headers["Content-Type"]
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

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


def _corrupting_proxy(upstream: str) -> contextlib.AbstractContextManager[str]:
    """Every chunk has a flipped byte."""

    def flip(path: str, body: bytes) -> tuple[int, bytes]:
        if "/chunks/" in path and body:
            changed = bytearray(body)
            changed[len(body) // 2] ^= 0xFF
            return 200, bytes(changed)
        return 200, body

    return _proxy(upstream, flip)


def _pruning_proxy(upstream: str, gone: list[int]) -> contextlib.AbstractContextManager[str]:
    """The newest snapshot of the first listing is pruned right after it was listed, as a source
    keeping its last K snapshots does while the chain goes on: its chunks answer 404 and later
    listings leave it out. `gone` receives its height."""

    def prune(path: str, body: bytes) -> tuple[int, bytes]:
        if path.startswith("/v1/snapshots?") or path == "/v1/snapshots":
            listing = json.loads(body)
            if not gone:
                gone.append(max(int(m["height"]) for m in listing["snapshots"]))
                return 200, body
            listing["snapshots"] = [m for m in listing["snapshots"] if m["height"] != gone[0]]
            return 200, json.dumps(listing).encode()
        if gone and path.startswith(f"/v1/snapshots/{gone[0]}/chunks/"):
            return 404, b'{"error": {"code": "not_found", "message": "pruned"}}'
        return 200, body

    return _proxy(upstream, prune)


def _start_and_trust_height_5(net: SyncNet) -> str:
    """Start the validators; block 5's hash, what an operator reads from a node or explorer it
    trusts."""
    net.cluster.start()
    wait_for(lambda: min(net.cluster.heights()) >= 5, 120, "four validators to commit")
    return net.cluster.nodes[0].block_hash(5)


def test_a_new_node_state_syncs_bans_a_bad_source_and_follows_the_chain(
    sync_net: Callable[..., SyncNet],
) -> None:
    net = sync_net()
    cluster, joiner = net.cluster, net.joiner
    nodes = cluster.nodes
    trusted = _start_and_trust_height_5(net)
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


def test_a_snapshot_pruned_while_it_is_fetched_is_given_up_for_one_still_listed(
    sync_net: Callable[..., SyncNet],
) -> None:
    net = sync_net()
    cluster, joiner = net.cluster, net.joiner
    nodes = cluster.nodes
    trusted = _start_and_trust_height_5(net)
    wait_for(
        lambda: len(http(f"{nodes[0].url}/v1/snapshots")[1]["snapshots"]) >= 2,
        120,
        "two snapshots",
    )
    gone: list[int] = []
    with _pruning_proxy(nodes[0].url, gone) as source:
        joiner.extra = ("--state-sync", source, "--trust-height", "5", "--trust-hash", trusted)
        joiner.start()
        wait_for(lambda: joiner.height() >= 0, 120, "the joiner's API")
    log = joiner.log_text()
    assert "state sync: restored height" in log, log
    restored = http(f"{joiner.url}/v1/status")[1]["earliest_height"]
    assert gone and restored != gone[0], (gone, restored)
    target = max(cluster.heights()) + 2
    wait_for(lambda: joiner.height() >= target, 120, "the joiner to follow the chain")
    assert joiner.block_hash(target) == nodes[0].block_hash(target)
