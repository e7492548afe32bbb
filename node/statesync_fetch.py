"""The joiner's side of state sync on the P2P layer: ask peers, await their answers.

`PeerFetcher` is the `PeerHandler` of the short-lived `PeerManager` a joining node runs before it
starts (node/statesync_peers.py). It asks every peer that connects for its snapshot offers, and
turns a request (a chunk, or a block with its commit) into an awaitable answer of one peer,
with a timeout. An answer nobody asked for costs its peer as in block sync; a block response
that does not decode or whose commit is not for its block gets its peer banned. Everything else
the peers send (votes, proposals, txs, status) is not for a node that is not running yet and is
dropped unread.
"""

from __future__ import annotations

import asyncio
import logging

from ledger.codec import MalformedError
from node.p2p import BaseHandler, MessageType, PeerManager
from node.statesync_wire import ChunkRequest, ChunkResponse, SnapshotOffer, decode_offers
from node.sync_peers import UNSOLICITED_PENALTY, peek_height
from node.wire import BlockRequest, BlockResponse, Status

log = logging.getLogger(__name__)


class PeerGoneError(RuntimeError):
    """The peer disconnected (or was banned) before it answered."""


class PeerFetcher(BaseHandler):
    """Bound to its `PeerManager` with `bind` before the manager starts."""

    _net: PeerManager

    def __init__(self, max_block_bytes: int) -> None:
        self._max_block_bytes = max_block_bytes
        self.offers: dict[bytes, list[SnapshotOffer]] = {}
        self.heights: dict[bytes, int] = {}
        self.banned: dict[bytes, str] = {}
        self.offers_changed = asyncio.Event()
        self._chunks: dict[tuple[bytes, int, int], asyncio.Future[bytes]] = {}
        self._blocks: dict[tuple[bytes, int], asyncio.Future[BlockResponse]] = {}

    def bind(self, net: PeerManager) -> None:
        self._net = net

    @property
    def peers(self) -> list[bytes]:
        """Connected peers that are not banned."""
        return [p for p in self._net.peers if p not in self.banned]

    def usable_offers(self) -> dict[bytes, list[SnapshotOffer]]:
        """The offers of the peers not banned."""
        return {p: o for p, o in self.offers.items() if p not in self.banned}

    def ask_again(self) -> None:
        """Forget the offers and ask every usable peer for its offers again."""
        self.offers.clear()
        for peer in self.peers:
            self._net.send(peer, MessageType.SNAPSHOTS_REQUEST, b"\x90")

    def ban(self, peer: bytes, reason: str) -> None:
        """Refuse the peer for the rest of the sync and, through the P2P scores, its ban time."""
        if peer in self.banned:
            return
        self.banned[peer] = reason
        log.warning("state sync: banned peer %s: %s", peer.hex()[:12], reason)
        self._net.ban(peer, f"state sync: {reason}")
        self._fail(peer)

    # -- requests ----------------------------------------------------------------------------

    async def chunk(self, peer: bytes, height: int, index: int, timeout: float) -> bytes:
        """Chunk `index` of the snapshot at `height` as `peer` sends it (b"": it has none)."""
        key = (peer, height, index)
        future = self._chunks[key] = asyncio.get_running_loop().create_future()
        try:
            if not self._net.send(
                peer, MessageType.CHUNK_REQUEST, ChunkRequest(height, index).encode()
            ):
                raise PeerGoneError("not connected")
            return await asyncio.wait_for(future, timeout)
        finally:
            self._chunks.pop(key, None)

    async def block(self, peer: bytes, height: int, timeout: float) -> BlockResponse:
        """Block `height` with its commit as `peer` sends it (checked to belong together)."""
        key = (peer, height)
        future = self._blocks[key] = asyncio.get_running_loop().create_future()
        try:
            if not self._net.send(peer, MessageType.BLOCK_REQUEST, BlockRequest(height).encode()):
                raise PeerGoneError("not connected")
            return await asyncio.wait_for(future, timeout)
        finally:
            self._blocks.pop(key, None)

    # -- PeerHandler -------------------------------------------------------------------------

    async def on_peer_connected(self, peer: bytes) -> None:
        self._net.send(peer, MessageType.SNAPSHOTS_REQUEST, b"\x90")

    async def on_peer_disconnected(self, peer: bytes) -> None:
        self._fail(peer)

    def _fail(self, peer: bytes) -> None:
        waiting: list[asyncio.Future[bytes] | asyncio.Future[BlockResponse]] = [
            f for (p, _h, _i), f in self._chunks.items() if p == peer
        ]
        waiting += [f for (p, _h), f in self._blocks.items() if p == peer]
        for future in waiting:
            if not future.done():
                future.set_exception(PeerGoneError(f"peer {peer.hex()[:12]} is gone"))

    async def on_message(self, peer: bytes, msg_type: MessageType, payload: bytes) -> None:
        if peer in self.banned:
            return
        if msg_type is MessageType.SNAPSHOTS_RESPONSE:
            self.offers[peer] = decode_offers(payload)
            self.offers_changed.set()
        elif msg_type is MessageType.STATUS:
            self.heights[peer] = Status.decode(payload).height
        elif msg_type is MessageType.CHUNK_RESPONSE:
            response = ChunkResponse.decode(payload)
            future = self._chunks.get((peer, response.height, response.index))
            if future is None or future.done():
                self._net.penalize(peer, UNSOLICITED_PENALTY, "sent a chunk nobody asked for")
                return
            future.set_result(response.data)
        elif msg_type is MessageType.BLOCK_RESPONSE:
            self._on_block(peer, payload)

    def _on_block(self, peer: bytes, payload: bytes) -> None:
        height = peek_height(payload)
        future = None if height is None else self._blocks.get((peer, height))
        if future is None or future.done():
            self._net.penalize(peer, UNSOLICITED_PENALTY, f"sent block {height} unasked")
            return
        try:
            response = BlockResponse.decode(payload, self._max_block_bytes)
            problem = response.block.body_error()
        except MalformedError as exc:
            problem = f"it does not decode: {exc}"
        if problem:
            self.ban(peer, f"served a forged block {height}: {problem}")
            return
        future.set_result(response)
