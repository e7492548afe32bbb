"""Peer scores and bans.

Every peer starts at score 0. Misbehaviour subtracts a penalty; the score recovers towards 0 at a
steady rate, so an occasional glitch is forgotten while a stream of bad messages is not. A peer at
or below the ban score is banned for a configured time: it is disconnected, and refused at the
handshake until the ban expires, when its score starts again from 0. Scores and bans live in
memory and are keyed by node public key (the identity the handshake proved), not by address.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

log = logging.getLogger(__name__)


class Penalty:
    """Standard penalties. With the default ban score of -100 (and the score slowly recovering),
    five garbage frames or three oversized ones in a short time ban a peer."""

    PROTOCOL: Final = 25  # a text frame, or a handshake message after the handshake
    UNDECODABLE: Final = 25  # a frame or payload that does not decode
    INVALID: Final = 25  # decodes but the rules reject it (reported by the runner)
    OVERSIZED: Final = 50  # longer than the limit of its type
    FLOOD: Final = 5  # a message beyond the peer's budget for its type (node/p2p/budget.py)
    FRAME_TOO_LARGE: Final = 1000  # longer than the largest message of any type: banned at once


@dataclass(slots=True)
class _Record:
    score: float
    updated: float
    banned_until: float = 0.0


class PeerScores:
    """Scores and bans of peers, by public key."""

    def __init__(
        self,
        ban_score: float,
        ban_seconds: float,
        recovery_per_second: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if ban_score >= 0:
            raise ValueError("the ban score must be negative")
        self._ban_score = ban_score
        self._ban_seconds = ban_seconds
        self._recovery = recovery_per_second
        self._clock = clock
        self._records: dict[bytes, _Record] = {}

    def _record(self, peer: bytes, now: float) -> _Record:
        """The peer's record; a ban that has ended is forgotten with the score that led to it."""
        record = self._records.get(peer)
        if record is None or 0.0 < record.banned_until <= now:
            record = self._records[peer] = _Record(0.0, now)
        return record

    def score(self, peer: bytes) -> float:
        if peer not in self._records:
            return 0.0
        now = self._clock()
        record = self._record(peer, now)
        self._recover(record, now)
        return record.score

    def penalize(self, peer: bytes, amount: int, reason: str) -> bool:
        """Lower the peer's score; True when this penalty bans it."""
        if amount < 0:
            raise ValueError("a penalty is a positive amount")
        now = self._clock()
        record = self._record(peer, now)
        if record.banned_until > now:
            return False
        self._recover(record, now)
        record.score -= amount
        log.info(
            "peer %s penalized %d for %s: score %.0f", peer.hex()[:12], amount, reason, record.score
        )
        if record.score <= self._ban_score:
            self._ban(record, peer, now, self._ban_seconds, reason)
            return True
        return False

    def ban(self, peer: bytes, reason: str, seconds: float | None = None) -> None:
        now = self._clock()
        record = self._record(peer, now)
        self._ban(record, peer, now, self._ban_seconds if seconds is None else seconds, reason)

    def ban_remaining(self, peer: bytes) -> float:
        """Seconds until the peer's ban expires; 0 when it is not banned."""
        record = self._records.get(peer)
        if record is None or record.banned_until == 0.0:
            return 0.0
        now = self._clock()
        if record.banned_until <= now:
            del self._records[peer]  # the ban is over: start again from a clean score
            return 0.0
        return record.banned_until - now

    def is_banned(self, peer: bytes) -> bool:
        return self.ban_remaining(peer) > 0

    def _recover(self, record: _Record, now: float) -> None:
        if record.score < 0:
            record.score = min(0.0, record.score + (now - record.updated) * self._recovery)
        record.updated = now

    def _ban(self, record: _Record, peer: bytes, now: float, seconds: float, reason: str) -> None:
        record.banned_until = now + seconds
        log.warning("peer %s banned for %.0f s: %s", peer.hex()[:12], seconds, reason)
