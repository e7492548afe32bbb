"""What a handler may know about the block it executes in, besides state."""

from __future__ import annotations

from dataclasses import dataclass

from ledger.block import DuplicateVoteEvidence
from ledger.genesis import ChainParams
from ledger.keys import Address


@dataclass(frozen=True, slots=True)
class BlockContext:
    params: ChainParams
    genesis_hash: bytes
    height: int
    time_ms: int
    proposer: Address
    evidence: tuple[DuplicateVoteEvidence, ...] = ()
