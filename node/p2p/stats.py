"""Counters of the P2P layer, read by the metrics endpoint (Prometheus exposition comes later).

Plain attributes updated in place on the event loop; cheap enough for every message.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from node.p2p.messages import MessageType


@dataclass(slots=True)
class P2PStats:
    peers: int = 0  # authenticated connections now
    messages_in: Counter[MessageType] = field(default_factory=Counter)
    bytes_in: Counter[MessageType] = field(default_factory=Counter)
    messages_out: Counter[MessageType] = field(default_factory=Counter)
    bytes_out: Counter[MessageType] = field(default_factory=Counter)
    dropped_out: Counter[MessageType] = field(default_factory=Counter)  # drop-oldest on full queue
    over_budget_in: Counter[MessageType] = field(default_factory=Counter)  # dropped: peer budget
    txs_in: int = 0  # txs received in batches, new or not
    txs_new: int = 0  # of those, not seen before: handed to the handler
    txs_out: int = 0
    malformed_in: int = 0
    unauthenticated_in: int = 0  # frames that failed the session's authentication
    connections_opened: int = 0
    handshakes_refused: Counter[str] = field(default_factory=Counter)  # by close-code name
    disconnects: Counter[str] = field(default_factory=Counter)  # by close-code name
    penalties: int = 0
    bans: int = 0

    def count_in(self, msg_type: MessageType, size: int) -> None:
        self.messages_in[msg_type] += 1
        self.bytes_in[msg_type] += size

    def count_out(self, msg_type: MessageType, size: int) -> None:
        self.messages_out[msg_type] += 1
        self.bytes_out[msg_type] += size
