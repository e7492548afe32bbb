"""This machine's Ed25519 verify ceiling: verifications per second on both cores, measured now.

Throughput is reported as a fraction of this ceiling because the machine is shared: the
fraction stays comparable between runs when the absolute rate does not. Each of `workers`
processes (not threads, so the GIL plays no part) verifies one tx-sized signature in a loop for
`seconds`, all starting at the same instant; the ceiling is the sum of their rates.
"""

from __future__ import annotations

import multiprocessing
import time
from concurrent.futures import ProcessPoolExecutor

from ledger.keys import PrivateKey, verify

MESSAGE = b"\x5a" * 150  # about the sign bytes of a transfer
START_DELAY_S = 0.3


def _ready(delay: float) -> None:
    time.sleep(delay)  # keeps this worker busy so the pool starts the next one


def _verify_from(start_at: float, seconds: float) -> float:
    key = PrivateKey.from_secret(b"coterie/bench-verify")
    signature = key.sign(MESSAGE)
    public = key.public_key
    time.sleep(max(0.0, start_at - time.time()))
    count = 0
    start = time.perf_counter()
    deadline = start + seconds
    while True:
        for _ in range(50):
            if not verify(public, MESSAGE, signature):
                raise RuntimeError("the bench signature does not verify")
        count += 50
        now = time.perf_counter()
        if now >= deadline:
            return count / (now - start)


def verify_ceiling(seconds: float = 2.0, workers: int = 2) -> float:
    """Signatures verified per second by `workers` processes at once."""
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(workers, mp_context=context) as pool:
        list(pool.map(_ready, [0.2] * workers))  # every worker process is up before timing
        start_at = time.time() + START_DELAY_S
        rates = list(pool.map(_verify_from, [start_at] * workers, [seconds] * workers))
    return sum(rates)
