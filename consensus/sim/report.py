"""What a simulation run found: violations, and a summary to print."""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from consensus.sim.app import World
from consensus.sim.byzantine import Coalition
from consensus.sim.checks import Checker, InclusionStats, Violation
from consensus.sim.clock import EventQueue
from consensus.sim.network import Network
from consensus.sim.options import SimOptions
from consensus.sim.payloads import VerifyCache


class _Counted(Protocol):
    @property
    def counters(self) -> Mapping[str, int]: ...


class Finished(Protocol):
    """What a summary reads of a finished run (`Simulation`, which builds its report from
    itself: a protocol, so that this module need not import the simulation that imports it)."""

    @property
    def options(self) -> SimOptions: ...
    @property
    def checker(self) -> Checker: ...
    @property
    def nodes(self) -> Sequence[_Counted]: ...
    @property
    def queue(self) -> EventQueue: ...
    @property
    def network(self) -> Network: ...
    @property
    def verifier(self) -> VerifyCache: ...
    @property
    def coalition(self) -> Coalition: ...
    @property
    def world(self) -> World: ...
    @property
    def core(self) -> frozenset[int]: ...
    @property
    def heal_time(self) -> int | None: ...
    @property
    def first_core_commit_after_heal(self) -> int | None: ...
    @property
    def liveness_bound_ms(self) -> int: ...


@dataclass(frozen=True)
class Report:
    options: SimOptions
    violations: tuple[Violation, ...]
    height: int  # committed by honest nodes, contiguous from 1
    rounds: tuple[int, ...]  # the round each height was decided in
    intervals_ms: tuple[int, ...]  # virtual time between first commits of consecutive heights
    virtual_ms: int
    events: int
    messages: int
    dropped: int
    duplicated: int
    signatures_verified: int
    signature_cache_hits: int
    counters: dict[str, int]
    core: tuple[int, ...]
    heal_ms: int | None
    liveness_bound_ms: int
    recovery_ms: int | None  # heal -> first commit by a core node
    equivocations_injected: int
    evidence_exposed: int
    evidence_committed: int
    txs_submitted: int
    txs_committed: int
    inclusion: InclusionStats = field(default_factory=InclusionStats)

    @property
    def ok(self) -> bool:
        return not self.violations

    def replay_command(self) -> str:
        o = self.options
        faults = ",".join(sorted(o.faults)) or "none"
        return (
            f"coterie sim --validators {o.validators} --byzantine {o.byzantine} "
            f"--seed {o.seed} --heights {o.heights} --faults {faults}"
            + (" --wire" if o.wire else "")
        )

    def lines(self) -> list[str]:
        rounds = self.rounds or (0,)
        intervals = sorted(self.intervals_ms) or [0]
        c = self.counters
        inc = self.inclusion
        heal = (
            f"heal at {self.heal_ms} ms, core {list(self.core)}, first core commit after "
            f"{self.recovery_ms} ms (bound {self.liveness_bound_ms} ms between commits)"
            if self.heal_ms is not None
            else "no heal (no honest quorum, or stopped by a violation)"
        )
        return [
            f"heights    {self.height} committed in {self.virtual_ms} virtual ms",
            f"rounds     mean {sum(rounds) / len(rounds):.2f} per height, max {max(rounds)}, "
            f"{sum(1 for r in rounds if r > 0)} heights needed more than one",
            f"latency    block interval median {intervals[len(intervals) // 2]} ms, "
            f"max {intervals[-1]} ms",
            f"messages   {self.messages} sent, {self.dropped} lost, {self.duplicated} duplicated, "
            f"{self.events} events",
            f"signatures {self.signatures_verified} verified, "
            f"{self.signature_cache_hits} cache hits",
            f"nodes      {c.get('crashes', 0)} crashes ({c.get('crash-points', 0)} at "
            f"persistence steps), {c.get('restarts', 0)} restarts, "
            f"{c.get('caught-up', 0)} blocks by catch-up, {c.get('stuck', 0)} stuck ticks",
            f"rejected   {c.get('rejected', 0)} messages, {c.get('malformed', 0)} undecodable, "
            f"{c.get('bad-catchup', 0)} bad catch-ups, {c.get('bad-evidence', 0)} bad evidence",
            heal,
            f"evidence   {self.equivocations_injected} equivocations injected, "
            f"{self.evidence_exposed} exposed, {self.evidence_committed} committed, "
            f"{inc.evidence_checked} checked against the bound "
            f"(max {inc.max_evidence_delay_heights} heights late), {inc.evidence_pending} pending",
            f"txs        {self.txs_committed}/{self.txs_submitted} committed, "
            f"{inc.txs_censored} left out by a Byzantine proposer and then included, "
            f"max {inc.max_tx_delay_heights} heights after submission",
        ]


def summarize(sim: Finished) -> Report:
    checker = sim.checker
    top = 0
    while top + 1 in checker.chain:
        top += 1
    times = [checker.commit_time[h] for h in range(1, top + 1)]
    counters: dict[str, int] = {}
    for node in sim.nodes:
        for name, value in node.counters.items():
            counters[name] = counters.get(name, 0) + value
    committed_evidence = sum(len(checker.chain[h].evidence) for h in range(1, top + 1))
    committed_txs = sum(len(checker.chain[h].txs) for h in range(1, top + 1))
    recovery = (
        sim.first_core_commit_after_heal - sim.heal_time
        if sim.heal_time is not None and sim.first_core_commit_after_heal is not None
        else None
    )
    return Report(
        options=sim.options,
        violations=tuple(checker.violations),
        height=top,
        rounds=tuple(checker.commit_round[h] for h in range(1, top + 1)),
        intervals_ms=tuple(b - a for a, b in itertools.pairwise(times)),
        virtual_ms=sim.queue.now,
        events=sim.queue.processed,
        messages=sim.network.sent,
        dropped=sim.network.dropped,
        duplicated=sim.network.duplicated,
        signatures_verified=sim.verifier.checks,
        signature_cache_hits=sim.verifier.hits,
        counters=counters,
        core=tuple(sorted(sim.core)),
        heal_ms=sim.heal_time,
        liveness_bound_ms=sim.liveness_bound_ms,
        recovery_ms=recovery,
        equivocations_injected=len(sim.coalition.injected),
        evidence_exposed=len(checker.exposed),
        evidence_committed=committed_evidence,
        txs_submitted=len(sim.world.feed.entries),
        txs_committed=committed_txs,
        inclusion=checker.stats,
    )
