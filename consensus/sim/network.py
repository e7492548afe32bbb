"""The simulated network: per-link latency, loss, duplication, reordering and partitions.

Links are directed (`src -> dst`), so a partition can be asymmetric: A hears B while B does not
hear A. Every link has a base latency drawn once from the seed, plus jitter per message;
"reordering" holds a message back by a long extra delay so that later ones overtake it. A link
is cut while at least one active partition cuts it (partitions may overlap). Links marked
`reliable` (the healed core, TigerBeetle's liveness mode) lose, duplicate and reorder nothing and
ignore partitions. The network only decides fates; the simulation delivers.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class LinkProfile:
    latency_min_ms: int = 5
    latency_max_ms: int = 40
    jitter_ms: int = 10
    drop: float = 0.0
    duplicate: float = 0.0
    reorder: float = 0.0
    reorder_extra_ms: int = 800


class Network:
    """Fates of messages between `n` nodes, drawn from one seeded generator."""

    def __init__(self, n: int, profile: LinkProfile, rng: random.Random) -> None:
        self.n = n
        self.profile = profile
        self.rng = rng
        lo, hi = profile.latency_min_ms, profile.latency_max_ms
        self.latency = [[rng.randint(lo, hi) for _ in range(n)] for _ in range(n)]
        self.cut = [[0] * n for _ in range(n)]  # number of active partitions cutting src -> dst
        self.reliable = [[False] * n for _ in range(n)]
        self.lossy = profile.drop > 0 or profile.duplicate > 0 or profile.reorder > 0
        self.cuts = 0  # links cut right now (with multiplicity)
        self.sent = 0
        self.dropped = 0
        self.duplicated = 0

    @property
    def max_latency_ms(self) -> int:
        return self.profile.latency_max_ms + self.profile.jitter_ms

    def delays(self, src: int, dst: int) -> tuple[int, ...]:
        """Delivery delays for one message (empty: lost; two: duplicated)."""
        self.sent += 1
        reliable = self.reliable[src][dst]
        if self.cut[src][dst] and not reliable:
            self.dropped += 1
            return ()
        p = self.profile
        random = self.rng.random  # int(random() * k) draws from 0..k-1, cheaper than randint
        delay = self.latency[src][dst] + int(random() * (p.jitter_ms + 1))
        if not self.lossy or reliable:
            return (delay,)
        if p.drop and random() < p.drop:
            self.dropped += 1
            return ()
        if p.reorder and random() < p.reorder:
            delay += 1 + int(random() * p.reorder_extra_ms)
        if p.duplicate and random() < p.duplicate:
            self.duplicated += 1
            return (delay, delay + int(random() * p.reorder_extra_ms))
        return (delay,)

    def fan_out(self, src: int) -> list[int] | None:
        """Delays from `src` to every node (its own entry unused), when no message can be lost,
        duplicated or held: the same draws as `delays` per link, in one call. None otherwise."""
        if self.lossy or self.cuts:
            return None
        row = self.latency[src]
        random = self.rng.random
        jitter = self.profile.jitter_ms + 1
        self.sent += self.n - 1
        return [row[d] + int(random() * jitter) if d != src else 0 for d in range(self.n)]

    def partition(self, links: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
        """Cut `links`; returns them for `restore`."""
        cut = [(s, d) for s, d in links if s != d]
        for s, d in cut:
            self.cut[s][d] += 1
        self.cuts += len(cut)
        return cut

    def restore(self, links: Iterable[tuple[int, int]]) -> None:
        for s, d in links:
            self.cut[s][d] -= 1
            self.cuts -= 1

    def make_reliable(self, nodes: Iterable[int]) -> None:
        """Heal every link between `nodes`, for good."""
        group = list(nodes)
        for s in group:
            for d in group:
                self.reliable[s][d] = True


def split(nodes: list[int], rng: random.Random) -> tuple[list[int], list[int]]:
    """Two non-empty random groups of `nodes` (len >= 2)."""
    shuffled = nodes[:]
    rng.shuffle(shuffled)
    k = rng.randint(1, len(shuffled) - 1)
    return shuffled[:k], shuffled[k:]


def symmetric_cut(a: list[int], b: list[int]) -> list[tuple[int, int]]:
    return [(s, d) for s in a for d in b] + [(s, d) for s in b for d in a]


def one_way_cut(a: list[int], b: list[int]) -> list[tuple[int, int]]:
    """A cannot reach B; B still reaches A."""
    return [(s, d) for s in a for d in b]
