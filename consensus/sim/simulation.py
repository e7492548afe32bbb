"""A whole simulated network, run in two phases per seed (TigerBeetle's VOPR safety + liveness).

Phase 1, chaos: every fault the options allow, at random, while the checker watches safety. It
lasts until half the heights are committed (at most `CHAOS_CAP` times `chaos_ms`, if the faults
keep the chain from getting there).
Phase 2, heal: a core of honest validators holding more than 2/3 of the power is healed for good
(crashed core nodes restart, links among them become reliable, they crash no more); the others
stay as faulty as before. The core must then keep committing until every core node has
`heights` blocks, with two bounds derived from the timeouts:

- recovery: the core's lowest height rises within `liveness_bound_ms` of the heal (rounds
  reached, their spread, stragglers, gossip; the core may have to catch up first);
- then every height: once the core's lowest height is h - 1, it reaches h within k rounds at
  the timeouts of rounds 0 .. k - 1, plus the block interval and gossip slack, where
  k = (rounds until the first core proposer of height h) + 2: every non-core proposer (Byzantine,
  or honest but still faulty) may waste its round, the core proposer's round may fail once
  while the core's rounds converge, and the next core proposer's round commits. With every
  proposer in the core, k = 2.

The bounds on censorship and evidence are judged at the end (consensus.sim.checks).
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable

from consensus.messages import Proposal, encode_message
from consensus.sim.app import Censorship, TxFeed, World
from consensus.sim.bounds import gossip_slack_ms, height_bound_ms, liveness_bound_ms
from consensus.sim.byzantine import Byzantine, Coalition
from consensus.sim.checks import Checker, Violation
from consensus.sim.clock import EventQueue
from consensus.sim.disk import CrashPoint, Disk
from consensus.sim.network import Network, one_way_cut, split, symmetric_cut
from consensus.sim.node import SimNode
from consensus.sim.options import CHAOS_CAP, SimOptions, max_faulty
from consensus.sim.payloads import Payload, VerifyCache, Wire
from consensus.sim.report import Report, summarize
from consensus.sim.wiring import NodeConfig
from consensus.validators import ValidatorSet
from ledger.block import Vote
from ledger.hashing import digest
from ledger.keys import PrivateKey
from ledger.tx import SignedTx, Transfer, TxBody

log = logging.getLogger(__name__)

CHAIN_ID = "coterie-sim"
CHAOS_TICK_MS = 250
CLIENTS = 3  # tx senders; the last one is the client censoring proposers leave out


def validator_key(index: int) -> PrivateKey:
    return PrivateKey.from_secret(b"sim-validator-%d" % index)


class Simulation:
    def __init__(
        self,
        options: SimOptions,
        *,
        verifier: VerifyCache | None = None,
        disks: Callable[[int], Disk] | None = None,
    ) -> None:
        self.options = o = options
        seed = o.seed
        self.rng = random.Random(f"coterie-sim/{seed}/faults")
        self.queue = EventQueue()
        self.network = Network(o.validators, o.link, random.Random(f"coterie-sim/{seed}/net"))
        keys = [validator_key(i) for i in range(o.validators)]
        genesis_set = ValidatorSet.create(  # power 0: a node that joins later, if ever
            (k.public_key, p) for k, p in zip(keys, o.powers, strict=True) if p > 0
        )
        self.genesis_hash = digest(b"coterie-sim genesis %d" % seed)
        self.verifier = verifier or VerifyCache()
        clients = [PrivateKey.from_secret(b"sim-client-%d" % i) for i in range(CLIENTS)]
        self.world = World(
            self.genesis_hash,
            CHAIN_ID,
            genesis_set,
            self._feed(clients),
            self.verifier,
            changes=_changes(o, keys),
        )
        self.honest = o.honest  # what the checker holds to every property (impostors too)
        honest_offsets = [o.offset_ms[i] for i in sorted(self.honest)] or [0]
        self.checker = Checker(
            self.honest,
            o.validators,
            now_fn=self._now,
            offsets=(min(honest_offsets), max(honest_offsets)),
            synchrony=o.synchrony,
            powers_at=self._powers_at,
        )
        byzantine = {**o.byzantine_roles, **o.impostors}
        self.coalition = Coalition(
            frozenset(byzantine),
            sorted(set(range(o.validators)) - set(byzantine)),
            random.Random(f"coterie-sim/{seed}/coalition"),
        )
        censorship = Censorship(
            frozenset({clients[-1].public_key}),
            frozenset(keys[i].address.raw for i in byzantine),
        )
        self.nodes: list[SimNode] = []
        for i, key in enumerate(keys):
            roles = byzantine.get(i)
            behaviour = (
                Byzantine(roles, self.coalition, random.Random(f"coterie-sim/{seed}/byz/{i}"))
                if roles is not None
                else None
            )
            config = NodeConfig(
                o.timeouts,
                o.gossip_ms,
                o.skew_permille[i],
                o.offset_ms[i],
                censorship if roles and "censor" in roles else None,
                o.machine_synchrony or o.synchrony,
                o.ignore_proposals_below,
            )
            node = SimNode(
                i,
                key,
                world=self.world,
                queue=self.queue,
                checker=self.checker,
                transport=self,
                config=config,
                peers=o.validators,
                behaviour=behaviour,
                disk=disks(i) if disks is not None else None,
            )
            node.on_commit = self._on_commit
            self.nodes.append(node)
        self.core: frozenset[int] = frozenset()
        self.heal_time: int | None = None
        self.liveness_bound_ms = 0
        self.first_core_commit_after_heal: int | None = None
        self._core_done: set[int] = set()  # core nodes that stored the last height
        self._watch_height = 0
        self._watch_bound = 0
        self._watch_token: object | None = None
        self._armed: dict[int, CrashPoint] = {}  # crash points the chaos armed, per node
        # what the chaos did, for reports: (label, start ms, end ms or None when not known)
        self.faults: list[tuple[str, int, int | None]] = []

    def _now(self) -> int:
        return self.queue.now

    def _powers_at(self, height: int) -> dict[bytes, int]:
        return {v.address.raw: v.power for v in self.world.validators_at(height).validators}

    def _feed(self, clients: list[PrivateKey]) -> TxFeed:
        """Transfers submitted over the run, `tx_every_ms` apart, by rotating clients."""
        o = self.options
        rng = random.Random(f"coterie-sim/{o.seed}/txs")
        horizon = o.heights * 1100
        entries: list[tuple[int, SignedTx]] = []
        nonces = [0] * len(clients)
        time, i = rng.randint(0, o.tx_every_ms), 0
        while time < horizon and len(entries) < o.heights * 3:
            c = i % len(clients)
            body = TxBody(
                CHAIN_ID,
                clients[c].public_key,
                nonces[c],
                1,
                Transfer(clients[(c + 1) % len(clients)].address, 1 + rng.randrange(1000)),
            )
            entries.append((time, body.sign(clients[c], self.genesis_hash)))
            nonces[c] += 1
            i += 1
            time += rng.randint(1, 2 * o.tx_every_ms)
        return TxFeed(entries)

    # -- transport ---------------------------------------------------------------------------

    def send(self, src: int, dst: int, payload: Payload) -> None:
        if isinstance(payload, Proposal | Vote):
            if isinstance(payload, Vote):
                self.checker.on_wire(payload)
            if src in self.honest:
                self.checker.signed(src, payload)
            if self.options.wire:
                payload = _wire(payload)
        for delay in self.network.delays(src, dst):
            self.queue.after(delay, self.nodes[dst].receive, src, payload)

    def broadcast(self, src: int, payload: Payload) -> None:
        if isinstance(payload, Proposal | Vote):
            if isinstance(payload, Vote):
                self.checker.on_wire(payload)
            if src in self.honest:
                self.checker.signed(src, payload)  # every signature an honest node emits
            if self.options.wire:
                payload = _wire(payload)
        nodes, queue = self.nodes, self.queue
        now = queue.now
        args = (src, payload)
        fan = self.network.fan_out(src)
        if fan is not None:  # the common case, kept lean: one event per peer
            queue.fan_out(
                [
                    (now + fan[dst], node.receive, args)
                    for dst, node in enumerate(nodes)
                    if dst != src
                ]
            )
            return
        delays = self.network.delays
        for dst, node in enumerate(nodes):
            if dst != src:
                for delay in delays(src, dst):
                    queue.bucket(now + delay).append((node.receive, args))

    # -- running -----------------------------------------------------------------------------

    def run(self) -> Report:
        o = self.options
        for node in self.nodes:
            node.boot()
        if o.partition_every_ms or o.crash_every_ms:
            self.queue.after(CHAOS_TICK_MS, self._chaos_tick)
        checker = self.checker
        half = max(1, o.heights // 2)
        self.queue.run(lambda: not checker.ok or len(checker.chain) >= half, CHAOS_CAP * o.chaos_ms)
        if checker.ok:
            self._heal()
            if not self.core and o.byzantine <= max_faulty(o.powers):
                checker.fail("liveness", "no honest core holds more than 2/3 of the power")
            if self.core:
                deadline = self.queue.now + self.liveness_bound_ms * (o.heights + 2)
                self.queue.run(
                    lambda: not checker.ok or len(self._core_done) >= len(self.core), deadline
                )
                if not checker.violations and len(self._core_done) < len(self.core):
                    checker.fail("liveness", "the healed core did not reach the last height")
        checker.finish(
            self.world.feed,
            core=self.core,
            heal_time=self.heal_time,
            slack_ms=self._gossip_slack(),
            evidence_bound=2 * o.validators + 2,
        )
        return summarize(self)

    def _heal(self) -> None:
        o = self.options
        honest = sorted(o.honest)
        self.rng.shuffle(honest)
        vectors = o.power_vectors()

        def quorum(core: list[int]) -> bool:  # more than 2/3 of the power at every height
            return all(3 * sum(p[j] for j in core) > 2 * sum(p) for p in vectors)

        core: list[int] = []
        for i in honest:
            if quorum(core) and self.rng.random() < 0.5:
                break
            core.append(i)
        if not quorum(core):
            return  # no honest quorum: liveness cannot be asked for
        self.core = frozenset(core)
        self.heal_time = self.queue.now
        self.network.make_reliable(self.core)
        for i in self.core:
            node = self.nodes[i]
            if node.steps.plan is not None and node.steps.plan is self._armed.get(i):
                node.steps.plan = None  # chaos armed it; a test's own plan stays
            node.restart()
        rounds = [self.nodes[i].machine.round for i in self.core]
        self.liveness_bound_ms = self._liveness_bound(max(rounds), max(rounds) - min(rounds))
        self._watch_height = self._core_min_height()
        self._core_done = {i for i in self.core if self.nodes[i].disk.chain.height >= o.heights}
        self._watch_bound = self.liveness_bound_ms
        self._watch_deadline(self.liveness_bound_ms)

    def _liveness_bound(self, top_round: int, spread: int) -> int:
        """How long the healed core may go without its lowest height rising."""
        stragglers = self.options.validators - len(self.core)
        latency = self.network.max_latency_ms
        return liveness_bound_ms(self.options, latency, top_round, spread, stragglers)

    def _gossip_slack(self) -> int:
        return gossip_slack_ms(self.options, self.network.max_latency_ms)

    def _core_min_height(self) -> int:
        return min(self.nodes[i].disk.chain.height for i in self.core)

    def height_bound_ms(self, height: int) -> int:
        """How long the healed core may take to commit `height` once all of it has `height - 1`
        (module docstring): k rounds at the timeouts of rounds 0 .. k - 1, plus slack."""
        validators = self.world.validators_at(height)
        core_keys = {self.nodes[i].key.address for i in self.core}
        return height_bound_ms(self.options, self.network.max_latency_ms, validators, core_keys)

    def _watch_deadline(self, bound: int) -> None:
        self._watch_bound = bound
        self._watch_token = token = object()
        self.queue.after(bound, self._watchdog, token)

    def _watchdog(self, token: object) -> None:
        if token is not self._watch_token:
            return
        if len(self._core_done) >= len(self.core) or not self.checker.ok:
            return
        height = self._core_min_height()
        self.checker.fail(
            "liveness",
            f"the healed core {sorted(self.core)} did not commit height {height + 1} "
            f"within {self._watch_bound} ms",
        )

    def _on_commit(self, node: SimNode, height: int) -> None:
        if node.index in self.core:
            if self.first_core_commit_after_heal is None:
                self.first_core_commit_after_heal = self.queue.now
            if node.disk.chain.height >= self.options.heights:
                self._core_done.add(node.index)
            lowest = self._core_min_height()
            if lowest > self._watch_height and len(self._core_done) < len(self.core):
                self._watch_height = lowest  # all of the core has it: the next one is due
                self._watch_deadline(self.height_bound_ms(lowest + 1))

    # -- chaos -------------------------------------------------------------------------------

    def _chaos_tick(self) -> None:
        o, rng = self.options, self.rng
        if o.partition_every_ms and rng.random() < CHAOS_TICK_MS / o.partition_every_ms:
            self._partition()
        if o.crash_every_ms and rng.random() < CHAOS_TICK_MS / o.crash_every_ms:
            self._crash()
        self.queue.after(CHAOS_TICK_MS, self._chaos_tick)

    def _partition(self) -> None:
        o, rng = self.options, self.rng
        nodes = list(range(o.validators))
        if len(nodes) < 2:
            return
        a, b = split(nodes, rng)
        links = one_way_cut(a, b) if rng.random() < o.one_way_share else symmetric_cut(a, b)
        cut = self.network.partition(links)
        duration = rng.randint(*o.partition_ms)
        self.queue.after(duration, self.network.restore, cut)
        now = self.queue.now
        sep = "|" if len(cut) == 2 * len(a) * len(b) else "->"  # symmetric or one way
        label = "partition " + ",".join(map(str, a)) + sep + ",".join(map(str, b))
        self.faults.append((label, now, now + duration))

    def _crash(self) -> None:
        o, rng = self.options, self.rng
        candidates = [i for i in range(o.validators) if i not in self.core]
        if not candidates:
            return
        node = self.nodes[rng.choice(candidates)]
        if node.down:
            return
        downtime = rng.randint(*o.downtime_ms)
        if rng.random() < o.crash_point_share:
            plan = CrashPoint(node.steps.ops + rng.randint(0, 40), rng.random() < 0.5, downtime)
            node.crash_at(plan)
            self._armed[node.index] = plan
            self.faults.append((f"crash point armed node{node.index}", self.queue.now, None))
            return
        node.crash()
        self.queue.after(downtime, node.restart)
        self.faults.append((f"crash node{node.index}", self.queue.now, self.queue.now + downtime))

    def __repr__(self) -> str:
        return f"Simulation(seed={self.options.seed}, f={max_faulty(self.options.powers)})"


def _changes(o: SimOptions, keys: list[PrivateKey]) -> dict[int, dict[bytes, int]]:
    changes: dict[int, dict[bytes, int]] = {}
    for height, index, power in o.set_changes:
        changes.setdefault(height, {})[keys[index].public_key] = power
    return changes


def _wire(message: Proposal | Vote) -> Payload:
    return Wire(encode_message(message))


def run(options: SimOptions, *, verifier: VerifyCache | None = None) -> Report:
    return Simulation(options, verifier=verifier).run()


__all__ = ["Report", "Simulation", "Violation", "run"]
