"""The runner's gossip: what it tells peers besides the machine's own broadcasts' order.

`RunnerGossip` is a part of `node.runner.Runner` (a mixin): our signed messages go out as soon as
they are durable (`_durable`, `_emit`); new evidence is gossiped (`_add_evidence`); once a second
a runner that made no progress broadcasts its STATUS and re-gossips pending evidence (`_tick`);
a peer at our height that reports an earlier round gets this height's round messages, at most one
bundle per peer per `HELP_INTERVAL` (`on_status`). docs/node.md, "The runner", says why.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from consensus.machine import ConsensusMachine
from consensus.messages import ConsensusMessage, Step
from ledger.block import DuplicateVoteEvidence
from node.chain import Chain
from node.evidence_pool import EvidencePool
from node.p2p.messages import MessageType
from node.pacing import StartGate
from node.wire import Net, Status, consensus_payload, encode_evidence

HELP_INTERVAL = 1.0  # at most one round-message bundle per peer per this many seconds


class RunnerGossip:
    """The runner's messages to peers: the runner's fields it reads are declared here."""

    machine: ConsensusMachine
    chain: Chain
    evidence: EvidencePool
    _net: Net
    _gate: StartGate
    _sent_early: set[bytes]  # signatures of messages sent once durable
    _helped: dict[bytes, float]  # peer -> when it last got a round-message bundle
    _marker: tuple[int, int, Step]  # where the machine was at the last tick

    if TYPE_CHECKING:  # the runner's own (node/runner.py) and its pacing's (node/runner_pacing.py)

        def status_message(self) -> Status: ...

        def _work_arrived(self) -> None: ...

    def on_status(self, peer: bytes, status: Status) -> None:
        """A peer at our height may lack this height's messages: send what we have."""
        if status.height != self.chain.height or self.machine.decided:
            return
        now = time.monotonic()
        if now - self._helped.get(peer, 0.0) < HELP_INTERVAL:
            return
        self._helped[peer] = now
        m = self.machine
        for round_ in sorted({status.round, status.round + 1, m.round, m.valid[0]}):
            if round_ >= 0:
                for message in m.round_messages(round_):
                    self._net.send(peer, *consensus_payload(message))

    def forget_peer(self, peer: bytes) -> None:
        self._helped.pop(peer, None)

    def _add_evidence(self, evidence: DuplicateVoteEvidence) -> None:
        if self.evidence.add(evidence):
            self._net.broadcast(MessageType.EVIDENCE, encode_evidence(evidence))
            self._work_arrived()

    def _emit(self, message: ConsensusMessage) -> None:
        self._net.broadcast(*consensus_payload(message))

    def _durable(self, message: ConsensusMessage) -> None:
        """Our signer made `message` durable: send it now, not after the machine's call (the
        `Broadcast` that follows is then skipped)."""
        if len(self._sent_early) > 64:
            self._sent_early.clear()  # only the current call's messages are ever looked up
        self._sent_early.add(message.signature)
        self._emit(message)

    def _tick(self) -> None:
        """Every second: when nothing moved since the last tick, tell peers where we are (they
        answer with this height's messages, or we learn we are behind); re-gossip evidence."""
        m = self.machine
        marker = (m.height, m.round, m.step)
        if marker == self._marker and self._gate.held is None:
            self._net.broadcast(MessageType.STATUS, self.status_message().encode())
            for evidence in self.evidence.pending():
                self._net.broadcast(MessageType.EVIDENCE, encode_evidence(evidence))
        self._marker = marker
