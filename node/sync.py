"""Block sync: a node that is behind fetches committed blocks with their commits from its peers.

Peers announce `Status(height, last_block_hash, round)` when they connect, after every commit
and when stuck. When a peer's height is above ours, we request the missing heights one block
per request, round-robin over the peers that have them, at most `MAX_IN_FLIGHT` at once (two
per peer), up to `WINDOW` heights ahead. Each block is checked in order before it is applied:

1. its commit must carry +2/3 of the power of the validator set that signs that height
   (`consensus.commit.verify_commit`): a block no quorum decided is never executed;
2. its tx signatures are verified in the mempool's thread pool (remembered, as for gossip);
3. `Chain.block_error` re-executes it and compares the header's roots;
4. the runner commits it (`Runner.commit_synced`) and moves consensus to the next height.

A peer that serves a block failing 1 or 3 (or a body that does not match its header) is banned,
its requests are given to other peers, and sync goes on. A request that gets no answer within
`REQUEST_TIMEOUT` is given to another peer, and the silent peer is taken to lack that height
(until its next STATUS) and loses a little score; a peer asked for a block it does not have
answers with its STATUS instead. A peer that reports a lower height than it did before on the
same connection is penalized (CometBFT ASA-2025-001).

A peer only one height ahead is usually just a few milliseconds quicker than us at the same
decision, so that height is requested only after `GRACE_SECONDS`; consensus normally gets there
first. "Syncing" (for status and /readyz) means some peer is at least two heights ahead.

`serve` answers a `BLOCK_REQUEST` from the store, sending the stored encodings as they are.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from consensus.commit import verify_commit
from consensus.errors import CommitError
from node.chain import Chain
from node.mempool import SignatureVerifier
from node.p2p.messages import MessageType
from node.p2p.scoring import Penalty
from node.runner import Runner
from node.wire import BlockRequest, BlockResponse, Net, Status

log = logging.getLogger(__name__)

MAX_IN_FLIGHT = 8
PER_PEER_IN_FLIGHT = 2
WINDOW = 16  # x the largest block: what out-of-order blocks may hold in memory
REQUEST_TIMEOUT = 5.0
GRACE_SECONDS = 1.5
NO_ANSWER_PENALTY = 5


@dataclass(slots=True)
class _Peer:
    height: int
    in_flight: int = 0


@dataclass(slots=True)
class _Request:
    peer: bytes
    sent: float


class BlockSync:
    def __init__(
        self,
        chain: Chain,
        runner: Runner,
        net: Net,
        verifier: SignatureVerifier,
        *,
        ban: Callable[[bytes, str], None],
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._chain = chain
        self._runner = runner
        self._net = net
        self._verifier = verifier
        self._ban = ban
        self._clock = clock
        self._peers: dict[bytes, _Peer] = {}
        self._requests: dict[int, _Request] = {}
        self._received: dict[int, tuple[bytes, BlockResponse]] = {}
        self._ahead_since: tuple[int, float] | None = None  # (our height, since when)
        self._next_peer = 0
        self._applying = False
        self.synced_total = 0
        self.bad_blocks_total = 0

    # -- what peers tell us ------------------------------------------------------------------

    @property
    def target_height(self) -> int:
        """The highest committed height a connected peer reported (0 when none)."""
        return max((p.height for p in self._peers.values()), default=0)

    @property
    def syncing(self) -> bool:
        return self.target_height >= self._chain.height + 2

    def on_status(self, peer: bytes, status: Status) -> None:
        known = self._peers.get(peer)
        if known is not None and status.height < known.height:
            self._net.penalize(peer, Penalty.INVALID, "reported a lower height than before")
            return
        if known is None:
            self._peers[peer] = _Peer(status.height)
        else:
            known.height = status.height
        self.pump()

    def on_disconnect(self, peer: bytes) -> None:
        self._peers.pop(peer, None)
        for height in [h for h, r in self._requests.items() if r.peer == peer]:
            del self._requests[height]
        self.pump()

    # -- requesting --------------------------------------------------------------------------

    def pump(self) -> None:
        """Issue requests for missing heights; expire the ones that got no answer."""
        now = self._clock()
        for height, request in list(self._requests.items()):
            if now - request.sent > REQUEST_TIMEOUT:
                self._unanswered(height, request.peer)
        ours = self._chain.height
        for height in [h for h in self._received if h <= ours]:
            del self._received[height]
        target = self.target_height
        if target <= ours:
            self._ahead_since = None
            return
        if target == ours + 1:
            if self._ahead_since is None or self._ahead_since[0] != ours:
                self._ahead_since = (ours, now)
            if now - self._ahead_since[1] < GRACE_SECONDS:
                return
        for height in range(ours + 1, min(target, ours + WINDOW) + 1):
            if len(self._requests) >= MAX_IN_FLIGHT:
                break
            if height in self._requests or height in self._received:
                continue
            peer = self._choose(height)
            if peer is None:
                break
            self._requests[height] = _Request(peer, now)
            self._peers[peer].in_flight += 1
            self._net.send(peer, MessageType.BLOCK_REQUEST, BlockRequest(height).encode())

    def _choose(self, height: int) -> bytes | None:
        candidates = sorted(
            p
            for p, info in self._peers.items()
            if info.height >= height and info.in_flight < PER_PEER_IN_FLIGHT
        )
        if not candidates:
            return None
        self._next_peer += 1
        return candidates[self._next_peer % len(candidates)]

    def _unanswered(self, height: int, peer: bytes) -> None:
        """A peer that does not serve a block it claimed: believe it lacks it (until its next
        STATUS), so a peer lying about its height cannot keep us "syncing" forever."""
        log.info("block %d: no answer from peer %s", height, peer.hex()[:12])
        self._drop_request(height)
        info = self._peers.get(peer)
        if info is not None:
            info.height = min(info.height, height - 1)
            self._net.penalize(peer, NO_ANSWER_PENALTY, f"did not serve block {height}")

    def _drop_request(self, height: int) -> None:
        request = self._requests.pop(height, None)
        if request is not None and request.peer in self._peers:
            info = self._peers[request.peer]
            info.in_flight = max(0, info.in_flight - 1)

    # -- receiving ---------------------------------------------------------------------------

    async def on_response(self, peer: bytes, response: BlockResponse) -> None:
        request = self._requests.get(response.height)
        if request is None or request.peer != peer:
            return  # unsolicited or late: ignore
        self._drop_request(response.height)
        if response.height > self._chain.height:
            self._received[response.height] = (peer, response)
        await self._apply_ready()
        self.pump()

    async def _apply_ready(self) -> None:
        if self._applying:
            return  # another peer's task is applying; it will take this block too
        self._applying = True
        try:
            while True:
                entry = self._received.pop(self._chain.height + 1, None)
                if entry is None:
                    return
                peer, response = entry
                await self._apply(peer, response)
        finally:
            self._applying = False

    async def _apply(self, peer: bytes, response: BlockResponse) -> None:
        chain = self._chain
        block, commit = response.block, response.commit
        try:
            verify_commit(
                chain.validators,
                chain.genesis_hash,
                block.hash(),
                commit,
                height=block.header.height,
            )
        except CommitError as exc:
            self._bad_block(peer, response.height, f"its commit does not verify: {exc}")
            return
        await self._verifier.verify_batch(block.txs)
        if block.header.height != chain.height + 1:
            return  # consensus committed it meanwhile
        problem = chain.block_error(block)
        if problem is not None:
            self._bad_block(peer, response.height, problem)
            return
        if self._runner.commit_synced(block, commit):
            self.synced_total += 1

    def _bad_block(self, peer: bytes, height: int, reason: str) -> None:
        self.bad_blocks_total += 1
        log.warning("peer %s served a bad block %d: %s", peer.hex()[:12], height, reason)
        self._peers.pop(peer, None)
        self._ban(peer, f"served a bad block {height}: {reason}")

    # -- serving -----------------------------------------------------------------------------

    def serve(self, peer: bytes, request: BlockRequest) -> None:
        store = self._chain.store
        height = request.height
        block_bytes = store.block_bytes(height) if height <= store.height else None
        commit = store.commit(height) if block_bytes is not None else None
        if block_bytes is None or commit is None:
            self._net.send(peer, MessageType.STATUS, self._runner.status_message().encode())
            return
        payload = BlockResponse.encode_stored(height, block_bytes, commit.encode())
        self._net.send(peer, MessageType.BLOCK_RESPONSE, payload)
