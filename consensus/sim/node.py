"""One simulated validator: the driver around a `ConsensusMachine`, as the node's runner will be.

It does what docs/consensus.md asks of a driver: carries out the machine's actions, logs every
input the machine admits and every own message in the consensus WAL (own messages with a sync
before they leave),
stores decided blocks, starts the next height, stashes messages for later heights, gossips
evidence, and helps peers that lag (blocks and commits for a peer behind in heights, a round's
messages for a peer behind in rounds). A node that sees no progress for a gossip interval says
so (`Status`), and its peers answer.

What survives a crash is the node's `Disk`: the sign-state store, the WAL (less its unsynced
tail), the block store and the evidence pool. Everything else is rebuilt on restart, and the
current height is replayed from the WAL (consensus.wal_replay.replay).

Crash points (consensus.sim.disk): every persistence step is numbered per node, and
`crash_at(CrashPoint(i, after))` makes the node crash just before or just after its step i.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Protocol

from consensus.actions import Action, Broadcast, Decide, EvidenceFound, ScheduleTimeout
from consensus.errors import EvidenceError
from consensus.evidence import verify_evidence
from consensus.machine import ConsensusMachine
from consensus.messages import ConsensusMessage, Proposal, Step, decode_message
from consensus.signer import Signer
from consensus.sim import peers
from consensus.sim.app import SimApp, World
from consensus.sim.checks import Checker
from consensus.sim.clock import EventQueue
from consensus.sim.disk import CrashPoint, CrashPoints, Disk, SimulatedCrashError
from consensus.sim.payloads import Bundle, CatchUp, EvidenceGossip, Payload, Status
from consensus.sim.stash import Stash
from consensus.sim.wiring import NodeConfig, Transport
from consensus.wal import EndHeight, Received, Sent, TimeoutFired
from consensus.wal_replay import replay
from consensus.wal_signer import JournaledSigner
from ledger.block import Block, Commit, DuplicateVoteEvidence, Vote
from ledger.codec import MalformedError
from ledger.keys import PrivateKey

log = logging.getLogger(__name__)


class Behaviour(Protocol):
    """How a Byzantine node deviates: it sends its own messages its way, and acts on ticks."""

    def outgoing(self, node: SimNode, message: ConsensusMessage) -> None: ...

    def tick(self, node: SimNode) -> None: ...


class SimNode:
    def __init__(
        self,
        index: int,
        key: PrivateKey,
        *,
        world: World,
        queue: EventQueue,
        checker: Checker,
        transport: Transport,
        config: NodeConfig,
        peers: int,
        behaviour: Behaviour | None = None,
        disk: Disk | None = None,
    ) -> None:
        self.index = index
        self.key = key
        self.world = world
        self.queue = queue
        self.checker = checker
        self.transport = transport
        self.config = config
        self.peers = peers
        self.behaviour = behaviour
        self.disk = disk or Disk()
        self.down = True
        self.incarnation = 0
        self.steps = CrashPoints(self.disk, lambda: self.machine.height)
        self.wal = self.steps.wal
        self.signer: JournaledSigner | None = None
        self.stash = Stash(peers)
        self.counters: dict[str, int] = {}
        self.on_commit: Callable[[SimNode, int], None] | None = None
        self._marker: tuple[int, int, Step] = (0, 0, Step.NEW_HEIGHT)
        self.app = self._new_app()
        self.machine = self._new_machine(None)

    # -- lifecycle ---------------------------------------------------------------------------

    def boot(self) -> None:
        """First start of a brand-new chain (the sign state is created)."""
        self._start(new_chain=True)

    def restart(self) -> None:
        if self.down:
            self.count("restarts")
            self._start(new_chain=False)

    def crash(self) -> None:
        """Power off: the WAL loses its unsynced tail, everything not on `disk` is gone."""
        if self.down:
            return
        self.down = True
        self.incarnation += 1
        self.disk.power_cut()
        self.stash.clear()
        self.count("crashes")

    def crash_at(self, point: CrashPoint) -> None:
        self.steps.plan = point

    def _start(self, *, new_chain: bool) -> None:
        self.down = False
        self.incarnation += 1
        try:
            self.signer = JournaledSigner(
                self.key,
                self.world.genesis_hash,
                self.steps.store,
                self.wal,
                new_chain=new_chain or not self.disk.initialized,
            )
            self.disk.initialized = True
            self.app = self._new_app()
            self.machine = self._new_machine(self.signer)
            height = self.disk.chain.height + 1
            result = replay(
                self.machine,
                self.wal.records(),
                height,
                self.world.validators_at(height),
                delay_ms=self._start_delay(height),
            )
            for message in result.resend:
                self._emit(message)
            self._apply(result.actions)
            self._marker = (0, 0, Step.NEW_HEIGHT)
            self.queue.after(self._local(self.config.gossip_ms), self._tick, self.incarnation)
            if not new_chain:
                self.transport.broadcast(self.index, Status(height, self.machine.round))
        except SimulatedCrashError as error:
            self._crashed(error)

    def _new_app(self) -> SimApp:
        return SimApp(
            self.world,
            self.key.address,
            self.disk.chain,
            self.disk.pool,
            self._clock,
            censor=self.config.censorship,
            on_build=lambda block, now: self.checker.built(self.index, block, now),
        )

    def _new_machine(self, signer: Signer | None) -> ConsensusMachine:
        return ConsensusMachine(
            self.world.genesis_hash,
            self.app,
            self.config.timeouts,
            signer=signer,
            verifier=self.world.verifier,
            synchrony=self.config.synchrony,
            journal=self._journal,
        )

    def _journal(self, message: ConsensusMessage, at_ms: int | None) -> None:
        """What the machine admits goes to the WAL before it counts (and nothing else)."""
        self.wal.append(Received(message, at_ms))

    def _start_delay(self, height: int) -> int:
        return 0 if height == 1 else self.config.timeouts.new_height_ms

    def _crashed(self, error: SimulatedCrashError) -> None:
        self.count("crash-points")
        self.crash()
        self.queue.after(error.point.downtime_ms, self.restart)

    # -- inputs ------------------------------------------------------------------------------

    def receive(self, src: int, payload: Payload) -> None:
        if self.down:
            return
        try:
            if isinstance(payload, (Vote, Proposal)):
                self._consensus(src, payload)
            elif isinstance(payload, Status):
                self._on_status(src, payload)
            elif isinstance(payload, Bundle):
                self._on_bundle(src, payload)
            elif isinstance(payload, CatchUp):
                self._on_catchup(payload)
            elif isinstance(payload, EvidenceGossip):
                self._on_evidence(payload.evidence)
            else:
                self._on_wire(src, payload.data)
        except SimulatedCrashError as error:
            self._crashed(error)

    def _on_bundle(self, src: int, bundle: Bundle) -> None:
        for message in bundle.messages:
            self._consensus(src, message)
            if self.down:
                return

    def _consensus(self, src: int, message: ConsensusMessage) -> None:
        machine = self.machine
        height, current = message.height, machine.height
        if height != current or machine.decided:
            if height > current:
                self.stash.add(current, src, message)
            elif height >= current - 1 and type(message) is Vote:
                self._apply(machine.on_vote(message))  # late: only ever evidence
            return
        if isinstance(message, Vote):
            actions = machine.on_vote(message)
        elif message.round < self.config.ignore_proposals_below:
            return
        else:
            self.checker.seen(self.index, message.block_hash)
            actions = machine.on_proposal(message, now_ms=self._clock()[1])
        if actions:
            self._apply(actions)

    def _fire(self, incarnation: int, height: int, round_: int, step: Step) -> None:
        machine = self.machine
        if self.down or incarnation != self.incarnation:
            return
        if not machine.timeout_matters(height, round_):
            return  # stale: not worth a WAL record
        try:
            self.wal.append(TimeoutFired(height, round_, step))
            self._apply(machine.on_timeout(height, round_, step))
        except SimulatedCrashError as error:
            self._crashed(error)

    def _on_wire(self, src: int, data: bytes) -> None:
        try:
            message = decode_message(data)
        except MalformedError:
            self.count("malformed")
            return
        self._consensus(src, message)

    # -- actions -----------------------------------------------------------------------------

    def _apply(self, actions: list[Action]) -> None:
        for a in actions:
            if isinstance(a, Broadcast):
                message = a.message
                signer = self.signer
                if signer is None or not signer.journaled(message):
                    self.wal.append(Sent(message), sync=True)
                self._emit(message)
            elif isinstance(a, ScheduleTimeout):
                self.queue.after(
                    self._local(a.delay_ms), self._fire, self.incarnation, a.height, a.round, a.step
                )
            elif isinstance(a, Decide):
                self.checker.decided(self.index, a.height, a.round, a.block)
                self._commit(a.block, a.commit)
            elif isinstance(a, EvidenceFound):
                self.checker.evidence_exposed(a.evidence)
                self._add_evidence(a.evidence)
            else:
                self.count("rejected")

    def _emit(self, message: ConsensusMessage) -> None:
        self.count("signed")
        if self.behaviour is not None:
            self.behaviour.outgoing(self, message)
        else:
            self.transport.broadcast(self.index, message)

    def _commit(self, block: Block, commit: Commit) -> None:
        chain = self.disk.chain
        prev = chain.blocks[-1] if chain.blocks else None
        self.steps.step("block", lambda: chain.append(block, commit))
        root = self.app.commit(block)
        self.checker.committed(self.index, block, prev, root)
        height = block.header.height
        self.wal.append(EndHeight(height), sync=True)
        for e in block.evidence:
            self.disk.pool.items.pop(e.hash(), None)
        if self.on_commit is not None:
            self.on_commit(self, height)
        self._enter(height + 1)

    def _enter(self, height: int) -> None:
        validators = self.world.validators_at(height)
        self._apply(self.machine.on_start(height, validators, delay_ms=self._start_delay(height)))
        self.stash.forget_below(height)
        if height in self.stash:
            self.queue.after(0, self._drain, self.incarnation, height)

    def _drain(self, incarnation: int, height: int) -> None:
        if self.down or incarnation != self.incarnation:
            return
        try:
            for src, message in self.stash.take(height):
                self._consensus(src, message)
        except SimulatedCrashError as error:
            self._crashed(error)

    # -- evidence, gossip, catch-up ----------------------------------------------------------

    def _add_evidence(self, evidence: DuplicateVoteEvidence) -> None:
        if evidence.hash() in self.app.state.evidence:
            return
        if self.disk.pool.add(evidence):
            self.checker.evidence_pooled(self.index, evidence)
            self.transport.broadcast(self.index, EvidenceGossip(evidence))

    def _on_evidence(self, evidence: DuplicateVoteEvidence) -> None:
        key = evidence.hash()
        if key in self.disk.pool.items or key in self.app.state.evidence:
            return
        if evidence.vote_a.height > self.machine.height:
            return  # cannot judge it yet; it is gossiped again
        if self._verified(evidence):
            self._add_evidence(evidence)

    def _verified(self, evidence: DuplicateVoteEvidence) -> bool:
        try:
            verify_evidence(
                self.world.validators_at(evidence.vote_a.height),
                self.world.genesis_hash,
                evidence,
                verifier=self.world.verifier,
            )
        except EvidenceError:
            self.count("bad-evidence")
            return False
        return True

    def _tick(self, incarnation: int) -> None:
        if self.down or incarnation != self.incarnation:
            return
        machine = self.machine
        marker = (machine.height, machine.round, machine.step)
        if marker == self._marker:
            self.count("stuck")
            self.transport.broadcast(self.index, Status(machine.height, machine.round))
        self._marker = marker
        for key, evidence in self.disk.pool.items.items():
            if key not in self.app.state.evidence:
                self.transport.broadcast(self.index, EvidenceGossip(evidence))
        self.checker.memory(self.index, machine)
        if self.behaviour is not None:
            try:
                self.behaviour.tick(self)
            except SimulatedCrashError as error:
                self._crashed(error)
                return
        self.queue.after(self._local(self.config.gossip_ms), self._tick, incarnation)

    def _on_status(self, src: int, status: Status) -> None:
        reply = peers.answer(status, self.machine, self.disk.chain)
        if reply is not None:
            self.transport.send(self.index, src, reply)

    def _on_catchup(self, payload: CatchUp) -> None:
        world = self.world
        for block, commit in payload.blocks:
            height = block.header.height
            if height != self.machine.height or self.down:
                continue
            if not world.commit_ok(height, world.block_hash(block), commit):
                self.count("bad-catchup")
                return
            if not self.app.validate(block):
                self.count("bad-catchup")
                return
            self.count("caught-up")
            self.checker.decided(self.index, height, commit.round, block)
            self._commit(block, commit)

    # -- helpers -----------------------------------------------------------------------------

    def _local(self, delay_ms: int) -> int:
        """Virtual ms for `delay_ms` of this node's (skewed) clock."""
        return -(-delay_ms * 1000 // self.config.skew_permille)

    def _clock(self) -> tuple[int, int]:
        """(virtual now, this node's clock reading). The reading is off by a constant offset
        only: real clocks are kept within `precision` of each other (NTP); the rate skew stands
        for timers firing early or late, and so applies to timeouts only."""
        now = self.queue.now
        return now, now + self.config.offset_ms

    def count(self, name: str, by: int = 1) -> None:
        self.counters[name] = self.counters.get(name, 0) + by
