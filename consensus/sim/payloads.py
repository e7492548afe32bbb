"""What simulated nodes send each other besides proposals and votes, and the signature cache.

Consensus messages travel as objects (encoding every one would dominate a 100-validator run; the
codec has its own golden tests) unless the run asks for `wire` mode, where they travel as bytes.
Garbage always travels as bytes (`Wire`), so the decoder's bounds are exercised on every run.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeAlias

from consensus.application import Verifier
from consensus.messages import ConsensusMessage
from ledger.block import Block, Commit, DuplicateVoteEvidence
from ledger.keys import verify


@dataclass(frozen=True, slots=True)
class Status:
    """ "I am stuck at (height, round)": peers answer with blocks or the round's messages."""

    height: int
    round: int


@dataclass(frozen=True, slots=True)
class Bundle:
    """Consensus messages re-sent together to a peer that lags in rounds."""

    messages: tuple[ConsensusMessage, ...]


@dataclass(frozen=True, slots=True)
class CatchUp:
    """Committed blocks with their commits, for a peer that lags in heights."""

    blocks: tuple[tuple[Block, Commit], ...]


@dataclass(frozen=True, slots=True)
class EvidenceGossip:
    evidence: DuplicateVoteEvidence


@dataclass(frozen=True, slots=True)
class Wire:
    """Raw bytes claimed to be an encoded consensus message."""

    data: bytes


Payload: TypeAlias = ConsensusMessage | Status | Bundle | CatchUp | EvidenceGossip | Wire


class VerifyCache:
    """A `Verifier` that checks each distinct (public key, message, signature) once.

    A vote broadcast to 99 peers is verified by each of them; with one shared cache the real
    Ed25519 check runs once and the other 98 are a dictionary lookup. Keyed by the signature,
    with the key and message compared on a hit, so a signature reused over other bytes is
    checked again. Negative results are cached too (garbage senders repeat themselves).
    """

    def __init__(self, verifier: Verifier = verify, max_entries: int = 1 << 20) -> None:
        self._verify = verifier
        self._max = max_entries
        self._seen: dict[bytes, tuple[bytes, bytes, bool]] = {}
        self.checks = 0
        self.hits = 0

    def __call__(self, public_key: bytes, message: bytes, signature: bytes) -> bool:
        hit = self._seen.get(signature)
        if hit is not None and hit[0] == public_key and hit[1] == message:
            self.hits += 1
            return hit[2]
        self.checks += 1
        ok = self._verify(public_key, message, signature)
        if len(self._seen) >= self._max:
            self._seen.clear()
        self._seen[signature] = (public_key, message, ok)
        return ok
