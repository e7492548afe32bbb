"""What a peer sends after the handshake: each frame decoded within the limits, checked against
the session-only types and the peer's budget for its type, and routed (txs through the gossip's
dedup to the handler, every other type to the handler). A frame that breaks a rule penalizes its
sender (`node.p2p.scoring`); a handler that fails is logged, never the peer's fault."""

from __future__ import annotations

import logging
from collections.abc import Callable

from ledger.codec import MalformedError
from node.p2p.budget import PeerBudgets
from node.p2p.config import P2PConfig
from node.p2p.connection import PeerConnection
from node.p2p.gossip import TxGossip
from node.p2p.handler import PeerHandler
from node.p2p.messages import (
    SESSION_TYPES,
    MalformedMessageError,
    MessageType,
    OversizedMessageError,
    decode_frame,
    decode_txs,
)
from node.p2p.scoring import Penalty
from node.p2p.stats import P2PStats

log = logging.getLogger("node.p2p.manager")  # the manager's log, where these lines always were

Penalize = Callable[[bytes, int, str], None]  # peer, amount, reason


class Inbox:
    def __init__(
        self,
        config: P2PConfig,
        stats: P2PStats,
        *,
        budgets: PeerBudgets,
        gossip: TxGossip,
        handler: PeerHandler,
        penalize: Penalize,
    ) -> None:
        self.config = config
        self.stats = stats
        self._budgets = budgets
        self._gossip = gossip
        self._handler = handler
        self._penalize = penalize

    async def on_frame(self, conn: PeerConnection, frame: bytes) -> None:
        if conn.is_closing:
            return
        try:
            msg_type, payload = decode_frame(frame, self.config.limits)
        except OversizedMessageError as exc:
            self.stats.malformed_in += 1
            self.on_violation(conn, Penalty.OVERSIZED, str(exc))
            return
        except MalformedMessageError as exc:
            self.stats.malformed_in += 1
            self.on_violation(conn, Penalty.UNDECODABLE, str(exc))
            return
        self.stats.count_in(msg_type, len(frame))
        peer = conn.peer_id
        if msg_type in SESSION_TYPES:
            self.on_violation(conn, Penalty.PROTOCOL, f"{msg_type.name} after the handshake")
            return
        if not self._budgets.allow(peer, msg_type, len(frame)):
            self.stats.over_budget_in[msg_type] += 1
            self.on_violation(conn, Penalty.FLOOD, f"{msg_type.name} beyond its budget")
            return
        try:
            if msg_type is MessageType.TXS:
                await self._receive_txs(conn, payload)
            else:
                await self._handler.on_message(peer, msg_type, payload)
        except MalformedError as exc:
            self.on_violation(conn, Penalty.INVALID, f"invalid {msg_type.name}: {exc}")
        except Exception:
            log.exception("handler failed on %s from peer %s", msg_type.name, conn.label)

    async def _receive_txs(self, conn: PeerConnection, payload: bytes) -> None:
        peer = conn.peer_id
        try:
            txs = decode_txs(payload)
        except MalformedMessageError as exc:
            self.stats.malformed_in += 1
            self.on_violation(conn, Penalty.UNDECODABLE, str(exc))
            return
        self.stats.txs_in += len(txs)
        new = self._gossip.receive(peer, txs)
        if new:
            self.stats.txs_new += len(new)
            await self._handler.on_txs(peer, new)

    def on_violation(self, conn: PeerConnection, amount: int, reason: str) -> None:
        self._penalize(conn.peer_id, amount, reason)
