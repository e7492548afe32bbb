"""The mempool's bounds: one frozen dataclass, read from the `[mempool]` section of config.toml.

Defaults are sized for the 10,000 transfers/s target with about 1 s blocks: the pool holds a few
blocks' worth of txs (a transfer is about 170 bytes, so 50,000 of them are about 9 MB).
"""

from __future__ import annotations

from dataclasses import dataclass, fields

MAX_FUTURE_TTL_S = 86_400  # a larger value is almost surely milliseconds by mistake


@dataclass(frozen=True, slots=True)
class MempoolLimits:
    max_txs: int = 50_000
    """Pending txs in the pool (ready and future together)."""
    max_bytes: int = 64 * 1024 * 1024
    """Sum of the encoded sizes of pending txs."""
    max_tx_bytes: int = 64 * 1024
    """Largest encoded tx admitted; the chain's `max_tx_bytes` applies too (the smaller wins)."""
    max_txs_per_sender: int = 256
    """Pending txs of one sender (ready and future together)."""
    max_future_per_sender: int = 16
    """How far ahead of its next nonce a sender's tx may be: nonces up to next + this - 1 wait in
    the sender's future queue; 0 turns the queue off (any gap is NONCE_TOO_HIGH)."""
    max_future_txs: int = 5_000
    """Future txs (ahead of their sender's next nonce) in the whole pool: a tenth of `max_txs`,
    so txs that cannot execute yet never crowd out those that can."""
    future_ttl_s: int = 600
    """A future tx still waiting for its gap after this long (by block time) is dropped."""
    verified_cache_size: int = 200_000
    """Hashes of txs whose signature verified, remembered so that no tx is verified twice."""
    verify_processes: int = 2
    """Worker processes verifying signatures beside the event loop; 0: two threads of the node's
    process instead (they contend with the loop for the GIL: slower under load)."""

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, bool) or not isinstance(value, int):
                raise ValueError(f"mempool.{f.name} must be an integer, got {value!r}")
            low = 0 if f.name in ("max_future_per_sender", "verify_processes") else 1
            if value < low:
                raise ValueError(f"mempool.{f.name} must be at least {low}, got {value}")
        if self.future_ttl_s > MAX_FUTURE_TTL_S:
            raise ValueError(
                f"mempool.future_ttl_s must be at most {MAX_FUTURE_TTL_S} (a day), "
                f"got {self.future_ttl_s}"
            )
        if self.max_tx_bytes > self.max_bytes:
            raise ValueError("mempool.max_tx_bytes cannot exceed mempool.max_bytes")
