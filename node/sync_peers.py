"""What block sync (node/sync.py) knows of each peer, how long it waits for one, and what a
peer's answers cost it.

A request that gets no answer within
the peer's patience (`REQUEST_TIMEOUT` at first) is given to another peer, and the silent peer
is taken to lack that height (until its next STATUS) and loses a little score; a peer asked for
a block it does not have answers with its STATUS instead. An answer that comes after all shows
the peer serves what it claims, only slowly (a loaded validator serving big blocks): its miss
streak ends and its patience grows to `PATIENCE_FACTOR` times its answer time (at most
`MAX_PATIENCE`), so a joiner whose only peer is slow waits for it instead of banning it.
A peer that reports a lower height than it did before on the same connection is penalized
(CometBFT ASA-2025-001).

A slow peer cannot stall the in-order apply: when the next height we need has waited
`HEDGE_AFTER` seconds, it is asked of a second peer too, and the first answer wins (the other
is accepted late, without penalty, and dropped). An answer later than `SLOW_ANSWER` (or half the
peer's patience, if more) costs its peer `SLOW_PENALTY`: a peer that always answers just under
the timeout sinks slowly.

A `BLOCK_RESPONSE` nobody asked for (or a repeat of one already handled) is refused after
reading its height only (`on_response_payload`, before the block is decoded) and costs its peer
`UNSOLICITED_PENALTY`.

A peer that does not serve a height it claimed is doubted: its claims no longer make us
"syncing" (nor raise `target_height`) until it serves a block, and each further miss in a row
costs twice the last (`NO_ANSWER_PENALTY`, doubling; a miss more than `MISS_MEMORY` seconds
old is forgiven), so a peer that keeps re-announcing a height it never serves is banned after
a few misses.
"""

from __future__ import annotations

from dataclasses import dataclass

from ledger.codec import MalformedError, TrustedReader

REQUEST_TIMEOUT = 5.0  # the patience with a peer whose answers came in time so far
MAX_PATIENCE = 30.0  # what a peer that answers late can earn: PATIENCE_FACTOR x its latency
PATIENCE_FACTOR = 4.0
LATENCY_WEIGHT = 0.25  # of a new answer time in a peer's running latency
SLOW_ANSWER = 2.5  # an answer later than this costs its peer SLOW_PENALTY
NO_ANSWER_PENALTY = 5  # doubled for each further miss in a row
MISS_MEMORY = 60.0  # a miss older than this no longer doubles the next penalty
SLOW_PENALTY = 2
UNSOLICITED_PENALTY = 10


def peek_height(payload: bytes) -> int | None:
    """The height of a `BLOCK_RESPONSE` (`[height, block, commit]`), read from its first bytes
    without decoding the block; None when they are not that."""
    reader = TrustedReader(payload[:16])
    try:
        if reader.array_header() != 3:
            return None
        height = reader.item()
    except MalformedError:
        return None
    return height if isinstance(height, int) and not isinstance(height, bool) else None


@dataclass(slots=True)
class PeerState:
    """What block sync knows of one peer: its height, its load and how it answers."""

    height: int
    in_flight: int = 0
    misses: int = 0  # requests in a row it did not serve; > 0: its claims are doubted
    last_miss: float = float("-inf")
    latency: float = 0.0  # running average of its answer times, late answers included

    def patience(self) -> float:
        """How long a request to this peer may wait before it counts as unanswered."""
        return min(MAX_PATIENCE, max(REQUEST_TIMEOUT, PATIENCE_FACTOR * self.latency))

    def answered_after(self, seconds: float, *, late: bool = False) -> None:
        """An answer `seconds` after the request; a late one (after the request was given up)
        is taken at its full time, so the next request waits long enough at once."""
        self.misses = 0  # it serves what it claims
        self.latency += LATENCY_WEIGHT * (seconds - self.latency)
        if late:
            self.latency = max(self.latency, seconds)


@dataclass(slots=True)
class Request:
    """A block request in flight: to whom, and when it was sent."""

    peer: bytes
    sent: float
