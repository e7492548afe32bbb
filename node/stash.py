"""Consensus messages for heights the machine has not reached yet, bounded.

The machine drops messages of a later height (it has no validator set for it yet); the runner
keeps them here until it gets there. Only the next `HEIGHTS` heights are kept (farther ones are
block sync's business), and per height at most `PROPOSALS` proposals (each may carry a large
block) and `VOTES_PER_VALIDATOR` votes per validator. Nothing stashed is verified yet, so one
peer may fill at most `PROPOSALS_PER_PEER` of a height's proposal slots: junk from a Byzantine
peer cannot crowd out the real proposal (issue 14).
"""

from __future__ import annotations

from consensus.messages import ConsensusMessage, Proposal
from ledger.block import Vote

HEIGHTS = 2
SEEN_VOTES_MAX = 100_000  # vote signatures remembered per height, to skip relayed copies
PROPOSALS = 4
PROPOSALS_PER_PEER = 2
VOTES_PER_VALIDATOR = 64

Entry = tuple[bytes | None, ConsensusMessage]  # (the peer that sent it, the message)


class Stash:
    def __init__(self) -> None:
        self._held: dict[int, list[Entry]] = {}
        self._proposals: dict[int, int] = {}
        self._by_peer: dict[tuple[int, bytes | None], int] = {}

    def __contains__(self, height: object) -> bool:
        return height in self._held

    def add(self, current: int, validators: int, peer: bytes | None, msg: ConsensusMessage) -> None:
        height = msg.height
        if not current < height <= current + HEIGHTS:
            return
        held = self._held.setdefault(height, [])
        if isinstance(msg, Proposal):
            mine = self._by_peer.get((height, peer), 0)
            if self._proposals.get(height, 0) >= PROPOSALS or mine >= PROPOSALS_PER_PEER:
                return
            self._proposals[height] = self._proposals.get(height, 0) + 1
            self._by_peer[height, peer] = mine + 1
        elif len(held) >= VOTES_PER_VALIDATOR * max(1, validators):
            return
        held.append((peer, msg))

    def forget_below(self, height: int) -> None:
        for old in [h for h in self._held if h < height]:
            del self._held[old]
            self._proposals.pop(old, None)
        for key in [k for k in self._by_peer if k[0] < height]:
            del self._by_peer[key]

    def take(self, height: int) -> list[Entry]:
        """The messages of `height`, in arrival order (they leave the stash)."""
        self._proposals.pop(height, None)
        for key in [k for k in self._by_peer if k[0] == height]:
            del self._by_peer[key]
        return self._held.pop(height, [])


class SeenVotes:
    """Signatures of the votes of one height that the machine has taken, so a relayed copy
    (every peer relays every vote) is neither logged in the WAL nor run again (issue 14). Ed25519
    signs deterministically: the same vote has the same signature. Per height and bounded."""

    def __init__(self) -> None:
        self._height = 0
        self._signatures: set[bytes] = set()

    def seen(self, vote: Vote, max_round: int) -> bool:
        """True for a copy; otherwise remember the vote if the machine will consider it (its
        round is at most `max_round`: a vote it ignores now must be welcome when resent)."""
        if self._height != vote.height or len(self._signatures) >= SEEN_VOTES_MAX:
            self._height = vote.height
            self._signatures.clear()
        if vote.signature in self._signatures:
            return True
        if vote.round <= max_round:
            self._signatures.add(vote.signature)
        return False
