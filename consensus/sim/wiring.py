"""What a simulated node is given by its simulation: settings and a transport (a Byzantine
node's behaviour is `consensus.sim.node.Behaviour`, as it acts on the node itself)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from consensus.sim.app import Censorship
from consensus.sim.payloads import Payload
from consensus.timeliness import Synchrony
from consensus.timeouts import Timeouts


class Transport(Protocol):
    def send(self, src: int, dst: int, payload: Payload) -> None: ...

    def broadcast(self, src: int, payload: Payload) -> None: ...


@dataclass(frozen=True, slots=True)
class NodeConfig:
    timeouts: Timeouts
    gossip_ms: int
    skew_permille: int = 1000  # local clock rate: 1100 runs 10% fast (timeouts expire sooner)
    offset_ms: int = 0  # local clock offset, seen in block timestamps and timeliness
    censorship: Censorship | None = None
    synchrony: Synchrony = field(default_factory=Synchrony)
    ignore_proposals_below: int = 0  # tests only: a crippled protocol
