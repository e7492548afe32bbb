"""Per-peer budgets: how many messages, and how many bytes, of each type a peer may send.

Every message a peer sends costs us something before we can judge it: a proposal is decoded
(up to the block size), a block request makes us read and queue a block, a vote is checked. A
validator that sends more than any honest node would (issue 14: 8 MB proposals for far heights,
block requests without end) spends its budget, and each message beyond it is dropped before it
is decoded and costs the peer `Penalty.FLOOD`; a sustained flood ends in a ban.

Budgets are token buckets per (peer, type), refilled continuously: a rate per second and a burst
(the bucket's size). `BudgetConfig` holds them as the `[p2p.budgets]` keys of config.toml (byte
budgets in units of the chain's largest block); its defaults are about ten times what an honest
node sends at a block a second, so a node catching up or a fast testnet stays inside.
TXS batches have no budget here: their cost is bounded by the mempool's admission and the
gossip seen-set.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields

from node.p2p.messages import MessageType


@dataclass(frozen=True, slots=True)
class Budget:
    """A rate and a burst for messages, and optionally for bytes (0: no byte budget)."""

    per_second: float
    burst: float
    bytes_per_second: float = 0.0
    bytes_burst: float = 0.0


MAX_BUDGET = 1_000_000
"""The largest value of any `BudgetConfig` key (a larger one is almost surely a unit mistake)."""


@dataclass(frozen=True, slots=True)
class BudgetConfig:
    """Per-peer budgets as config keys: messages per second and burst per message type, and
    for the two types that carry blocks, bytes per second and burst in blocks of the chain's
    `max_block_bytes` (so a burst of 1 block always lets one largest message through)."""

    proposals_per_s: int = 20
    """One proposal per round; retransmissions at most once a second per peer."""
    proposals_burst: int = 60
    proposal_blocks_per_s: int = 2
    proposal_blocks_burst: int = 4
    votes_per_s: int = 1000
    """Every validator's prevote and precommit per round, relayed."""
    votes_burst: int = 4000
    evidence_per_s: int = 20
    evidence_burst: int = 100
    status_per_s: int = 20
    status_burst: int = 100
    block_requests_per_s: int = 50
    """Block sync asks at most two blocks of a peer at a time."""
    block_requests_burst: int = 100
    block_responses_per_s: int = 50
    block_responses_burst: int = 100
    block_response_blocks_per_s: int = 8
    block_response_blocks_burst: int = 16
    snapshot_requests_per_s: int = 2
    """A joiner asks once when it connects (node/statesync_fetch.py)."""
    snapshot_requests_burst: int = 10
    chunk_requests_per_s: int = 50
    """A joiner keeps two chunk requests in flight per peer."""
    chunk_requests_burst: int = 100

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, bool) or not isinstance(value, int):
                raise ValueError(f"p2p.budgets.{f.name} must be an integer, got {value!r}")
            if not 1 <= value <= MAX_BUDGET:
                raise ValueError(f"p2p.budgets.{f.name} must be in [1, {MAX_BUDGET}], got {value}")

    def table(self, max_block_bytes: int) -> dict[MessageType, Budget]:
        block = float(max_block_bytes)
        return {
            MessageType.PROPOSAL: Budget(
                self.proposals_per_s,
                self.proposals_burst,
                self.proposal_blocks_per_s * block,
                self.proposal_blocks_burst * block,
            ),
            MessageType.VOTE: Budget(self.votes_per_s, self.votes_burst),
            MessageType.EVIDENCE: Budget(self.evidence_per_s, self.evidence_burst),
            MessageType.STATUS: Budget(self.status_per_s, self.status_burst),
            MessageType.BLOCK_REQUEST: Budget(self.block_requests_per_s, self.block_requests_burst),
            MessageType.BLOCK_RESPONSE: Budget(
                self.block_responses_per_s,
                self.block_responses_burst,
                self.block_response_blocks_per_s * block,
                self.block_response_blocks_burst * block,
            ),
            MessageType.SNAPSHOTS_REQUEST: Budget(
                self.snapshot_requests_per_s, self.snapshot_requests_burst
            ),
            MessageType.CHUNK_REQUEST: Budget(self.chunk_requests_per_s, self.chunk_requests_burst),
        }


def default_budgets(max_block_bytes: int) -> dict[MessageType, Budget]:
    return BudgetConfig().table(max_block_bytes)


class _Bucket:
    __slots__ = ("level", "updated")

    def __init__(self, level: float, now: float) -> None:
        self.level = level
        self.updated = now

    def take(self, amount: float, rate: float, burst: float, now: float) -> bool:
        self.level = min(burst, self.level + (now - self.updated) * rate)
        self.updated = now
        if self.level < amount:
            return False
        self.level -= amount
        return True


class PeerBudgets:
    """The buckets of every connected peer; `forget(peer)` when it disconnects."""

    def __init__(
        self,
        budgets: Mapping[MessageType, Budget],
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._budgets = dict(budgets)
        self._clock = clock
        self._buckets: dict[tuple[bytes, MessageType, bool], _Bucket] = {}

    def allow(self, peer: bytes, msg_type: MessageType, size: int) -> bool:
        """Take one message of `size` bytes from the peer's budget; False when over it (then
        nothing is taken)."""
        budget = self._budgets.get(msg_type)
        if budget is None:
            return True
        now = self._clock()
        count = self._bucket(peer, msg_type, False, budget.burst, now)
        level = count.level
        if not count.take(1, budget.per_second, budget.burst, now):
            return False
        if budget.bytes_per_second > 0:
            volume = self._bucket(peer, msg_type, True, budget.bytes_burst, now)
            if not volume.take(size, budget.bytes_per_second, budget.bytes_burst, now):
                count.level = level  # give the message token back
                return False
        return True

    def _bucket(
        self, peer: bytes, msg_type: MessageType, volume: bool, burst: float, now: float
    ) -> _Bucket:
        key = (peer, msg_type, volume)
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = self._buckets[key] = _Bucket(burst, now)
        return bucket

    def forget(self, peer: bytes) -> None:
        for key in [k for k in self._buckets if k[0] == peer]:
            del self._buckets[key]
