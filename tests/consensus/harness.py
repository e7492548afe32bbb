"""A tiny deterministic router for story tests: N machines, a virtual clock, no randomness.

Not the simulator (that comes with consensus/sim): every message takes 1 virtual ms, in send order;
`rules` decide per message whether it is delivered, dropped or held (to be released later), and
offline nodes neither receive nor fire timers. Messages for a height a node has not reached yet are
stashed and delivered when it gets there, as gossip would re-send them.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial

from consensus.actions import (
    Action,
    Broadcast,
    Decide,
    EvidenceFound,
    Rejected,
    ScheduleTimeout,
)
from consensus.commit import verify_commit
from consensus.errors import CommitError
from consensus.machine import ConsensusMachine
from consensus.messages import ConsensusMessage, Proposal, Step
from consensus.signer import MemorySignStateStore, Signer
from consensus.timeouts import Timeouts
from consensus.validators import ValidatorSet
from ledger.block import Block, Commit, DuplicateVoteEvidence, Header, Vote, VoteType, tx_root
from ledger.hashing import ZERO_HASH, digest
from ledger.keys import PrivateKey
from ledger.merkle_list import merkle_list_root

GENESIS_HASH = digest(b"coterie consensus story tests")
CHAIN_ID = "coterie-test"
FAST = Timeouts(
    propose_ms=40,
    propose_delta_ms=10,
    prevote_ms=20,
    prevote_delta_ms=10,
    precommit_ms=20,
    precommit_delta_ms=10,
    new_height_ms=10,
)
LATENCY_MS = 1

Verdict = str  # "deliver", "drop" or "hold"


def receive(machine: ConsensusMachine, proposal: Proposal, clock_error_ms: int = 0) -> list[Action]:
    """Hand `proposal` to `machine` as a node whose clock reads the block's time (the story
    tests' clocks agree with every proposer) plus `clock_error_ms`."""
    return machine.on_proposal(proposal, now_ms=proposal.block.header.time_ms + clock_error_ms)


def validator_keys(n: int) -> list[PrivateKey]:
    return [PrivateKey.from_secret(f"validator-{i}".encode()) for i in range(n)]


def raw_vote(
    key: PrivateKey, vote_type: VoteType, height: int, round_: int, block_hash: bytes
) -> Vote:
    """A vote signed without any guard, as a Byzantine validator would."""
    message = Vote.sign_bytes_for(GENESIS_HASH, vote_type, height, round_, block_hash)
    return Vote(vote_type, height, round_, block_hash, key.address, key.sign(message))


class ChainApp:
    """Empty blocks chained by hash; validates the header chain and the last commit."""

    def __init__(self, key: PrivateKey, validators_at: Callable[[int], ValidatorSet]) -> None:
        self.key = key
        self.validators_at = validators_at
        self.blocks: list[Block] = []
        self.commits: list[Commit] = []
        self.validated = 0

    def propose(self, height: int, round_: int) -> Block:
        last_commit = self.commits[-1] if self.commits else None
        vals = self.validators_at(height)
        header = Header(
            chain_id=CHAIN_ID,
            height=height,
            time_ms=height * 1000 + round_,
            prev_block_hash=self.blocks[-1].hash() if self.blocks else ZERO_HASH,
            last_commit_hash=last_commit.hash() if last_commit else ZERO_HASH,
            tx_root=tx_root(()),
            evidence_root=merkle_list_root([]),
            state_root=ZERO_HASH,
            validators_hash=vals.hash(),
            next_validators_hash=vals.hash(),
            proposer=self.key.address,
        )
        return Block(header, (), (), last_commit)

    def validate(self, block: Block) -> bool:
        self.validated += 1
        h = block.header
        if h.chain_id != CHAIN_ID or h.height != len(self.blocks) + 1:
            return False
        if block.body_error() is not None:
            return False
        if h.validators_hash != self.validators_at(h.height).hash():
            return False
        if not self.blocks:
            return h.prev_block_hash == ZERO_HASH and block.last_commit is None
        prev = self.blocks[-1]
        if h.prev_block_hash != prev.hash() or block.last_commit is None:
            return False
        try:
            verify_commit(
                self.validators_at(h.height - 1),
                GENESIS_HASH,
                prev.hash(),
                block.last_commit,
                height=h.height - 1,
            )
        except CommitError:
            return False
        return True

    def commit(self, block: Block, commit: Commit) -> None:
        assert block.header.height == len(self.blocks) + 1
        self.blocks.append(block)
        self.commits.append(commit)


