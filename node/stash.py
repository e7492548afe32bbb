"""Consensus messages for heights the machine has not reached yet, bounded in count and bytes.

The machine drops messages of a later height (it has no validator set for it yet); the runner
keeps them here until it gets there. Only the next `HEIGHTS` heights are kept (farther ones are
block sync's business), and per height at most `PROPOSALS` proposals (each may carry a large
block) and `VOTES_PER_VALIDATOR` votes per validator. Nothing stashed is verified yet, so one
peer gets only a share: `PROPOSALS_PER_PEER` of a height's proposal slots, half its vote slots,
and `PEER_BLOCKS` largest proposals' worth of bytes over all stashed heights; the stash holds at
most `TOTAL_BLOCKS` largest proposals' worth. (Votes are bounded by their count: a vote message
is at most a few hundred bytes, node/p2p/messages.py.) Junk from a Byzantine peer can neither
crowd out the real proposal nor take more memory than that (issue 14). A copy of a message
already stashed (same signature and content) is not kept twice.

`add` says what it did: a message beyond the sender's share is `Stashed.OVER_SHARE`, which the
runner charges to the peer (`Penalty.FLOOD`); an honest peer sends a height one proposal per
round and each vote once. What is stashed and turns out invalid when its height comes is
charged as any invalid message (`Penalty.INVALID`).
"""

from __future__ import annotations

from collections import Counter
from enum import Enum

from consensus.messages import ConsensusMessage, Proposal
from ledger.block import Vote

HEIGHTS = 2
SEEN_VOTES_MAX = 100_000  # vote signatures remembered per height, to skip relayed copies
PROPOSALS = 4
PROPOSALS_PER_PEER = 2
VOTES_PER_VALIDATOR = 64
PEER_BLOCKS = 2  # one peer's stashed bytes, in largest blocks
TOTAL_BLOCKS = 4  # all stashed bytes, in largest blocks
MESSAGE_OVERHEAD = 512  # bytes counted for a proposal beside its block
DEFAULT_MAX_BLOCK_BYTES = 8 * 1024 * 1024

Entry = tuple[bytes | None, ConsensusMessage]  # (the peer that sent it, the message)


class Stashed(Enum):
    KEPT = "kept"
    IGNORED = "ignored"  # not a height the stash keeps, or a copy of what it holds
    FULL = "full"  # the height's slots or the stash's bytes are taken (by anyone)
    OVER_SHARE = "over_share"  # the sender's own share is taken


def message_bytes(msg: ConsensusMessage) -> int:
    """What a stashed message counts against the byte caps: a proposal its block's encoding
    (cached by the block, which the WAL and gossip need anyway) and an allowance for the rest;
    a vote nothing (votes are bounded by count)."""
    if isinstance(msg, Proposal):
        return len(msg.block.encode()) + MESSAGE_OVERHEAD
    return 0


class Stash:
    def __init__(self, max_block_bytes: int = DEFAULT_MAX_BLOCK_BYTES) -> None:
        self.peer_bytes_cap = PEER_BLOCKS * (max_block_bytes + MESSAGE_OVERHEAD)
        self.bytes_cap = TOTAL_BLOCKS * (max_block_bytes + MESSAGE_OVERHEAD)
        self._held: dict[int, list[Entry]] = {}
        self._signatures: dict[int, dict[bytes, ConsensusMessage]] = {}
        self._proposals: Counter[int] = Counter()
        self._by_peer: Counter[tuple[int, bytes | None, bool]] = Counter()  # (h, peer, proposal)
        self._bytes_by_peer: Counter[bytes | None] = Counter()
        self.bytes = 0

    def __contains__(self, height: object) -> bool:
        return height in self._held

    def count(self) -> int:
        return sum(len(held) for held in self._held.values())

    def peer_bytes(self, peer: bytes | None) -> int:
        return self._bytes_by_peer[peer]

    def add(
        self, current: int, validators: int, peer: bytes | None, msg: ConsensusMessage
    ) -> Stashed:
        height = msg.height
        if not current < height <= current + HEIGHTS:
            return Stashed.IGNORED
        if self._signatures.get(height, {}).get(msg.signature) == msg:
            return Stashed.IGNORED  # a copy (a retransmission, a relay)
        proposal = isinstance(msg, Proposal)
        mine = self._by_peer[height, peer, proposal]
        if proposal:
            if mine >= PROPOSALS_PER_PEER:
                return Stashed.OVER_SHARE
            if self._proposals[height] >= PROPOSALS:
                return Stashed.FULL
        else:
            slots = VOTES_PER_VALIDATOR * max(1, validators)
            if mine >= slots // 2:
                return Stashed.OVER_SHARE
            held_votes = len(self._held.get(height, ())) - self._proposals[height]
            if held_votes >= slots:
                return Stashed.FULL
        size = message_bytes(msg)
        if self._bytes_by_peer[peer] + size > self.peer_bytes_cap:
            return Stashed.OVER_SHARE
        if self.bytes + size > self.bytes_cap:
            return Stashed.FULL
        self._held.setdefault(height, []).append((peer, msg))
        self._signatures.setdefault(height, {})[msg.signature] = msg
        if proposal:
            self._proposals[height] += 1
        self._by_peer[height, peer, proposal] += 1
        self._bytes_by_peer[peer] += size
        self.bytes += size
        return Stashed.KEPT

    def forget_below(self, height: int) -> None:
        for old in [h for h in self._held if h < height]:
            self._drop(old)

    def take(self, height: int) -> list[Entry]:
        """The messages of `height`, in arrival order (they leave the stash)."""
        return self._drop(height)

    def _drop(self, height: int) -> list[Entry]:
        held = self._held.pop(height, [])
        self._signatures.pop(height, None)
        self._proposals.pop(height, None)
        for key in [k for k in self._by_peer if k[0] == height]:
            del self._by_peer[key]
        for peer, msg in held:
            size = message_bytes(msg)
            self.bytes -= size
            self._bytes_by_peer[peer] -= size
            if self._bytes_by_peer[peer] <= 0:
                del self._bytes_by_peer[peer]
        return held


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
