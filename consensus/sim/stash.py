"""Consensus messages for heights a simulated node has not reached yet, bounded.

The machine drops messages of a later height; the node keeps those of the next two heights here,
at most `PER_HEIGHT` per peer and height, and replays them when it gets there. Farther ones are
dropped: a `Status` exchange brings the node there. The stash is memory: a crash empties it.
"""

from __future__ import annotations

from consensus.messages import ConsensusMessage

HEIGHTS = 2
PER_HEIGHT = 64  # x peers: messages kept for a later height

Entry = tuple[int, ConsensusMessage]  # (the peer that sent it, the message)


class Stash:
    def __init__(self, peers: int) -> None:
        self._limit = PER_HEIGHT * peers
        self._held: dict[int, list[Entry]] = {}

    def __contains__(self, height: object) -> bool:
        return height in self._held

    def add(self, current: int, src: int, message: ConsensusMessage) -> None:
        if message.height > current + HEIGHTS:
            return
        held = self._held.setdefault(message.height, [])
        if len(held) < self._limit:
            held.append((src, message))

    def forget_below(self, height: int) -> None:
        for old in [h for h in self._held if h < height]:
            del self._held[old]

    def take(self, height: int) -> list[Entry]:
        """The messages of `height`, in arrival order (they leave the stash)."""
        return self._held.pop(height, [])

    def clear(self) -> None:
        self._held.clear()
