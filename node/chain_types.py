"""What the chain hands between its steps: a block's execution, the pools' offer, a staged commit.

Kept apart from node/chain.py (the `Chain` that makes and uses them) so that the runner and the
off-loop committer name them without the chain's module growing past one concept.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from consensus.validators import ValidatorSet
from ledger.block import Block, Commit, DuplicateVoteEvidence
from ledger.state.executor import BlockResult
from ledger.tx import SignedTx

TxSource = Callable[[int, int], Sequence[SignedTx]]
"""(max_txs, max_bytes) -> candidate txs in proposal order (the mempool's reap)."""
EvidenceSource = Callable[[], Sequence[DuplicateVoteEvidence]]
Clock = Callable[[], int]
"""Milliseconds since the epoch; only the proposer reads it, to stamp its block."""


@dataclass(frozen=True, slots=True)
class Executed:
    """A block's execution, kept until the block is decided or the height moves on."""

    result: BlockResult
    changes: dict[bytes, bytes | None]
    new_root: bytes
    node_writes: dict[bytes, bytes]
    next_validators: ValidatorSet
    orphaned: frozenset[bytes] = frozenset()
    """Old Merkle records the new tree no longer holds (for a pruning store)."""


@dataclass(frozen=True, slots=True)
class Candidates:
    """What the pools offered for a block: reaped on the loop, built from anywhere."""

    height: int
    txs: Sequence[SignedTx]
    evidence: Sequence[DuplicateVoteEvidence]


@dataclass(frozen=True, slots=True)
class StagedCommit:
    """A decided block with its commit and execution, checked to fit: ready to be written."""

    block: Block
    commit: Commit
    executed: Executed
