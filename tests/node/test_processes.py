"""Validators as real processes (`python -m cli start`) on 127.0.0.1: kills, restarts, quorum loss.

Each test runs a whole testnet, so they are marked slow: together about a minute on an idle
machine, but several minutes on two cores shared with other test workers. The waits are sized for
that (a passing test returns as soon as its condition holds), and so is the test timeout.
"""

from __future__ import annotations

import asyncio
import json
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import aiohttp
import pytest

from cli.wallet.keystore import Keystore
from node.devnet import dev_account_key
from node.testnet import init_testnet
from tests.node.processes import Cluster, NodeProc, Sender, committed, http, submit, wait_for

pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]


def fast_testnet(root: Path, validators: int) -> Cluster:
    return Cluster.of(
        init_testnet(
            root,
            validators,
            block_interval_ms=200,
            timeout_propose_ms=1500,
            empty_block_interval_ms=500,
        )
    )


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[Cluster]:
    net = fast_testnet(tmp_path / "net", 4)
    net.start()
    yield net
    net.stop_all()


@pytest.fixture
def solo(tmp_path: Path) -> Iterator[Cluster]:
    net = fast_testnet(tmp_path / "solo", 1)
    net.start()
    yield net
    net.stop_all()


def same_chain(nodes: list[NodeProc], up_to: int) -> None:
    for height in range(1, up_to + 1):
        hashes = {n.block_hash(height) for n in nodes}
        assert len(hashes) == 1, f"fork at height {height}: {hashes}"


def evidence_count(node: NodeProc) -> int:
    code, page = http(f"{node.url}/v1/blocks?limit=100")
    assert code == 200
    return sum(int(b["evidence_count"]) for b in page["blocks"])


