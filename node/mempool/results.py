"""What the mempool answers: one submitted tx's admission, its statistics, a block's update."""

from __future__ import annotations

from dataclasses import dataclass, field

from ledger.errors import ErrorCode


@dataclass(frozen=True, slots=True)
class Admission:
    """The answer to one submitted tx; `queued` means accepted but waiting for a lower nonce."""

    code: ErrorCode
    tx_hash: bytes | None  # None when the bytes did not decode
    reason: str = ""
    queued: bool = False

    @property
    def ok(self) -> bool:
        return self.code is ErrorCode.OK


@dataclass(frozen=True, slots=True)
class MempoolStats:
    txs: int
    bytes: int
    ready: int
    future: int
    senders: int
    admitted_total: int
    evicted_total: int
    included_total: int
    verified_total: int
    verify_cache_hits: int
    rejected_total: dict[ErrorCode, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class UpdateReport:
    included: int  # pending txs the block included
    dropped_stale: int  # pending txs whose nonce the block used otherwise
    evicted: int  # pending txs that failed the re-check (and later txs of their senders)
    remaining: int
    rechecked: int = 0  # senders whose txs ran again (the others were kept as they were)
