"""Idle sockets against a validator at its default open-file limit (issue 14, item 1).

    nice -n 10 .venv/bin/python -m benchmarks.fd_flood_bench [--api 10000] [--p2p 8000]

The hostile tests (tests/node/hostile/) run nodes under RLIMIT_NOFILE 512 to stay cheap; this
runs the probe of docs/security.md at the machine's own limit (the node raises its soft limit to
the hard one): a one-validator testnet node with 200 ms blocks, `--api` idle sockets to its API
and `--p2p` to its peer port from `--addresses` source addresses in 127.0.0.0/8, held for
`--hold` seconds. Prints the blocks committed while the flood opened and was held, the node's
open descriptors during and after, its peak RSS, and its refusal log lines. The figures in
docs/security.md come from it.
"""

from __future__ import annotations

import argparse
import os
import resource
import socket
import tempfile
import time
from pathlib import Path

from node.testnet import init_testnet
from tests.node.hostile.attacker import connect, peak_rss_mb, source
from tests.node.processes import Cluster, NodeProc, wait_for


def _open_descriptors(node: NodeProc) -> int:
    assert node.process is not None
    return len(os.listdir(f"/proc/{node.process.pid}/fd"))


def _flood(port: int, count: int, addresses: int, into: list[socket.socket]) -> None:
    for i in range(count):
        sock = connect(port, source(i % addresses), timeout=2.0)
        if sock is not None:
            into.append(sock)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--api", type=int, default=10_000)
    parser.add_argument("--p2p", type=int, default=8_000)
    parser.add_argument("--addresses", type=int, default=40)
    parser.add_argument("--hold", type=float, default=10.0)
    args = parser.parse_args()
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))  # this process holds the flood
    with tempfile.TemporaryDirectory() as tmp:
        testnet = init_testnet(
            Path(tmp) / "net",
            1,
            block_interval_ms=200,
            timeout_propose_ms=1500,
            empty_block_interval_ms=300,
        )
        net = Cluster.of(testnet)
        node = net.nodes[0]
        net.start()
        socks: list[socket.socket] = []
        try:
            wait_for(lambda: node.height() >= 2, 60, "the validator to commit")
            before = node.answered_height()
            start = time.monotonic()
            _flood(node.node.api.port, args.api, args.addresses, socks)
            _flood(node.node.p2p.port, args.p2p, args.addresses, socks)
            opened = time.monotonic() - start
            time.sleep(args.hold)
            during = _open_descriptors(node)
            held = node.answered_height()
            elapsed = time.monotonic() - start
            for sock in socks:
                sock.close()
            time.sleep(2.0)
            after = _open_descriptors(node)
            refusals = sum("refused one of the" in line for line in node.log_text().splitlines())
            print(f"open-file limit        {hard}")
            print(f"sockets opened         {len(socks)} in {opened:.0f} s")
            print(f"node running           {node.running}")
            print(f"blocks during flood    {held - before} in {elapsed:.0f} s")
            print(f"descriptors            {during} during, {after} after")
            print(f"peak RSS               {peak_rss_mb(node):.0f} MB")
            print(f"refusal log lines      {refusals}")
        finally:
            for sock in socks:
                sock.close()
            net.stop_all()


if __name__ == "__main__":
    main()
