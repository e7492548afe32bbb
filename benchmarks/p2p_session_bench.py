"""The cost of sealing P2P frames (issue 14): seal + open per frame, by frame size.

    .venv/bin/python benchmarks/p2p_session_bench.py [--seconds 1.0]

Tx gossip sends batches (up to 2,000 txs or 1 MiB a frame), votes are about 200 B, blocks up to
the block size; the cost per frame is a fixed part (the AEAD call from Python) plus a part per
byte (ChaCha20-Poly1305 in OpenSSL). One core, both ends of one session in one process.
"""

from __future__ import annotations

import argparse
import os
import time

from node.p2p.session import EphemeralKey, derive_session

SIZES = (200, 4 * 1024, 150 * 2000, 1024 * 1024, 8 * 1024 * 1024)


def measure(size: int, seconds: float) -> tuple[float, float]:
    """(microseconds per frame for seal + open, MB/s) for frames of `size` bytes."""
    a, b = EphemeralKey(), EphemeralKey()
    dialer = derive_session(a.shared(b.public), b"bench", dialer=True)
    listener = derive_session(b.shared(a.public), b"bench", dialer=False)
    frame = os.urandom(size)
    count = 0
    start = time.perf_counter()
    deadline = start + seconds
    while True:
        for _ in range(16):
            listener.open(dialer.seal(frame))
        count += 16
        now = time.perf_counter()
        if now >= deadline:
            break
    elapsed = now - start
    return elapsed / count * 1e6, size * count / elapsed / 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=1.0)
    args = parser.parse_args()
    print("| frame bytes | seal + open per frame | throughput |")
    print("| --- | --- | --- |")
    for size in SIZES:
        micros, mbps = measure(size, args.seconds)
        print(f"| {size:,} | {micros:,.1f} us | {mbps:,.0f} MB/s |")


if __name__ == "__main__":
    main()
