"""State sync from the node's P2P peers (`coterie start --state-sync`; node/statesync.py says
what is trusted and why).

Before the node starts, a short-lived `PeerManager` with the node's own key dials the configured
peers (authenticated, allowlisted, as the node would), and:

1. discovery: every peer is asked for its snapshot offers when it connects; after the first
   offer arrives the joiner waits `DISCOVERY_SECONDS` more (or until every configured peer
   answered). When no offer can be restored (every peer offering it failed or was banned), the
   peers are asked again, until `DISCOVERY_TIMEOUT`;
2. the offers are ranked: the highest height first, then the most peers offering the very same
   snapshot (height, root and chunk hashes), at or above the trusted height when one is given;
3. the chunks of the chosen offer are fetched from every peer offering it, `PER_PEER` requests
   in flight per peer; each chunk is checked against the offer's hash as it arrives, and a peer
   whose chunk does not match is banned (`PeerManager.ban`) and its chunk asked of another; a
   request unanswered within `CHUNK_TIMEOUT` goes to another peer;
4. the header of the snapshot's height is verified (node/statesync_headers.py), and the root
   checked against it while the store is written (`ledger.store.snapshot.restore`); a snapshot
   whose state is not what its verified header says gets every peer that offered it banned,
   and the next offer is tried.

Bans outlive the sync: `PeerSync.banned` is handed to the node, which keeps them for its
configured ban time.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from ledger.genesis import Genesis
from ledger.store import Store
from ledger.store.snapshot import SnapshotError, chunk_items, restore
from node.p2p import Identity, P2PConfig, PeerAddress, PeerManager, message_limits
from node.statesync import (
    BadSnapshotError,
    StateSyncError,
    Trust,
    set_changes,
)
from node.statesync_fetch import PeerFetcher, PeerGoneError
from node.statesync_headers import HeaderWalk
from node.statesync_wire import SnapshotOffer

log = logging.getLogger(__name__)

DISCOVERY_SECONDS = 5.0
DISCOVERY_TIMEOUT = 120.0  # nothing restored by then: give up
CHUNK_TIMEOUT = 10.0
PER_PEER = 2
MAX_MISSES = 3  # requests a peer leaves unanswered before it is no longer asked


@dataclass(frozen=True, slots=True)
class Candidate:
    offer: SnapshotOffer
    peers: tuple[bytes, ...]


def rank(offers: dict[bytes, list[SnapshotOffer]], min_height: int) -> list[Candidate]:
    """Distinct offers, the highest first, then the most widely offered."""
    by_key: dict[bytes, tuple[SnapshotOffer, list[bytes]]] = {}
    for peer, listed in offers.items():
        for offer in listed:
            if offer.height >= min_height:
                by_key.setdefault(offer.key, (offer, []))[1].append(peer)
    ranked = sorted(by_key.values(), key=lambda e: (-e[0].height, -len(e[1]), e[0].key))
    return [Candidate(offer, tuple(peers)) for offer, peers in ranked]


class PeerSync:
    def __init__(
        self,
        store: Store,
        genesis: Genesis,
        identity: Identity,
        peers: Iterable[PeerAddress],
        trust: Trust | None = None,
        *,
        timeout: float = DISCOVERY_TIMEOUT,
    ) -> None:
        self.store, self.genesis, self.trust, self.timeout = store, genesis, trust, timeout
        self.failed: set[bytes] = set()  # offers that could not be restored (their keys)
        peers = list(peers)
        self.configured = {p.public_key for p in peers}
        max_block = genesis.params.consensus.max_block_bytes
        self.fetcher = PeerFetcher(max_block)
        self.net = PeerManager(
            identity,
            allowlist=[p.public_key for p in peers],
            handler=self.fetcher,
            peers=peers,
            config=P2PConfig(limits=message_limits(max_block)),
        )
        self.fetcher.bind(self.net)

    @property
    def banned(self) -> dict[bytes, str]:
        return self.fetcher.banned

    async def run(self) -> int:
        """Restore the store from the best snapshot the peers offer; returns its height."""
        await self.net.start()
        try:
            loop = asyncio.get_running_loop()
            deadline = loop.time() + self.timeout
            while True:
                offers = await self._discover(deadline)
                height = await self._try(rank(offers, self.trust.height if self.trust else 1))
                if height is not None:
                    return height
                log.info("state sync: no snapshot restored yet: asking the peers again")
                await asyncio.sleep(1.0)
                self.fetcher.ask_again()
        finally:
            await self.net.stop()

    async def _try(self, candidates: list[Candidate]) -> int | None:
        """The height of the first candidate restored, or None."""
        for candidate in candidates:
            self.failed.add(candidate.offer.key)  # unless it returns
            try:
                return await self._restore(candidate)
            except BadSnapshotError as exc:
                log.warning(
                    "state sync: refused the snapshot of height %d: %s",
                    candidate.offer.height,
                    exc,
                )
                for peer in candidate.peers:
                    self.fetcher.ban(peer, f"offered a bad snapshot: {exc}")
            except StateSyncError as exc:
                log.warning("state sync: snapshot %d failed: %s", candidate.offer.height, exc)
        return None

    def _above(self) -> str:
        return f" at or above height {self.trust.height}" if self.trust else ""

    async def _discover(self, deadline: float) -> dict[bytes, list[SnapshotOffer]]:
        """The offers of the peers not banned: once one offers a snapshot, wait
        DISCOVERY_SECONDS for the others (or until every configured peer answered)."""
        fetcher = self.fetcher
        loop = asyncio.get_running_loop()
        while not any(self._new_offers().values()):
            if not self._expected():
                raise StateSyncError("every peer was banned: no snapshot could be restored")
            if loop.time() > deadline:
                raise StateSyncError(
                    f"no peer offered a snapshot{self._above()} that could be restored within "
                    f"{self.timeout:.0f} s (see the log)"
                )
            fetcher.offers_changed.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(fetcher.offers_changed.wait(), 1.0)
        settle = loop.time() + DISCOVERY_SECONDS
        while loop.time() < settle and len(fetcher.usable_offers()) < self._expected():
            await asyncio.sleep(0.1)
        return self._new_offers()

    def _new_offers(self) -> dict[bytes, list[SnapshotOffer]]:
        """The offers of the peers not banned, but those that already failed."""
        offers = self.fetcher.usable_offers().items()
        return {p: [o for o in listed if o.key not in self.failed] for p, listed in offers}

    def _expected(self) -> int:
        return len(self.configured - set(self.fetcher.banned))

    async def _restore(self, candidate: Candidate) -> int:
        offer = candidate.offer
        log.info(
            "state sync: snapshot of height %d, %d chunks, offered by %d peers",
            offer.height,
            len(offer.chunk_hashes),
            len(candidate.peers),
        )
        items = await self._chunks(candidate)
        walk = HeaderWalk(self.fetcher, self.genesis, self.trust)
        response = await walk.verified_block(offer.height, set_changes(items))
        try:  # the root of a large state takes a while: off the loop, the peers stay served
            await asyncio.to_thread(restore, self.store, items, response.block, response.commit)
        except SnapshotError as exc:
            raise BadSnapshotError(str(exc)) from exc
        log.info(
            "state sync: restored height %d from %d chunks (%d state entries)",
            offer.height,
            len(offer.chunk_hashes),
            len(items),
        )
        return offer.height

    # -- chunks ------------------------------------------------------------------------------

    async def _chunks(self, candidate: Candidate) -> list[tuple[bytes, bytes]]:
        """Every chunk's items, each checked against the offer as it arrives."""
        offer = candidate.offer
        todo: asyncio.Queue[int] = asyncio.Queue()
        for index in range(len(offer.chunk_hashes)):
            todo.put_nowait(index)
        got: dict[int, list[tuple[bytes, bytes]]] = {}
        complete = asyncio.Event()

        async def worker(peer: bytes) -> None:
            misses = 0
            while misses < MAX_MISSES and peer not in self.fetcher.banned:
                index = await todo.get()
                try:
                    data = await self.fetcher.chunk(peer, offer.height, index, CHUNK_TIMEOUT)
                except (TimeoutError, PeerGoneError):
                    todo.put_nowait(index)
                    misses += 1
                    continue
                if not data:  # it no longer keeps the snapshot
                    todo.put_nowait(index)
                    return
                if hashlib.sha256(data).digest() != offer.chunk_hashes[index]:
                    todo.put_nowait(index)
                    self.fetcher.ban(
                        peer, f"chunk {index} of height {offer.height} does not match the offer"
                    )
                    return
                try:
                    got[index] = chunk_items(data)
                except SnapshotError as exc:  # it matches the offer: the offer is bad
                    raise BadSnapshotError(f"chunk {index}: {exc}") from exc
                if len(got) == len(offer.chunk_hashes):
                    complete.set()

        workers = [
            asyncio.create_task(worker(p), name=f"chunks-{p.hex()[:8]}")
            for p in candidate.peers
            for _ in range(PER_PEER)
        ]
        finished = asyncio.create_task(complete.wait())
        try:
            pending: set[asyncio.Task[Any]] = {*workers, finished}
            while not complete.is_set():
                done, pending = await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
                for task in done:
                    if task is not finished:
                        task.result()  # raises BadSnapshotError
                if pending == {finished}:
                    break  # every worker gave up
        finally:
            for task in [*workers, finished]:
                task.cancel()
            await asyncio.gather(*workers, finished, return_exceptions=True)
        if not complete.is_set():
            missing = len(offer.chunk_hashes) - len(got)
            raise StateSyncError(f"{missing} chunks of height {offer.height}: no peer served them")
        return [pair for index in range(len(got)) for pair in got[index]]


async def state_sync_from_peers(
    store: Store,
    genesis: Genesis,
    identity: Identity,
    peers: Iterable[PeerAddress],
    trust: Trust | None = None,
    *,
    timeout: float = DISCOVERY_TIMEOUT,
) -> tuple[int, dict[bytes, str]]:
    """Restore the empty `store` from the peers; returns its height and the peers banned."""
    sync = PeerSync(store, genesis, identity, peers, trust, timeout=timeout)
    return await sync.run(), sync.banned
