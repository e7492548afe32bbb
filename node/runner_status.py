"""What the consensus runner reports: its status, its failure, the commit listeners' shape."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from ledger.block import Block, Commit
from node.chain_types import Executed

CommitListener = Callable[[Block, Commit, Executed], None]


class RunnerFailedError(RuntimeError):
    """The runner could not carry out a decision (e.g. the disk refused a write)."""


@dataclass(frozen=True, slots=True)
class RunnerStatus:
    height: int  # last committed
    round: int  # consensus round at height + 1
    step: str
    last_block_time_ms: int
    rounds_total: int
    waiting_for_txs: bool


def now_ms() -> int:
    return int(time.time() * 1000)
