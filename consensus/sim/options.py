"""Everything a simulation run does, derived from its seed and a few choices.

`derive(seed, validators=..., byzantine=..., heights=..., faults=...)` fixes every knob from the
seed (as TigerBeetle's VOPR derives its options), so the seed plus those four choices replay a
run exactly; `SimOptions.describe()` prints what was derived.

Faults (`--faults`, comma-separated; `all` for every one):

    network    drop, duplicate, reorder, partition, asymmetric (one-way partitions too)
    nodes      crash (crash and restart at random moments),
               crash-points (crash just before or after a persistence step), skew (clock rates
               and offsets per node)
    byzantine  equivocate, double-vote, garbage, future-round, censor (need --byzantine >= 1)
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field, replace

from consensus.sim.byzantine import ROLES
from consensus.sim.network import LinkProfile
from consensus.timeliness import Synchrony
from consensus.timeouts import Timeouts
from ledger.genesis import ConsensusParams

NETWORK_FAULTS = ("drop", "duplicate", "reorder", "partition", "asymmetric")
NODE_FAULTS = ("crash", "crash-points", "skew", "set-changes")
BYZANTINE_FAULTS = ROLES
ALL_FAULTS = NETWORK_FAULTS + NODE_FAULTS + BYZANTINE_FAULTS
CHAOS_CAP = 4  # the chaos phase ends by CHAOS_CAP x chaos_ms even if half the heights are not in


def parse_faults(text: str) -> frozenset[str]:
    """`"partition,crash"` -> the set; `all` means every fault; raises ValueError on a typo."""
    names = {name.strip() for name in text.split(",") if name.strip()}
    if "all" in names:
        return frozenset(ALL_FAULTS)
    unknown = names - set(ALL_FAULTS)
    if unknown:
        raise ValueError(
            f"unknown faults: {', '.join(sorted(unknown))} (known: {', '.join(ALL_FAULTS)}, all)"
        )
    return frozenset(names)


def max_faulty(powers: tuple[int, ...]) -> int:
    """f: how many validators (taken from the weakest) hold strictly less than 1/3 of the power."""
    total, f, held = sum(powers), 0, 0
    for power in sorted(p for p in powers if p > 0):  # 0: a node outside the set
        if 3 * (held + power) >= total:
            break
        held += power
        f += 1
    return f


@dataclass(frozen=True)
class SimOptions:
    seed: int
    validators: int
    byzantine: int
    heights: int
    faults: frozenset[str]
    powers: tuple[int, ...]
    byzantine_roles: dict[int, frozenset[str]]  # node index -> roles
    link: LinkProfile
    partition_every_ms: int  # mean time between partitions; 0: none
    partition_ms: tuple[int, int]
    one_way_share: float  # of partitions that are asymmetric
    crash_every_ms: int  # mean time between crashes; 0: none
    downtime_ms: tuple[int, int]
    crash_point_share: float  # of crashes that hit a persistence step
    skew_permille: tuple[int, ...]
    offset_ms: tuple[int, ...]
    chaos_ms: int  # the chaos phase lasts until half the heights, at most 4 x this
    tx_every_ms: int
    timeouts: Timeouts
    synchrony: Synchrony
    # validator-set changes: (height, validator, new power) of honest validators: power grows,
    # a validator leaves (power 0) or (re)joins; a power of 0 in `powers` is a node outside the
    # genesis set. The Byzantine share stays below a third at every height (`_set_changes`)
    set_changes: tuple[tuple[int, int, int], ...] = ()
    gossip_ms: int = 1000
    # tests only: nodes that misbehave with these roles while the checker counts them honest
    # (a validator with its double-sign guard off, a censor), to show the checker notices
    impostors: dict[int, frozenset[str]] = field(default_factory=dict)
    wire: bool = False  # consensus messages travel encoded
    # tests only: the machines' own time rule, when it differs from the one the checker holds
    # them to (a protocol that trusts any block time, to show the checker notices)
    machine_synchrony: Synchrony | None = None
    # tests only: a crippled protocol whose nodes ignore proposals of rounds below this one,
    # to show the liveness check notices a protocol that is slow but never stops
    ignore_proposals_below: int = 0

    @property
    def byzantine_nodes(self) -> frozenset[int]:
        return frozenset(self.byzantine_roles)

    @property
    def honest(self) -> frozenset[int]:
        return frozenset(range(self.validators)) - self.byzantine_nodes

    def power_vectors(self) -> list[tuple[int, ...]]:
        """The powers of every validator at genesis and after each set change."""
        powers = list(self.powers)
        vectors = [tuple(powers)]
        for _, index, power in sorted(self.set_changes):
            powers[index] = power
            vectors.append(tuple(powers))
        return vectors

    def with_(self, **changes: object) -> SimOptions:
        return replace(self, **changes)  # type: ignore[arg-type]

    def describe(self) -> list[str]:
        link = self.link
        roles = ", ".join(
            f"v{i}: {'+'.join(sorted(r))}" for i, r in sorted(self.byzantine_roles.items())
        )
        lines = [
            f"validators {self.validators} (powers {list(self.powers)}), "
            f"byzantine {self.byzantine} (f = {max_faulty(self.powers)}), heights {self.heights}",
            f"faults     {','.join(sorted(self.faults)) or 'none'}",
            f"links      latency {link.latency_min_ms}-{link.latency_max_ms} ms "
            f"+ jitter {link.jitter_ms}, drop {link.drop:.3f}, duplicate {link.duplicate:.3f}, "
            f"reorder {link.reorder:.3f}",
            f"partitions every ~{self.partition_every_ms} ms for {self.partition_ms} ms, "
            f"one-way {self.one_way_share:.2f}",
            f"crashes    every ~{self.crash_every_ms} ms, down {self.downtime_ms} ms, "
            f"at persistence steps {self.crash_point_share:.2f}",
            f"clocks     rates {list(self.skew_permille)} permille, offsets "
            f"{list(self.offset_ms)} ms",
            f"chaos      until half the heights (at most {CHAOS_CAP * self.chaos_ms} ms), "
            f"a tx every {self.tx_every_ms} ms",
            f"timeouts   propose {self.timeouts.propose_ms}+{self.timeouts.propose_delta_ms}r, "
            f"prevote {self.timeouts.prevote_ms}+{self.timeouts.prevote_delta_ms}r, precommit "
            f"{self.timeouts.precommit_ms}+{self.timeouts.precommit_delta_ms}r, "
            f"block interval {self.timeouts.new_height_ms} ms",
        ]
        if roles:
            lines.append(f"byzantine  {roles}")
        if self.set_changes:
            changes = ", ".join(f"h{h}: v{i}={p}" for h, i, p in self.set_changes)
            lines.append(f"set        changes {changes} (0: leaves; from 0: joins)")
        for i, r in sorted(self.impostors.items()):
            lines.append(f"UNSAFE     v{i} counted honest but misbehaves: {'+'.join(sorted(r))}")
        return lines


def derive(
    seed: int,
    *,
    validators: int = 4,
    byzantine: int = 0,
    heights: int = 10,
    faults: frozenset[str] = frozenset(),
) -> SimOptions:
    if validators < 1 or not 0 <= byzantine <= validators or heights < 1:
        raise ValueError("need validators >= 1, 0 <= byzantine <= validators, heights >= 1")
    rng = random.Random(f"coterie-sim/{seed}/options")
    n = validators
    powers = tuple([1] * n)
    if n >= 4 and rng.random() < 0.3:
        weighted = tuple(rng.randint(1, 4) for _ in range(n))
        if max_faulty(weighted) >= byzantine:
            powers = weighted
    # Byzantine: the weakest validators, so that byzantine <= f keeps their power under 1/3
    order = sorted(range(n), key=lambda i: (powers[i], rng.random()))
    chosen = order[:byzantine]
    wanted = [r for r in ROLES if r in faults and r != "bad-time"]
    roles: dict[int, set[str]] = {i: set() for i in chosen}
    if chosen:
        for k, role in enumerate(wanted):
            roles[chosen[k % len(chosen)]].add(role)
        for i in chosen:
            roles[i].update(r for r in wanted if rng.random() < 0.3)
        if "bad-time" in faults:  # its own stream: seeds without it replay as before
            timer = random.Random(f"coterie-sim/{seed}/bad-time")
            roles[chosen[0]].add("bad-time")
            roles.update({i: roles[i] | {"bad-time"} for i in chosen if timer.random() < 0.3})
    lat_min = rng.randint(1, 10)
    link = LinkProfile(
        latency_min_ms=lat_min,
        latency_max_ms=lat_min + rng.randint(5, 80),
        jitter_ms=rng.randint(0, 20),
        drop=rng.uniform(0.01, 0.2) if "drop" in faults else 0.0,
        duplicate=rng.uniform(0.01, 0.1) if "duplicate" in faults else 0.0,
        reorder=rng.uniform(0.01, 0.1) if "reorder" in faults else 0.0,
    )
    partitions = "partition" in faults or "asymmetric" in faults
    crashes = "crash" in faults or "crash-points" in faults
    skew = "skew" in faults
    changes: list[tuple[int, int, int]] = []
    if "set-changes" in faults:  # its own stream: seeds without it replay as before
        powers, changes = _set_changes(
            random.Random(f"coterie-sim/{seed}/set-changes"), powers, set(roles), heights
        )
    return SimOptions(
        seed=seed,
        validators=n,
        byzantine=byzantine,
        heights=heights,
        faults=frozenset(faults),
        powers=powers,
        byzantine_roles={i: frozenset(r) for i, r in roles.items()},
        link=link,
        partition_every_ms=rng.randint(1500, 8000) if partitions else 0,
        partition_ms=(rng.randint(200, 1000), rng.randint(1000, 6000)),
        one_way_share=rng.uniform(0.3, 1.0) if "asymmetric" in faults else 0.0,
        crash_every_ms=rng.randint(1500, 8000) if crashes else 0,
        downtime_ms=(rng.randint(50, 500), rng.randint(500, 5000)),
        crash_point_share=(
            (1.0 if "crash" not in faults else rng.uniform(0.3, 0.7))
            if "crash-points" in faults
            else 0.0
        ),
        skew_permille=tuple(rng.randint(900, 1100) if skew else 1000 for _ in range(n)),
        # honest clocks within `precision` of each other (what PBTS assumes of NTP); a Byzantine
        # proposer's clock is its own business (the `bad-time` role)
        offset_ms=tuple(rng.randint(-250, 250) if skew else 0 for _ in range(n)),
        chaos_ms=rng.randint(8_000, 40_000),
        tx_every_ms=rng.randint(300, 1500),
        timeouts=Timeouts.from_params(ConsensusParams()),
        synchrony=Synchrony.from_params(ConsensusParams()),
        set_changes=tuple(changes),
    )


def _set_changes(
    shaper: random.Random, powers: tuple[int, ...], byzantine: set[int], heights: int
) -> tuple[tuple[int, ...], list[tuple[int, int, int]]]:
    """Genesis powers and honest set changes through the ledger's update path: joins (a node
    outside the set gets power; half the runs with 5 or more honest nodes start one outside the
    genesis set), leaves (power 0) and growth, each kept only if the Byzantine power stays at or
    below f of the set it makes (so `byzantine <= f` holds at every height)."""
    current = list(powers)
    honest = [i for i in range(len(powers)) if i not in byzantine]
    held = sum(powers[i] for i in byzantine)

    def tolerable(candidate: list[int]) -> bool:
        members = sorted(p for p in candidate if p > 0)
        return len(members) > 0 and 3 * held < sum(members)

    changes: list[tuple[int, int, int]] = []
    if len(honest) >= 5 and shaper.random() < 0.5:
        joiner = shaper.choice(honest)
        trial = [0 if i == joiner else p for i, p in enumerate(current)]
        if tolerable(trial):
            current = trial
            powers = tuple(trial)
    height = shaper.randint(2, 5)
    while height <= heights:
        index = shaper.choice(honest)
        trial = list(current)
        if current[index] == 0:
            trial[index] = shaper.randint(1, 3)  # joins
        elif shaper.random() < 0.3:
            trial[index] = 0  # leaves
        else:
            trial[index] += shaper.randint(1, 3)
        if tolerable(trial):
            current = trial
            changes.append((height, index, trial[index]))
        height += shaper.randint(2, 6)
    return powers, changes
