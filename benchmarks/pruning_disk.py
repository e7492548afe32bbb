"""Disk use of a node's database under sustained load: archive against `[storage] keep_blocks`.

Runs one single-validator chain per mode as a real `coterie start` process, sends transfers at a
steady rate, and prints the height and the size of `data/chain` (du) every `--sample` seconds.
Usage: .venv/bin/python -m benchmarks.pruning_disk --seconds 120 --keep 100 (docs/operating.md,
"Pruning", has the figures).
"""

from __future__ import annotations

import argparse
import subprocess
import tempfile
import threading
import time
from pathlib import Path

from node.devnet import dev_account_key
from node.testnet import init_testnet
from tests.node.processes import NodeProc, Sender, http, submit


def _du(path: Path) -> int:
    out = subprocess.run(["du", "-sk", str(path)], check=True, capture_output=True, text=True)
    return int(out.stdout.split()[0])


def run(mode: str, keep: int, seconds: float, rate: int, sample: float) -> list[tuple[int, int]]:
    root = Path(tempfile.mkdtemp(prefix=f"coterie-prune-{mode}-"))
    net = init_testnet(root, 1, block_interval_ms=250)
    node = net.nodes[0]
    config = node.home / "config" / "config.toml"
    config.write_text(config.read_text().replace("keep_blocks = 0", f"keep_blocks = {keep}"))
    proc = NodeProc(node)
    proc.start()
    try:
        deadline = time.monotonic() + 60
        while proc.height() < 1 and time.monotonic() < deadline:
            time.sleep(0.2)
        senders = [Sender(net.genesis, dev_account_key(i), dev_account_key(3)) for i in range(3)]
        stop = threading.Event()

        def load() -> None:
            turn = 0
            while not stop.is_set():
                submit(proc, senders[turn % 3].batch(rate // 5))
                turn += 1
                time.sleep(0.2)

        loader = threading.Thread(target=load, daemon=True)
        loader.start()
        samples = []
        start = time.monotonic()
        while time.monotonic() - start < seconds:
            time.sleep(sample)
            height = http(f"{proc.url}/v1/status")[1]["latest_height"]
            samples.append((height, _du(node.home / "data" / "chain")))
            print(f"{mode:8} t={time.monotonic() - start:5.0f}s height {height:5d} "
                  f"data/chain {samples[-1][1] / 1024:7.1f} MiB", flush=True)  # fmt: skip
        stop.set()
        loader.join()
        return samples
    finally:
        proc.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=120)
    parser.add_argument("--keep", type=int, default=100)
    parser.add_argument("--rate", type=int, default=500, help="transfers per second offered")
    parser.add_argument("--sample", type=float, default=15)
    args = parser.parse_args()
    run("archive", 0, args.seconds, args.rate, args.sample)
    run(f"keep{args.keep}", args.keep, args.seconds, args.rate, args.sample)


if __name__ == "__main__":
    main()