@dataclass
class Node:
    name: str
    key: PrivateKey
    store: MemorySignStateStore
    machine: ConsensusMachine
    app: ChainApp
    online: bool = True
    decisions: dict[int, tuple[int, bytes]] = field(default_factory=dict)  # h -> (round, hash)
    sent: list[ConsensusMessage] = field(default_factory=list)
    evidence: list[DuplicateVoteEvidence] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)
    stash: list[tuple[Node, ConsensusMessage]] = field(default_factory=list)

    def sent_votes(self, vote_type: VoteType, height: int, round_: int) -> list[Vote]:
        return [
            m
            for m in self.sent
            if isinstance(m, Vote) and (m.type, m.height, m.round) == (vote_type, height, round_)
        ]


Rule = Callable[[Node, Node, ConsensusMessage], Verdict | None]


class Net:
    def __init__(
        self,
        powers: list[int] | None = None,
        *,
        n: int = 4,
        timeouts: Timeouts = FAST,
        stop_height: int = 3,
    ) -> None:
        powers = powers or [1] * n
        keys = validator_keys(len(powers))
        self.genesis_set = ValidatorSet.create(
            (k.public_key, p) for k, p in zip(keys, powers, strict=True)
        )
        self.timeouts = timeouts
        self.stop_height = stop_height
        self.now = 0
        self.rules: list[Rule] = []
        self.held: list[tuple[Node, Node, ConsensusMessage]] = []
        self._queue: list[tuple[int, int, Callable[[], None]]] = []
        self._seq = 0
        self._sets: dict[int, ValidatorSet] = {1: self.genesis_set}
        by_address = {k.address: k for k in keys}
        self.nodes = [
            self._make_node(i, by_address[v.address])
            for i, v in enumerate(self.genesis_set.validators)
        ]

    # -- construction ------------------------------------------------------------------------

    def validators_at(self, height: int) -> ValidatorSet:
        while height not in self._sets:
            top = max(self._sets)
            self._sets[top + 1] = self._sets[top].advance(1)
        return self._sets[height]

    def proposer(self, height: int, round_: int) -> Node:
        address = self.validators_at(height).proposer(round_).address
        return next(n for n in self.nodes if n.key.address == address)

    def _make_node(self, index: int, key: PrivateKey) -> Node:
        store = MemorySignStateStore()
        signer = Signer(key, GENESIS_HASH, store, new_chain=True)
        app = ChainApp(key, self.validators_at)
        machine = ConsensusMachine(GENESIS_HASH, app, self.timeouts, signer=signer)
        return Node(f"v{index}", key, store, machine, app)

    def restart(self, node: Node) -> None:
        """Replace the node's machine as after a crash: a new signer over the same store."""
        signer = Signer(node.key, GENESIS_HASH, node.store)
        node.machine = ConsensusMachine(GENESIS_HASH, node.app, self.timeouts, signer=signer)

    # -- running -----------------------------------------------------------------------------

    def start(self, *nodes: Node) -> None:
        for node in nodes or tuple(self.nodes):
            if node.online:
                height = len(node.app.blocks) + 1
                self.apply(node, node.machine.on_start(height, self.validators_at(height)))

    def regossip(self, node: Node) -> None:
        """Peers re-send what they sent at the node's height, as gossip does for a rejoiner."""
        for peer in self.nodes:
            if peer is not node and peer.online:
                for message in peer.sent:
                    if message.height == node.machine.height:
                        self.send(peer, node, message)

    def resume(self, stop_height: int) -> None:
        """Raise the stop height and start the next height on nodes that stopped at the old one."""
        self.stop_height = stop_height
        for node in self.nodes:
            if node.online and node.machine.decided:
                self._next_height(node)

    def at(self, delay_ms: int, fn: Callable[[], None]) -> None:
        self._seq += 1
        heapq.heappush(self._queue, (self.now + delay_ms, self._seq, fn))

    def run(self, until: Callable[[], bool], max_ms: int = 20_000) -> bool:
        while self._queue and not until():
            t, _, fn = heapq.heappop(self._queue)
            if t > max_ms:
                heapq.heappush(self._queue, (t, 0, fn))
                return False
            self.now = t
            fn()
        return until()

    def apply(self, node: Node, actions: list[Action]) -> None:
        for action in actions:
            if isinstance(action, Broadcast):
                node.sent.append(action.message)
                for dst in self.nodes:
                    if dst is not node:
                        self.send(node, dst, action.message)
            elif isinstance(action, ScheduleTimeout):
                self.at(action.delay_ms, self._timer(node, action))
            elif isinstance(action, Decide):
                self._decide(node, action)
            elif isinstance(action, EvidenceFound):
                node.evidence.append(action.evidence)
            else:
                node.rejected.append(action)

    def send(self, src: Node, dst: Node, message: ConsensusMessage) -> None:
        self.at(LATENCY_MS, partial(self.deliver, src, dst, message))

    def deliver(self, src: Node, dst: Node, message: ConsensusMessage) -> None:
        if not dst.online:
            return
        verdict: Verdict | None = None
        for rule in self.rules:
            verdict = rule(src, dst, message)
            if verdict is not None:
                break
        if verdict == "drop":
            return
        if verdict == "hold":
            self.held.append((src, dst, message))
            return
        machine = dst.machine
        if message.height > machine.height or (
            message.height == machine.height and machine.decided
        ):
            if message.height > machine.height:
                dst.stash.append((src, message))
            return
        if isinstance(message, Proposal):
            self.apply(dst, receive(machine, message))
        else:
            self.apply(dst, machine.on_vote(message))

    def release(self, predicate: Callable[[Node, Node, ConsensusMessage], bool]) -> None:
        keep = []
        for src, dst, message in self.held:
            if predicate(src, dst, message):
                self.at(0, partial(self._deliver_released, src, dst, message))
            else:
                keep.append((src, dst, message))
        self.held = keep

    def _deliver_released(self, src: Node, dst: Node, message: ConsensusMessage) -> None:
        rules, self.rules = self.rules, []
        try:
            self.deliver(src, dst, message)
        finally:
            self.rules = rules

    def _timer(self, node: Node, action: ScheduleTimeout) -> Callable[[], None]:
        machine = node.machine

        def fire() -> None:
            if node.online and node.machine is machine:
                self.apply(node, machine.on_timeout(action.height, action.round, action.step))

        return fire

    def _decide(self, node: Node, action: Decide) -> None:
        node.decisions[action.height] = (action.round, action.block.hash())
        node.app.commit(action.block, action.commit)
        if action.height < self.stop_height:
            self._next_height(node)

    def _next_height(self, node: Node) -> None:
        height = node.machine.height + 1
        vals = self.validators_at(height)
        self.apply(node, node.machine.on_start(height, vals, delay_ms=self.timeouts.new_height_ms))
        stash, node.stash = node.stash, []
        for src, message in stash:
            self.at(0, partial(self.deliver, src, node, message))

    # -- checks ------------------------------------------------------------------------------

    def all_decided(self, height: int, nodes: list[Node] | None = None) -> Callable[[], bool]:
        group = nodes if nodes is not None else [n for n in self.nodes if n.online]
        return lambda: all(height in n.decisions for n in group)

    def assert_no_fork(self) -> None:
        by_height: dict[int, set[bytes]] = {}
        for node in self.nodes:
            for height, (_round, block_hash) in node.decisions.items():
                by_height.setdefault(height, set()).add(block_hash)
        forks = {h: hashes for h, hashes in by_height.items() if len(hashes) > 1}
        assert not forks, f"different blocks decided at heights {sorted(forks)}"


def step_of(message: ConsensusMessage) -> Step:
    if isinstance(message, Proposal):
        return Step.PROPOSE
    return Step.PREVOTE if message.type == VoteType.PREVOTE else Step.PRECOMMIT
