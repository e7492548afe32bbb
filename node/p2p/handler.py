"""The interface between the P2P layer and the node runner.

The manager awaits each callback in the reading task of the peer it concerns, so messages of one
peer arrive in order, and a slow callback slows that peer down (TCP backpressure) rather than
buffering without bound. A callback should therefore be quick: hand heavy work (signature checks,
block execution) to a queue or a thread pool. Callbacks of different peers may interleave.

A callback that raises `MalformedError` (from `ledger.codec`, as every ledger decoder does) costs
the peer `Penalty.INVALID`; any other exception is logged with its traceback and the connection
stays up. For other misbehaviour the runner calls `PeerManager.penalize`.

Events of one peer are ordered: `on_peer_connected`, then messages, then `on_peer_disconnected`;
when a duplicate connection replaces an older one, the older one's disconnect comes first.
"""

from __future__ import annotations

from typing import Protocol

from node.p2p.messages import MessageType


class PeerHandler(Protocol):
    async def on_peer_connected(self, peer: bytes) -> None:
        """An authenticated peer is connected; `peer` is its node public key."""

    async def on_peer_disconnected(self, peer: bytes) -> None: ...

    async def on_message(self, peer: bytes, msg_type: MessageType, payload: bytes) -> None:
        """A message of any type but the handshake and TXS; `payload` is undecoded and within the
        size limit of its type."""

    async def on_txs(self, peer: bytes, txs: list[bytes]) -> None:
        """Txs of a batch that this node had not seen; each is an undecoded signed-tx encoding.
        Call `PeerManager.gossip_txs` with those the mempool admits to relay them."""


class BaseHandler:
    """A handler that ignores everything; subclass it and override what you need."""

    async def on_peer_connected(self, peer: bytes) -> None:
        return None

    async def on_peer_disconnected(self, peer: bytes) -> None:
        return None

    async def on_message(self, peer: bytes, msg_type: MessageType, payload: bytes) -> None:
        return None

    async def on_txs(self, peer: bytes, txs: list[bytes]) -> None:
        return None
