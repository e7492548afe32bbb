"""The node's `PeerHandler`: decodes each peer message at the boundary and hands it on.

    TXS             mempool admission; admitted txs are gossiped on, and a peer relaying a tx
                    that can never be valid is penalized; a peer that connects gets every
                    pending tx (as CometBFT's mempool reactor does)
    PROPOSAL, VOTE  the runner (a proposal's tx signatures are verified first, in the thread pool)
    EVIDENCE        the runner's evidence pool
    STATUS          block sync (peer heights) and the runner (round messages for a laggard)
    BLOCK_REQUEST   served by block sync from the store
    BLOCK_RESPONSE  block sync
    SNAPSHOTS_REQUEST, CHUNK_REQUEST   answered from this node's snapshots (node/snapshots.py)
    SNAPSHOTS_RESPONSE, CHUNK_RESPONSE only a node state-syncing asks for these (before it runs):
                    a running node did not, and charges the sender as for an unasked block

A payload that does not decode raises `MalformedError`, which the P2P layer charges to the peer.
`submit` is the same admission path for txs from the API: admit, gossip, wake the runner.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence

from ledger.block import MAX_BLOCK_BYTES, Block, Commit
from node.chain_types import Executed
from node.mempool import Admission, Mempool
from node.p2p import BaseHandler, MessageType, PeerManager, Penalty
from node.runner import Runner
from node.snapshots import SnapshotServer
from node.statesync_wire import ChunkRequest, ChunkResponse, encode_offers
from node.sync import BlockSync
from node.sync_peers import UNSOLICITED_PENALTY
from node.wire import (
    BlockRequest,
    Status,
    decode_evidence,
    decode_proposal,
    decode_vote,
    peek_height,
)

log = logging.getLogger(__name__)

SERVE_QUEUE_SLACK = 1024 * 1024  # beyond four blocks: votes, status and the like


class Router(BaseHandler):
    """Built before the peer manager (which needs a handler), then `bind`-ed to the parts."""

    _runner: Runner
    _sync: BlockSync
    _net: PeerManager

    def __init__(
        self,
        mempool: Mempool,
        *,
        max_block_bytes: int = MAX_BLOCK_BYTES,
        snapshots: SnapshotServer | None = None,
    ) -> None:
        self._mempool = mempool
        self._snapshots = snapshots
        self._max_block_bytes = max_block_bytes
        self._serve_queue_limit = 4 * max_block_bytes + SERVE_QUEUE_SLACK

    def bind(self, runner: Runner, sync: BlockSync, net: PeerManager) -> None:
        self._runner = runner
        self._sync = sync
        self._net = net
        runner.add_listener(self._after_commit)

    def _after_commit(self, _block: Block, _commit: Commit, _executed: Executed) -> None:
        self._gossip_promoted()

    def _gossip_promoted(self) -> None:
        """Queued txs are gossiped only once they can execute (issue 14): a tx ahead of its
        sender's nonce stays on the node that admitted it until its gap fills."""
        promoted = self._mempool.take_promoted()
        if promoted:
            self._net.gossip_txs([tx.encode() for tx in promoted], [tx.hash for tx in promoted])

    async def submit(self, raw_txs: Sequence[bytes]) -> list[Admission]:
        """Admit txs from a client; the admitted ones are gossiped. One answer per input."""
        admissions = await self._mempool.admit_batch(raw_txs)
        self._gossip(raw_txs, admissions)
        return admissions

    def _gossip(self, raw_txs: Sequence[bytes], admissions: Sequence[Admission]) -> None:
        pairs = zip(raw_txs, admissions, strict=True)
        ready = [(raw, a.tx_hash) for raw, a in pairs if a.ok and not a.queued]
        if ready:
            self._net.gossip_txs([raw for raw, _ in ready], [h for _, h in ready if h is not None])
        self._gossip_promoted()
        if ready or any(a.ok for a in admissions):
            self._runner.txs_available()

    # -- PeerHandler -------------------------------------------------------------------------

    async def on_peer_connected(self, peer: bytes) -> None:
        self._net.send(peer, MessageType.STATUS, self._runner.status_message().encode())
        pending = list(self._mempool.ready_txs())
        if pending:  # a new (or returning) peer gets what we hold; known holders are skipped
            self._net.gossip_txs([tx.encode() for tx in pending], [tx.hash for tx in pending])

    async def on_peer_disconnected(self, peer: bytes) -> None:
        self._sync.on_disconnect(peer)
        self._runner.forget_peer(peer)

    async def on_txs(self, peer: bytes, txs: list[bytes]) -> None:
        admissions = await self._mempool.admit_batch(txs)
        self._gossip(txs, admissions)
        bad = [a for a in admissions if a.code.is_permanent]
        if bad:
            self._net.penalize(peer, Penalty.INVALID, f"relayed an invalid tx: {bad[0].reason}")

    async def on_message(self, peer: bytes, msg_type: MessageType, payload: bytes) -> None:
        if msg_type is MessageType.VOTE:
            self._runner.on_vote(peer, decode_vote(payload))
        elif msg_type is MessageType.PROPOSAL:
            if not self._runner.wants_height(peek_height(payload)):
                return  # far from ours: block sync's business; dropped before decoding the block
            proposal = decode_proposal(
                payload, self._max_block_bytes + 256 * 1024, known=self._mempool.get
            )
            if proposal.block.txs and self._runner.worth_verifying(proposal):
                await self._mempool.verifier.verify_batch(proposal.block.txs)
            self._runner.on_proposal(peer, proposal)
        elif msg_type is MessageType.STATUS:
            status = Status.decode(payload)
            self._sync.on_status(peer, status)
            self._runner.on_status(peer, status)
        elif msg_type is MessageType.EVIDENCE:
            self._runner.on_evidence(peer, decode_evidence(payload))
        elif msg_type is MessageType.BLOCK_REQUEST:
            request = BlockRequest.decode(payload)
            if self._net.queued_bytes(peer) > self._serve_queue_limit:
                # an honest requester has two blocks in flight; one that asks for more before
                # reading what we sent gets nothing more, and pays for asking (issue 14)
                self._net.penalize(peer, Penalty.FLOOD, "block requests beyond what it reads")
                return
            self._sync.serve(peer, request)
        elif msg_type is MessageType.BLOCK_RESPONSE:
            await self._sync.on_response_payload(peer, payload, self._max_block_bytes)
        elif msg_type is MessageType.SNAPSHOTS_REQUEST:
            offers = [] if self._snapshots is None else self._snapshots.offers()
            self._net.send(peer, MessageType.SNAPSHOTS_RESPONSE, encode_offers(offers))
        elif msg_type is MessageType.CHUNK_REQUEST:
            await self._serve_chunk(peer, ChunkRequest.decode(payload))
        elif msg_type in (MessageType.SNAPSHOTS_RESPONSE, MessageType.CHUNK_RESPONSE):
            self._net.penalize(peer, UNSOLICITED_PENALTY, f"sent {msg_type.name} unasked")

    async def _serve_chunk(self, peer: bytes, request: ChunkRequest) -> None:
        if self._net.queued_bytes(peer) > self._serve_queue_limit:
            self._net.penalize(peer, Penalty.FLOOD, "chunk requests beyond what it reads")
            return
        data = b""
        if self._snapshots is not None:  # a file read of up to a few MiB: off the event loop
            data = await asyncio.to_thread(self._snapshots.chunk, request.height, request.index)
        response = ChunkResponse(request.height, request.index, data)
        self._net.send(peer, MessageType.CHUNK_RESPONSE, response.encode())
