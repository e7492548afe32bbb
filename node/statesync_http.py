"""State sync over nodes' HTTP APIs (`coterie start --state-sync URL ...`), the fallback when
no peer is reachable over P2P; node/statesync.py says what state sync trusts, and
node/statesync_peers.py is the P2P path.

With `--trust-height T --trust-hash HASH`:
1. ask every source (a node's API URL) for its snapshots (`GET /v1/snapshots`) and take the
   newest at or above T;
2. verify the header of that height H: fetch blocks T..H+1 (canonical bytes), check block T's
   hash is the trusted one and its time within the chain's trust period, and that each block
   names the previous one's hash (so H's header, and the state root in it, is the chain's); block
   H+1's last commit must carry 2/3+ of the power of H's validator set (taken from the verified
   state) for H;
3. fetch the chunks, spreading them over the sources; a chunk whose SHA-256 is not the
   manifest's is refused and its source banned for the rest of the sync (logged at WARNING), the
   chunk then fetched from another source; a chunk no live source serves (the snapshot was
   pruned, sources keep their last few) sends the sync back to step 1 (at most 5 listings);
4. rebuild the state root from the chunks and compare it with H's header; only then write the
   store (`ledger.store.snapshot.restore`).
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from typing import Any

from consensus.commit import verify_commit
from consensus.errors import ConsensusError
from consensus.validators import ValidatorSet
from ledger.block import Block
from ledger.genesis import Genesis
from ledger.state import keys
from ledger.store import Store
from ledger.store.snapshot import SnapshotError, chunk_items, restore
from node.statesync import StateSyncError, Trust

log = logging.getLogger(__name__)

LAST_VALIDATOR_SET_KEY = keys.chain_meta(b"last_validator_set")
MAX_HEADER_SPAN = 10_000
TIMEOUT_S = 30.0
MAX_LISTINGS = 5


@dataclass
class Sources:
    urls: list[str]
    banned: dict[str, str] = field(default_factory=dict)

    def live(self) -> list[str]:
        return [u for u in self.urls if u not in self.banned]

    def ban(self, url: str, why: str) -> None:
        self.banned[url] = why
        log.warning("state sync: banned source %s: %s", url, why)


def _get(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=TIMEOUT_S) as response:  # http only
        data: bytes = response.read()
        return data


def _block(url: str, height: int) -> Block:
    return Block.decode(_get(f"{url}/v1/blocks/{height}?format=msgpack"))


class _SnapshotGoneError(StateSyncError):
    """No live source still serves a chunk of the chosen snapshot: its sources pruned it (they
    keep their last `snapshot_keep`) while it was fetched."""


def state_sync(store: Store, genesis: Genesis, urls: list[str], trust: Trust) -> int:
    """Restore `store` (empty) from the sources' newest snapshot; returns its height.

    A snapshot pruned while it is fetched is given up for a fresh listing, at most
    `MAX_LISTINGS` times; a banned source stays banned."""
    sources = Sources(list(urls))
    for listing in range(1, MAX_LISTINGS + 1):
        try:
            return _restore_newest(store, genesis, sources, trust)
        except _SnapshotGoneError as exc:
            log.warning("state sync: %s; listing the snapshots again (%d)", exc, listing)
    raise StateSyncError(f"every snapshot chosen in {MAX_LISTINGS} listings was pruned meanwhile")


def _restore_newest(store: Store, genesis: Genesis, sources: Sources, trust: Trust) -> int:
    best: tuple[int, str, dict[str, Any]] | None = None
    for url in sources.live():
        try:
            listing = json.loads(_get(f"{url}/v1/snapshots"))
        except (OSError, ValueError) as exc:
            log.warning("state sync: %s does not answer: %s", url, exc)
            continue
        for manifest in listing.get("snapshots", []):
            height = int(manifest["height"])
            if height >= trust.height and (best is None or height > best[0]):
                best = (height, url, manifest)
    if best is None:
        raise StateSyncError(f"no source offers a snapshot at or above height {trust.height}")
    height, origin, manifest = best
    block, commit_block = _verified_block(origin, genesis, trust, height)
    hashes = [bytes.fromhex(h) for h in manifest["chunks"]]
    items: list[tuple[bytes, bytes]] = []
    for index, expected in enumerate(hashes):
        items += _chunk(sources, height, index, expected)
    commit = commit_block.last_commit
    if commit is None:
        raise StateSyncError(f"block {height + 1} carries no commit")
    try:
        state = dict(items)
        validators = ValidatorSet.decode(state[LAST_VALIDATOR_SET_KEY])
        verify_commit(validators, genesis.hash(), block.hash(), commit, height=height)
        restore(store, items, block, commit)
    except (SnapshotError, ConsensusError, KeyError) as exc:
        raise StateSyncError(f"the snapshot of height {height} does not verify: {exc}") from exc
    log.info("state sync: restored height %d from %d chunks", height, len(hashes))
    return height


def _verified_block(url: str, genesis: Genesis, trust: Trust, height: int) -> tuple[Block, Block]:
    """Block `height`, linked by hashes to the trusted block, and the block after it."""
    if height - trust.height > MAX_HEADER_SPAN:
        raise StateSyncError(f"the trusted height is more than {MAX_HEADER_SPAN} blocks old")
    try:
        trusted = _block(url, trust.height)
        if trusted.hash() != trust.block_hash:
            raise StateSyncError(
                f"block {trust.height} has hash {trusted.hash().hex()}, not the trusted one"
            )
        age = time.time() * 1000 - trusted.header.time_ms
        if age > genesis.params.trust_period_ms:
            raise StateSyncError("the trusted block is older than the chain's trust period")
        previous = trusted
        for h in range(trust.height + 1, height + 2):
            current = _block(url, h)
            if current.header.prev_block_hash != previous.hash():
                raise StateSyncError(f"block {h} does not link to block {h - 1}")
            previous = current
            if h == height:
                target = current
    except (OSError, ValueError) as exc:
        raise StateSyncError(f"cannot fetch the headers from {url}: {exc}") from exc
    if height == trust.height:
        target = trusted
    return target, previous


def _chunk(sources: Sources, height: int, index: int, expected: bytes) -> list[tuple[bytes, bytes]]:
    live = sources.live()
    turn = index % len(live) if live else 0
    for url in live[turn:] + live[:turn]:  # spread the chunks over the sources
        try:
            data = _get(f"{url}/v1/snapshots/{height}/chunks/{index}")
        except (OSError, urllib.error.URLError) as exc:
            log.warning("state sync: chunk %d from %s failed: %s", index, url, exc)
            continue
        if hashlib.sha256(data).digest() != expected:
            sources.ban(url, f"chunk {index} of height {height} does not match the manifest")
            continue
        try:
            return chunk_items(data)
        except SnapshotError as exc:
            sources.ban(url, str(exc))
    if sources.live():  # the honest ones answered, without it: pruned since it was listed
        raise _SnapshotGoneError(f"no source gave chunk {index} of height {height}")
    raise StateSyncError(f"no source gave chunk {index} of height {height}")
