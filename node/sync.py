"""Block sync: a node that is behind fetches committed blocks with their commits from its peers.

Peers announce `Status(height, last_block_hash, round)` when they connect, after every commit
and when stuck. When a peer's height is above ours, we request the missing heights one block
per request, round-robin over the peers that have them, at most `MAX_IN_FLIGHT` at once (two
per peer), up to `WINDOW` heights ahead. Each block is checked in order before it is applied:

1. its commit must carry +2/3 of the power of the validator set that signs that height
   (`consensus.commit.verify_commit`): a block no quorum decided is never executed;
2. its tx signatures are verified by the signature workers (remembered, as for gossip);
3. `Chain.block_error` re-executes it and compares the header's roots;
4. the runner commits it (`Runner.commit_synced`) and moves consensus to the next height.

Catch-up is a pipeline: signatures go to the workers as a block arrives and one task applies
blocks in order, so the workers verify h + 1, h + 2, ... while h executes (docs/performance.md).

A peer that serves a block failing 1 or 3 (or a body that does not match its header) is banned,
its requests are given to other peers, and sync goes on. How long a request waits, what a late,
slow, unasked or missing answer costs, and when a peer is doubted: node/sync_peers.py.

A peer only one height ahead is usually just a few milliseconds quicker than us at the same
decision, so that height is requested only after `GRACE_SECONDS`; consensus normally gets there
first. "Syncing" (for status and /readyz) means some peer we do not doubt is at least two
heights ahead. `serve` answers a `BLOCK_REQUEST` with the stored encodings as they are.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable

from consensus.commit import verify_commit
from consensus.errors import CommitError
from node.chain import Chain
from node.mempool import SignatureVerifier
from node.p2p.messages import MessageType
from node.p2p.scoring import Penalty
from node.runner import Runner
from node.sync_peers import (
    MISS_MEMORY,
    NO_ANSWER_PENALTY,
    REQUEST_TIMEOUT,
    SLOW_ANSWER,
    SLOW_PENALTY,
    UNSOLICITED_PENALTY,
    PeerState,
    Request,
    peek_height,
)
from node.wire import BlockRequest, BlockResponse, Net, Status

log = logging.getLogger(__name__)

MAX_IN_FLIGHT = 8
PER_PEER_IN_FLIGHT = 2
WINDOW = 16  # x the largest block: what out-of-order blocks may hold in memory
HEDGE_AFTER = 1.0  # the next height we need is asked of a second peer after this long
GRACE_SECONDS = 1.5
LATE_KEPT = 64  # (height, peer) pairs whose late answer is still welcome


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
        self._peers: dict[bytes, PeerState] = {}
        self._requests: dict[int, Request] = {}
        self._hedges: dict[int, Request] = {}  # a second request for the next height we need
        # answers still welcome, oldest first, with when they were asked for
        self._late: dict[tuple[int, bytes], float] = {}
        self._received: dict[int, tuple[bytes, BlockResponse]] = {}
        self._verifying: dict[int, asyncio.Future[list[bool]]] = {}  # signatures, by height
        self._applier: asyncio.Task[None] | None = None
        self._ahead_since: tuple[int, float] | None = None  # (our height, since when)
        self._next_peer = 0
        self.synced_total = 0
        self.bad_blocks_total = 0

    # -- what peers tell us ------------------------------------------------------------------

    @property
    def target_height(self) -> int:
        """The highest committed height a connected peer we do not doubt reported (0: none)."""
        return max((p.height for p in self._peers.values() if not p.misses), default=0)

    @property
    def syncing(self) -> bool:
        return self.target_height >= self._chain.height + 2

    def on_status(self, peer: bytes, status: Status) -> None:
        known = self._peers.get(peer)
        if known is not None and status.height < known.height:
            self._net.penalize(peer, Penalty.INVALID, "reported a lower height than before")
            return
        if known is None:
            self._peers[peer] = PeerState(status.height)
        else:
            known.height = status.height
        self.pump()

    def on_disconnect(self, peer: bytes) -> None:
        self._peers.pop(peer, None)
        for height in [h for h, r in self._requests.items() if r.peer == peer]:
            del self._requests[height]
        for height in [h for h, r in self._hedges.items() if r.peer == peer]:
            del self._hedges[height]
        self.pump()

    # -- requesting --------------------------------------------------------------------------

    def pump(self) -> None:
        """Issue requests for missing heights; expire the ones that got no answer."""
        now = self._clock()
        for height, request in list(self._requests.items()):
            if now - request.sent > self._patience(request.peer):
                self._unanswered(height, request.peer, request.sent)
        for height, request in list(self._hedges.items()):
            if now - request.sent > self._patience(request.peer):
                self._hedges.pop(height)
                self._unanswered(height, request.peer, request.sent)
        ours = self._chain.height
        for height in [h for h in self._received if h <= ours]:
            self._forget(height)
        self._hedge(ours + 1, now)
        target = self._request_height()
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
            self._requests[height] = Request(peer, now)
            self._peers[peer].in_flight += 1
            self._net.send(peer, MessageType.BLOCK_REQUEST, BlockRequest(height).encode())

    def _request_height(self) -> int:
        """How far to request: doubted peers too are asked (serving clears the doubt; a
        doubted peer that still does not serve pays more each time)."""
        return max((p.height for p in self._peers.values()), default=0)

    def _hedge(self, height: int, now: float) -> None:
        """Ask a second peer for the next height we need when the first is slow."""
        request = self._requests.get(height)
        if request is None or height in self._hedges or now - request.sent < HEDGE_AFTER:
            return
        peer = self._choose(height, avoid=request.peer)
        if peer is None:
            return
        log.info(
            "block %d: peer %s is slow, asking %s too",
            height,
            request.peer.hex()[:12],
            peer.hex()[:12],
        )
        self._hedges[height] = Request(peer, now)
        self._peers[peer].in_flight += 1
        self._net.send(peer, MessageType.BLOCK_REQUEST, BlockRequest(height).encode())

    def _choose(self, height: int, avoid: bytes | None = None) -> bytes | None:
        candidates = sorted(
            p
            for p, info in self._peers.items()
            if info.height >= height and info.in_flight < PER_PEER_IN_FLIGHT and p != avoid
        )
        if not candidates:
            return None
        self._next_peer += 1
        return candidates[self._next_peer % len(candidates)]

    def _patience(self, peer: bytes) -> float:
        info = self._peers.get(peer)
        return REQUEST_TIMEOUT if info is None else info.patience()

    def _unanswered(self, height: int, peer: bytes, sent: float) -> None:
        """A peer that does not serve a block it claimed: believe it lacks it (until its next
        STATUS), so a peer lying about its height cannot keep us "syncing" forever."""
        log.info("block %d: no answer from peer %s", height, peer.hex()[:12])
        if self._requests.get(height) is not None and self._requests[height].peer == peer:
            self._drop_request(height)
        else:
            self._release(peer)
        self._welcome_late(height, peer, sent)
        info = self._peers.get(peer)
        if info is not None:
            now = self._clock()
            if now - info.last_miss > MISS_MEMORY:
                info.misses = 0  # an old miss is forgiven, as the score forgets its penalty
            info.height = min(info.height, height - 1)
            penalty = NO_ANSWER_PENALTY << min(info.misses, 8)
            info.misses += 1
            info.last_miss = now
            self._net.penalize(peer, penalty, f"did not serve block {height}")

    def _release(self, peer: bytes) -> None:
        info = self._peers.get(peer)
        if info is not None:
            info.in_flight = max(0, info.in_flight - 1)

    def _drop_request(self, height: int) -> None:
        request = self._requests.pop(height, None)
        if request is not None:
            self._release(request.peer)

    def _welcome_late(self, height: int, peer: bytes, sent: float) -> None:
        """A request given up (timed out, or answered by another peer first): its answer may
        still come, and is then no offence."""
        self._late[(height, peer)] = sent
        while len(self._late) > LATE_KEPT:
            del self._late[next(iter(self._late))]

    # -- receiving ---------------------------------------------------------------------------

    def expects(self, peer: bytes, height: int) -> bool:
        """Whether a block of `height` from `peer` was asked for (or is a welcome late answer)."""
        for pending in (self._requests.get(height), self._hedges.get(height)):
            if pending is not None and pending.peer == peer:
                return True
        return (height, peer) in self._late

    async def on_response_payload(self, peer: bytes, payload: bytes, max_bytes: int) -> None:
        """A `BLOCK_RESPONSE` as received: its height is read first, and the block is decoded
        only when it was asked for; anything else costs the peer and is dropped unread."""
        height = peek_height(payload)
        if height is None or not self.expects(peer, height):
            self._net.penalize(
                peer, UNSOLICITED_PENALTY, f"sent a block response nobody asked for ({height})"
            )
            return
        await self.on_response(peer, BlockResponse.decode(payload, max_bytes))

    async def on_response(self, peer: bytes, response: BlockResponse) -> None:
        height = response.height
        sent = self._late.pop((height, peer), None)
        if sent is not None:  # a late answer: welcome when still needed, and no offence
            info = self._peers.get(peer)
            if info is not None:  # it serves what it claims, slowly: wait longer next time
                info.answered_after(self._clock() - sent, late=True)
                info.height = max(info.height, height)
            for table in (self._requests, self._hedges):  # asked again meanwhile: answered
                again = table.get(height)
                if again is not None and again.peer == peer:
                    del table[height]
                    self._release(peer)
            if height > self._chain.height and height not in self._received:
                self._receive(peer, response)
            return
        request, hedge = self._requests.get(height), self._hedges.get(height)
        answered = next((r for r in (request, hedge) if r is not None and r.peer == peer), None)
        if answered is None:
            self._net.penalize(peer, UNSOLICITED_PENALTY, f"sent block {height} unasked")
            return
        took = self._clock() - answered.sent
        info = self._peers.get(peer)
        if took > max(SLOW_ANSWER, self._patience(peer) / 2):
            self._net.penalize(peer, SLOW_PENALTY, f"answered block {height} slowly")
        if info is not None:
            info.answered_after(took)
        for other in (request, hedge):
            if other is not None and other is not answered:
                self._welcome_late(height, other.peer, other.sent)
        self._drop_request(height)
        if hedge is not None:
            self._hedges.pop(height, None)
            self._release(hedge.peer)
        if height > self._chain.height:
            self._receive(peer, response)
        self.pump()

    def _receive(self, peer: bytes, response: BlockResponse) -> None:
        """Keep the block, send its signatures to the workers now, and make sure the applier
        runs (it applies blocks in height order as they become ready)."""
        height = response.height
        self._received[height] = (peer, response)
        if height not in self._verifying:
            verifying = asyncio.ensure_future(self._verifier.verify_batch(response.block.txs))
            self._verifying[height] = verifying
        if self._applier is None or self._applier.done():
            self._applier = asyncio.create_task(self._apply_ready())
            self._applier.add_done_callback(_log_failure)

    def _forget(self, height: int) -> None:
        self._received.pop(height, None)
        verifying = self._verifying.pop(height, None)
        if verifying is not None:
            verifying.cancel()

    async def applied(self) -> None:
        """Until the blocks received so far that can be applied are (for tests and shutdown)."""
        while self._applier is not None and not self._applier.done():
            await asyncio.wait([self._applier])

    def close(self) -> None:
        """Stop applying and verifying (the node is stopping)."""
        if self._applier is not None:
            self._applier.cancel()
        for height in list(self._received):
            self._forget(height)

    async def stop(self) -> None:
        """`close`, and wait until the applier has ended: no synced block is committed after
        this returns (the node closes the WAL and the store next)."""
        self.close()
        if self._applier is not None:
            await asyncio.gather(self._applier, return_exceptions=True)

    async def _apply_ready(self) -> None:
        while True:
            height = self._chain.height + 1
            entry = self._received.pop(height, None)
            if entry is None:
                return
            verifying = self._verifying.pop(height, None)
            peer, response = entry
            await self._apply(peer, response, verifying)

    async def _apply(
        self,
        peer: bytes,
        response: BlockResponse,
        verifying: asyncio.Future[list[bool]] | None,
    ) -> None:
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
            if verifying is not None:
                verifying.cancel()
            self._bad_block(peer, response.height, f"its commit does not verify: {exc}")
            return
        if verifying is None:
            verifying = asyncio.ensure_future(self._verifier.verify_batch(block.txs))
        await verifying  # a failed signature fails `block_error` below
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


def _log_failure(task: asyncio.Task[None]) -> None:
    """The applier's end: a failure is logged (the node's consensus task reports its own)."""
    with contextlib.suppress(asyncio.CancelledError):
        exc = task.exception()
        if exc is not None:
            log.error("applying synced blocks failed: %r", exc, exc_info=exc)
