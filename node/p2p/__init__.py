"""Authenticated peer-to-peer messaging over aiohttp WebSockets (see docs/p2p.md).

The runner builds a `PeerManager` with this node's `Identity`, the allowlist of node keys, a
`PeerHandler` and the peers to dial, attaches it to an aiohttp app, and from then on sends with
`send`, `broadcast` and `gossip_txs` and reports misbehaviour with `penalize`.
"""

from node.p2p.config import P2PConfig, PeerAddress
from node.p2p.handler import BaseHandler, PeerHandler
from node.p2p.handshake import CloseCode, Direction, HandshakeError, Identity
from node.p2p.manager import PeerManager
from node.p2p.messages import (
    MalformedMessageError,
    MessageType,
    OversizedMessageError,
    message_limits,
)
from node.p2p.scoring import Penalty
from node.p2p.stats import P2PStats

__all__ = [
    "BaseHandler",
    "CloseCode",
    "Direction",
    "HandshakeError",
    "Identity",
    "MalformedMessageError",
    "MessageType",
    "OversizedMessageError",
    "P2PConfig",
    "P2PStats",
    "PeerAddress",
    "PeerHandler",
    "PeerManager",
    "Penalty",
    "message_limits",
]
