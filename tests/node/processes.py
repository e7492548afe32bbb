"""Helpers for the real-process tests: nodes as `python -m cli start` subprocesses, read over HTTP.

Not a test module: the tests in test_processes.py import it (as tests/cli/helpers.py is used).
"""

from __future__ import annotations

import json
import os
import resource
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ledger.genesis import Genesis
from ledger.keys import PrivateKey
from ledger.tx import Transfer, TxBody
from node.testnet import LocalTestnet, LocalTestnetNode


def http(url: str, body: Any = None, timeout: float = 10.0) -> tuple[int, Any]:
    """(status, JSON body) of a GET, or of a POST when `body` is given (bytes are sent raw).

    Timeouts are generous: several node processes share two loaded cores with other tests."""
    data = None
    headers = {}
    if body is not None:
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    request = urllib.request.Request(url, data=data, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"null")


@dataclass
class NodeProc:
    node: LocalTestnetNode
    process: subprocess.Popen[bytes] | None = None
    starts: int = 0
    logs: list[Path] = field(default_factory=list)
    nofile: int | None = (
        None  # RLIMIT_NOFILE (soft and hard) for the process, to make fd tests cheap
    )
    module: str = "cli"  # the software it runs: `python -m MODULE start` (upgrade tests)
    extra: tuple[str, ...] = ()  # more `start` options (state sync)

    @property
    def url(self) -> str:
        return self.node.api_url

    def start(self) -> None:
        assert self.process is None or self.process.poll() is not None
        log = self.node.home / f"node-{self.starts}.log"
        self.starts += 1
        self.logs.append(log)
        with log.open("wb") as out:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    self.module,
                    "start",
                    "--home",
                    str(self.node.home),
                    *self.extra,
                ],
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                env={**os.environ, "PYTHONUNBUFFERED": "1"},
            )
        if self.nofile is not None:  # long before the node reads it, which takes a second
            resource.prlimit(self.process.pid, resource.RLIMIT_NOFILE, (self.nofile, self.nofile))

    def stop(self, sig: signal.Signals = signal.SIGTERM, timeout: float = 20.0) -> int:
        assert self.process is not None
        self.process.send_signal(sig)
        return self.process.wait(timeout)

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def status(self) -> dict[str, Any] | None:
        try:
            code, body = http(self.url + "/v1/status", timeout=5.0)
        except (OSError, ValueError):
            return None
        return body if code == 200 else None

    def height(self) -> int:
        """The latest height, or -1 while the node does not answer (for polling)."""
        status = self.status()
        return int(status["latest_height"]) if status else -1

    def answered_height(self) -> int:
        """The latest height of a node that must answer (for comparisons, where -1 would lie)."""
        code, body = http(self.url + "/v1/status")
        assert code == 200, body
        return int(body["latest_height"])

    def block_hash(self, height: int) -> str:
        code, body = http(f"{self.url}/v1/blocks/{height}?txs=hashes")
        assert code == 200, body
        return str(body["hash"])

    def log_text(self) -> str:
        return "".join(path.read_text(errors="replace") for path in self.logs if path.exists())


def wait_for(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.2)


@dataclass
class Cluster:
    testnet: LocalTestnet
    nodes: list[NodeProc]

    @classmethod
    def of(cls, testnet: LocalTestnet) -> Cluster:
        return cls(testnet, [NodeProc(n) for n in testnet.nodes])

    def start(self) -> None:
        for node in self.nodes:
            node.start()

    def stop_all(self) -> None:
        for node in self.nodes:
            if node.running:
                try:
                    node.stop(timeout=20)
                except subprocess.TimeoutExpired:
                    assert node.process is not None
                    node.process.kill()
                    node.process.wait()

    def heights(self) -> list[int]:
        return [n.height() for n in self.nodes]


@dataclass
class Sender:
    """Signs transfers from one dev account, nonce after nonce."""

    genesis: Genesis
    key: PrivateKey
    to: PrivateKey
    nonce: int = 0

    def batch(self, count: int, amount: int = 1) -> list[str]:
        out = []
        for _ in range(count):
            body = TxBody(
                self.genesis.chain_id,
                self.key.public_key,
                self.nonce,
                1,
                Transfer(self.to.address, amount),
            )
            out.append(body.sign(self.key, self.genesis.hash()).encode().hex())
            self.nonce += 1
        return out


def submit(node: NodeProc, txs: list[str]) -> list[str]:
    """Submit hex txs; returns the hashes of those the node accepted."""
    code, body = http(node.url + "/v1/txs", {"txs": txs})
    assert code == 200, body
    return [r["tx_hash"] for r in body["results"] if r["ok"]]


def committed(node: NodeProc, tx_hash: str) -> bool:
    try:
        code, body = http(f"{node.url}/v1/txs/{tx_hash}", timeout=5.0)
    except (OSError, ValueError):
        return False
    return code == 200 and body.get("status") == "committed"


@dataclass
class SyncNet:
    """Validators that make snapshots and a joiner that state-syncs from them (the `sync_net`
    fixture of tests/node/conftest.py makes one)."""

    cluster: Cluster
    joiner: NodeProc
    joiner_key: bytes
