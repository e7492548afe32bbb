"""The simulator's checker: every property a run must keep, checked as the run goes.

Safety, checked on every event that could break it:
- fork: two honest nodes commit different blocks at one height (decisions and catch-up alike);
- revert: an honest node commits a different block at a height it had already decided (before a
  crash, say), or a block that does not extend its own chain;
- state root: an honest node's executed state root differs from the header's or another node's;
- double sign: an honest node sends two different signed messages for one (height, round, step);
- lock: an honest node that precommitted v at round r prevotes another block w at a later
  round r' although no round between r and r' had +2/3 prevotes for w anywhere on the wire (a
  proof-of-lock that would have released it: lines 28-29 of the paper);
- memory: a machine holds more rounds than its documented bound;
- time: a committed block's time is more than `precision` ahead of the fastest honest clock when
  it is decided, or more than `precision + message_delay(round)` behind the slowest honest clock
  when an honest node first saw it proposed (proposer-based timestamps, consensus.timeliness).

Bounds, checked at the end of the run (`finish`):
- censorship: every committed block built by an honest proposer holds every tx that was
  available when it was built and not yet committed (so a tx a Byzantine proposer leaves out
  commits at the first honest-built block, whatever the network does);
- evidence: evidence known to a node of the healed core is in the chain by the first block a core
  node builds once gossip had time to reach the core, and within `evidence_bound` heights.

Liveness after the heal is watched by the simulation (it owns the clock) and reported here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from consensus.height_state import CATCHUP_ROUNDS_PER_VALIDATOR, ROUND_WINDOW
from consensus.machine import ConsensusMachine
from consensus.messages import ConsensusMessage, Proposal
from consensus.sim.app import TxFeed
from consensus.timeliness import Synchrony
from ledger.block import Block, DuplicateVoteEvidence, Vote, VoteType


@dataclass(frozen=True, slots=True)
class Violation:
    kind: str
    time_ms: int
    detail: str

    def __str__(self) -> str:
        return f"{self.kind} at {self.time_ms} ms: {self.detail}"


@dataclass
class InclusionStats:
    """How the censorship and evidence bounds fared (for the summary)."""

    txs_checked: int = 0
    txs_censored: int = 0  # left out by a Byzantine-built block at least once, then committed
    max_tx_delay_heights: int = 0
    evidence_checked: int = 0
    evidence_pending: int = 0  # the run ended before the bound could be judged
    max_evidence_delay_heights: int = 0


@dataclass
class Checker:
    honest: frozenset[int]
    n: int
    violations: list[Violation] = field(default_factory=list)
    chain: dict[int, Block] = field(default_factory=dict)  # the first honest commit per height
    commit_time: dict[int, int] = field(default_factory=dict)
    commit_round: dict[int, int] = field(default_factory=dict)
    roots: dict[int, bytes] = field(default_factory=dict)
    builds: dict[bytes, tuple[int, int]] = field(default_factory=dict)  # hash -> (node, time)
    pooled: dict[bytes, dict[int, int]] = field(default_factory=dict)  # evidence -> node -> time
    exposed: dict[bytes, DuplicateVoteEvidence] = field(default_factory=dict)
    stats: InclusionStats = field(default_factory=InclusionStats)
    now_fn: Callable[[], int] = field(default=lambda: 0)
    offsets: tuple[int, int] = (0, 0)  # the slowest and fastest honest clock's offset
    synchrony: Synchrony = field(default_factory=Synchrony)
    first_seen: dict[bytes, int] = field(default_factory=dict)  # block hash -> virtual ms
    powers: dict[bytes, int] = field(default_factory=dict)  # validator address -> power
    powers_at: Callable[[int], dict[bytes, int]] | None = None  # by height, when the set changes

    def __post_init__(self) -> None:
        self._decisions: list[dict[int, bytes]] = [{} for _ in range(self.n)]
        self._signed: dict[tuple[int, int, int, int], bytes] = {}
        self._locks: dict[tuple[int, int], tuple[int, bytes]] = {}  # (node, h) -> (round, v)
        self._prevoted: dict[tuple[int, int, bytes], dict[bytes, int]] = {}  # (h, r, v) -> power
        self._power_cache: dict[int, tuple[dict[bytes, int], int]] = {}

    @property
    def now(self) -> int:
        return self.now_fn()

    @property
    def ok(self) -> bool:
        return not self.violations

    def fail(self, kind: str, detail: str) -> None:
        self.violations.append(Violation(kind, self.now, detail))

    # -- safety ------------------------------------------------------------------------------

    def signed(self, node: int, message: ConsensusMessage) -> None:
        """`node` sent `message` it signed: an honest node never sends two for one (h, r, step).
        (The caller passes only top-level sends, never relays, so the signer is `node`.)"""
        if node not in self.honest:
            return
        if isinstance(message, Proposal):
            key = (node, message.height, message.round, 1)
            value = message.block_hash + message.pol_round.to_bytes(8, "big", signed=True)
        else:
            key = (node, message.height, message.round, 1 + int(message.type))
            value = message.block_hash
        if isinstance(message, Vote) and message.block_hash:
            self._check_lock(node, message)
        known = self._signed.setdefault(key, value)
        if known != value:
            self.fail(
                "double-sign",
                f"honest node {node} signed two different messages at height {key[1]} "
                f"round {key[2]} step {key[3]}",
            )

    def on_wire(self, vote: Vote) -> None:
        """Any validator's prevote put on the wire (for the proof-of-lock side of `lock`)."""
        if vote.type == VoteType.PREVOTE and vote.block_hash and vote.height <= len(self.chain) + 2:
            power = self._powers(vote.height)[0].get(vote.validator.raw)
            if power is not None and vote.round < 2**31:
                key = (vote.height, vote.round, vote.block_hash)
                self._prevoted.setdefault(key, {})[vote.validator.raw] = power

    def _powers(self, height: int) -> tuple[dict[bytes, int], int]:
        hit = self._power_cache.get(height)
        if hit is None:
            powers = self.powers_at(height) if self.powers_at is not None else self.powers
            hit = self._power_cache[height] = (powers, sum(powers.values()))
        return hit

    def _check_lock(self, node: int, vote: Vote) -> None:
        if vote.type == VoteType.PRECOMMIT:  # a re-sent older precommit changes nothing
            held = self._locks.get((node, vote.height))
            if held is None or held[0] < vote.round:
                self._locks[(node, vote.height)] = (vote.round, vote.block_hash)
            return
        lock = self._locks.get((node, vote.height))
        if lock is None or lock[1] == vote.block_hash or lock[0] >= vote.round:
            return
        total = self._powers(vote.height)[1]
        for vr in range(lock[0] + 1, vote.round):
            voters = self._prevoted.get((vote.height, vr, vote.block_hash), {})
            if 3 * sum(voters.values()) > 2 * total:
                return
        self.fail(
            "lock",
            f"honest node {node} locked on {lock[1].hex()[:12]} at height {vote.height} round "
            f"{lock[0]} prevoted {vote.block_hash.hex()[:12]} at round {vote.round} with no "
            "proof-of-lock in between",
        )

    def decided(self, node: int, height: int, round_: int, block: Block) -> None:
        if node not in self.honest:
            return
        block_hash = block.hash()
        mine = self._decisions[node].setdefault(height, block_hash)
        if mine != block_hash:
            self.fail("revert", f"node {node} decided two blocks at height {height}")
        known = self.chain.get(height)
        if known is None:
            self._check_time(block, block_hash, round_)
            self.chain[height] = block
            self.commit_time[height] = self.now
            self.commit_round[height] = round_
        elif known.hash() != block_hash:
            self.fail(
                "fork",
                f"node {node} committed {block_hash.hex()[:12]} at height {height}, "
                f"another honest node {known.hash().hex()[:12]}",
            )

    def seen(self, node: int, block_hash: bytes) -> None:
        """An honest `node` received or built a proposal of this block now."""
        if node in self.honest:
            self.first_seen.setdefault(block_hash, self.now)

    def _check_time(self, block: Block, block_hash: bytes, round_: int) -> None:
        t, sync = block.header.time_ms, self.synchrony
        latest = self.now + self.offsets[1] + sync.precision_ms
        if t > latest:
            self.fail("time", f"block {block.header.height} dated {t - latest} ms past the bound")
        seen = self.first_seen.get(block_hash, self.now)
        earliest = seen + self.offsets[0] - sync.precision_ms - sync.message_delay(round_)
        if t < earliest:
            self.fail("time", f"block {block.header.height} dated {earliest - t} ms before it")

    def committed(self, node: int, block: Block, prev: Block | None, root: bytes) -> None:
        if node not in self.honest:
            return
        height = block.header.height
        if prev is not None and block.header.prev_block_hash != prev.hash():
            self.fail("revert", f"node {node}: block {height} does not extend its chain")
        if root != block.header.state_root:
            self.fail("state-root", f"node {node} executed height {height} to another root")
        known = self.roots.setdefault(height, root)
        if known != root:
            self.fail("state-root", f"node {node} disagrees on the state root of {height}")

    def memory(self, node: int, machine: ConsensusMachine) -> None:
        bound = machine.round + ROUND_WINDOW + 1 + CATCHUP_ROUNDS_PER_VALIDATOR * self.n
        if machine.tracked_rounds > bound:
            self.fail("memory", f"node {node} holds {machine.tracked_rounds} rounds (> {bound})")

    # -- records for the bounds --------------------------------------------------------------

    def built(self, node: int, block: Block, time: int) -> None:
        self.builds.setdefault(block.hash(), (node, time))
        self.seen(node, block.hash())

    def evidence_pooled(self, node: int, evidence: DuplicateVoteEvidence) -> None:
        self.pooled.setdefault(evidence.hash(), {}).setdefault(node, self.now)

    def evidence_exposed(self, evidence: DuplicateVoteEvidence) -> None:
        self.exposed.setdefault(evidence.hash(), evidence)

    # -- bounds, at the end ------------------------------------------------------------------

    def finish(
        self,
        feed: TxFeed,
        *,
        core: frozenset[int],
        heal_time: int | None,
        slack_ms: int,
        evidence_bound: int,
    ) -> None:
        top = 0
        while top + 1 in self.chain:
            top += 1
        self._check_txs(feed, top)
        if heal_time is not None:
            self._check_evidence(top, core, heal_time, slack_ms, evidence_bound)

    def _check_txs(self, feed: TxFeed, top: int) -> None:
        included: dict[bytes, int] = {}
        for height in range(1, top + 1):
            for tx in self.chain[height].txs:
                included.setdefault(tx.hash, height)
        for submitted, tx in feed.entries:
            key, at = tx.hash, included.get(tx.hash)
            censored = False
            for height in range(1, top + 1):
                if at is not None and height >= at:
                    break
                builder, built = self.builds.get(self.chain[height].hash(), (-1, -1))
                if built < submitted:
                    continue
                if builder not in self.honest:
                    censored = True
                    continue
                self.fail(
                    "censorship",
                    f"tx {key.hex()[:12]} submitted at {submitted} ms is missing from height "
                    f"{height}, built by honest node {builder} at {built} ms",
                )
                break
            if at is not None:
                self.stats.txs_checked += 1
                self.stats.txs_censored += censored
                first = next((h for h in range(1, at + 1) if self._built_at(h) >= submitted), at)
                self.stats.max_tx_delay_heights = max(self.stats.max_tx_delay_heights, at - first)

    def _built_at(self, height: int) -> int:
        return self.builds.get(self.chain[height].hash(), (-1, -1))[1]

    def _check_evidence(
        self, top: int, core: frozenset[int], heal_time: int, slack_ms: int, bound: int
    ) -> None:
        included: dict[bytes, int] = {}
        for height in range(1, top + 1):
            for e in self.chain[height].evidence:
                included.setdefault(e.hash(), height)
        for key, arrivals in self.pooled.items():
            core_times = [t for node, t in arrivals.items() if node in core]
            if not core_times:
                continue
            ready = max(min(core_times), heal_time) + slack_ms
            start = next((h for h in range(1, top + 1) if self.commit_time[h] >= ready), None)
            due = next(
                (
                    h
                    for h in range(1, top + 1)
                    if self.builds.get(self.chain[h].hash(), (-1, -1))[0] in core
                    and self._built_at(h) >= ready
                ),
                None,
            )
            at = included.get(key)
            if due is None and start is not None and top - start >= bound and at is None:
                self.fail("evidence", f"evidence {key.hex()[:12]} not committed in {bound} heights")
            elif due is not None and (at is None or at > due):
                self.fail(
                    "evidence",
                    f"evidence {key.hex()[:12]} known to the core by {ready} ms is missing from "
                    f"height {due}, built by core node {self.builds[self.chain[due].hash()][0]}",
                )
            elif at is None:
                self.stats.evidence_pending += 1
                continue
            self.stats.evidence_checked += 1
            if at is not None and start is not None:
                delay = max(0, at - start)
                self.stats.max_evidence_delay_heights = max(
                    self.stats.max_evidence_delay_heights, delay
                )