def test_four_validators_survive_a_kill_under_load_and_a_lost_quorum(cluster: Cluster) -> None:
    nodes = cluster.nodes
    wait_for(lambda: min(cluster.heights()) >= 2, 120, "four validators to commit")
    genesis = cluster.testnet.genesis
    sender = Sender(genesis, dev_account_key(0), dev_account_key(1))

    # txs submitted to one node are committed on all, with identical state
    first = submit(nodes[0], sender.batch(50))
    assert len(first) == 50
    wait_for(lambda: all(committed(n, first[-1]) for n in nodes), 60, "txs on every node")
    top = min(cluster.heights())
    roots = {http(f"{n.url}/v1/blocks/{top}?txs=hashes")[1]["header"]["state_root"] for n in nodes}
    assert len(roots) == 1

    # the wallet: `coterie tx transfer --node URL` signs, sends and waits for the commit
    root = cluster.testnet.root
    Keystore(root).add_plaintext("dev2", dev_account_key(2))
    to = dev_account_key(3).address.to_text("tcot")
    args = ["tx", "transfer", "--home", str(root), "--insecure-dev", "--from", "dev2"]
    args += ["--to", to, "--amount", "777", "--node", nodes[1].url, "--output", "json", "-y"]
    wallet = subprocess.run(
        [sys.executable, "-m", "cli", *args],
        check=False,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert wallet.returncode == 0, wallet.stderr
    sent = json.loads(wallet.stdout)
    assert sent["status"] == "committed" and sent["result"]["code"] == "OK"
    wait_for(lambda: all(committed(n, sent["tx_hash"]) for n in nodes), 60, "the wallet's tx")

    # SIGKILL a validator while txs keep coming, restart it: it catches up, nothing is lost
    accepted: list[str] = []
    stop_load = threading.Event()

    def load() -> None:
        while not stop_load.is_set():
            accepted.extend(submit(nodes[0], sender.batch(10)))
            time.sleep(0.2)

    loader = threading.Thread(target=load)
    loader.start()
    try:
        time.sleep(1.0)
        killed_at = nodes[3].answered_height()  # at least this height is on its disk
        assert nodes[3].stop(signal.SIGKILL) == -signal.SIGKILL
        time.sleep(2.0)
        nodes[3].start()
        wait_for(lambda: nodes[3].height() >= nodes[0].height() - 1 > killed_at, 120, "catch-up")
    finally:
        stop_load.set()
        loader.join()
    assert len(accepted) >= 50
    wait_for(lambda: all(committed(n, accepted[-1]) for n in nodes), 120, "the load on all nodes")
    assert all(committed(nodes[3], h) for h in accepted[:: max(1, len(accepted) // 20)])

    # stop 2 of 4: no commits and no fork; restart them: progress resumes
    for node in nodes[2:]:
        assert node.stop(signal.SIGTERM) == 0
    time.sleep(1.0)
    stalled = max(nodes[0].answered_height(), nodes[1].answered_height())
    # a round whose proposer was stopped waits out its propose timeout first
    wait_for(
        lambda: http(f"{nodes[0].url}/v1/status")[1]["consensus"]["step"] != "propose",
        30,
        "the propose timeout of the stalled round",
    )
    before = http(f"{nodes[0].url}/v1/status")[1]["consensus"]
    time.sleep(4.0)
    assert max(nodes[0].answered_height(), nodes[1].answered_height()) == stalled
    # docs/operating.md "A lost quorum": without 2/3+ of the votes of a step no timeout moves the
    # round on: it stays where it was, in prevote (or precommit when the quorum went away after
    # the height's prevotes were in); it never grows
    after = http(f"{nodes[0].url}/v1/status")[1]["consensus"]
    assert after == before, (before, after)
    assert after["step"] in ("prevote", "precommit") and after["round"] <= 1, after
    for node in nodes[2:]:
        node.start()
    wait_for(lambda: min(cluster.heights()) >= stalled + 3, 120, "progress after the restart")
    same_chain(nodes, min(cluster.heights()))
    # nobody signed twice: no node found evidence, no block carries any
    assert all(evidence_count(n) == 0 for n in nodes)
    assert all("evidence:" not in n.log_text() for n in nodes)


async def _garbage_on_the_peer_port(host: str, port: int) -> list[str]:
    seen = []
    with socket.create_connection((host, port), timeout=2) as raw:
        raw.sendall(b"\x00\xffnot http at all\r\n\r\n" * 10)
        seen.append(raw.recv(200).decode(errors="replace").split("\r\n")[0])
    async with aiohttp.ClientSession() as session:
        async with session.get(f"http://{host}:{port}/p2p") as response:
            seen.append(str(response.status))
        async with session.ws_connect(f"http://{host}:{port}/p2p") as ws:
            await ws.send_bytes(b"\x92\x01garbage")
            await ws.send_str("hello?")
            for _ in range(5):  # its HELLO first, then the close
                message = await ws.receive(timeout=10)
                if message.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED):
                    break
            seen.append(f"closed {ws.close_code} {message.extra}")
    return seen


def test_one_validator_shrugs_off_bad_input_and_resumes_at_its_height(solo: Cluster) -> None:
    node = solo.nodes[0]
    wait_for(lambda: node.height() >= 2, 120, "the first blocks")
    listen = node.node.p2p
    seen = asyncio.run(_garbage_on_the_peer_port(listen.host, listen.port))
    assert seen[0].startswith("HTTP/1.") and " 400 " in seen[0]
    assert seen[1] == "400"  # not a WebSocket upgrade
    assert seen[2].startswith("closed 4000")  # the handshake refused the garbage
    for path, body in (("/v1/txs", b"\xc1junk"), ("/v1/txs", {"txs": ["zz"]})):
        code, answer = http(node.url + path, body)
        assert code == 400 and answer["error"]["code"], answer
    code, answer = http(node.url + "/v1/blocks/not-a-height")
    assert code == 400
    before = node.answered_height()
    wait_for(lambda: node.height() >= before + 2, 60, "blocks after the garbage")

    assert node.stop(signal.SIGTERM) == 0
    stopped_at = max(int(line.split()[-1]) for line in _stop_lines(node))
    node.start()
    wait_for(lambda: node.status() is not None, 120, "the restarted node's API")
    restarted = node.log_text().split("started at height ")[-1].split(":")[0]
    assert int(restarted) == stopped_at
    wait_for(lambda: node.height() >= stopped_at + 2, 60, "blocks after the restart")


def _stop_lines(node: NodeProc) -> list[str]:
    return [line for line in node.log_text().splitlines() if "stopped at height" in line]
