"""The consensus parameters a genesis fixes: round timeouts, block limits, timeliness bounds."""

from __future__ import annotations

from dataclasses import dataclass

# the slowest link a full block must cross within the timeout cap: 1 MB/s
BLOCK_BYTES_PER_MS = 1000


@dataclass(frozen=True, slots=True)
class ConsensusParams:
    """Timeouts grow linearly with the round: base + delta * round (CometBFT's scheme)."""

    block_interval_ms: int = 1000
    timeout_propose_ms: int = 3000
    timeout_propose_delta_ms: int = 500
    timeout_prevote_ms: int = 1000
    timeout_prevote_delta_ms: int = 500
    timeout_precommit_ms: int = 1000
    timeout_precommit_delta_ms: int = 500
    create_empty_blocks: bool = True
    empty_block_interval_ms: int = 1000
    validator_update_delay: int = 2
    max_block_txs: int = 10_000  # docs/consensus.md: a block's transient memory at a large state
    max_block_bytes: int = 8 * 1024 * 1024
    max_tx_bytes: int = 64 * 1024
    # proposer-based timestamps (consensus.timeliness): clock precision and proposal delivery
    synchrony_precision_ms: int = 505
    synchrony_message_delay_ms: int = 15_000
    timeout_cap_ms: int = 60_000  # no round timeout grows past this (consensus.timeouts)

    def error(self) -> str | None:
        """Why these parameters cannot run a chain, or None."""
        if self.validator_update_delay < 1:
            return "validator_update_delay must be at least 1 (a change needs a later height)"
        for name in ("timeout_propose_ms", "timeout_prevote_ms", "timeout_precommit_ms"):
            if getattr(self, name) < 1:
                return f"{name} must be at least 1 ms"
        for name in ("max_block_txs", "max_block_bytes", "max_tx_bytes"):
            if getattr(self, name) < 1:
                return f"{name} must be at least 1"
        if self.max_tx_bytes > self.max_block_bytes:
            return "max_tx_bytes cannot exceed max_block_bytes"
        if self.synchrony_message_delay_ms < 1:
            return "synchrony_message_delay_ms must be at least 1 ms"
        floor = max(
            self.timeout_propose_ms,
            self.timeout_prevote_ms,
            self.timeout_precommit_ms,
            self.block_interval_ms,
            self.max_block_bytes // BLOCK_BYTES_PER_MS,
        )
        if self.timeout_cap_ms < floor:
            return (
                f"timeout_cap_ms must be at least {floor} ms: every base timeout, the block "
                f"interval, and the time a full block takes at {BLOCK_BYTES_PER_MS} bytes/ms"
            )
        return None
