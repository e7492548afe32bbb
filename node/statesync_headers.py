"""State sync's header walk on the P2P layer: the blocks it needs, fetched from the peers, and
who is to blame when one does not verify (node/statesync.py says what is trusted).

`consensus.headers.verify_path` says whose fault a failure surely is (`HeaderError.fault`):

- "header": the header or its commit is wrong (another chain, a commit that does not prove it
  for the set it names and trusts): the peer that sent it is banned and the block asked of
  another peer;
- "set": a verified header names another next set than the snapshot's history: the snapshot is
  bad (`BadSnapshotError`: every peer offering it is banned);
- "unknown": a header names another set than the one trusted for its height. It may be forged,
  or the snapshot may hide a set change: the block is asked of another peer; if another peer's
  block then verifies, the first one lied and is banned; if none does, the snapshot is refused
  without banning anyone (`StateSyncError`), and the next offer is tried.
"""

from __future__ import annotations

from consensus.errors import HeaderError
from consensus.headers import Anchor, SetChange, needed_heights, verify_path
from ledger.genesis import Genesis
from node.statesync import (
    BadSnapshotError,
    StateSyncError,
    Trust,
    genesis_anchor,
    trusted_anchor,
)
from node.statesync_fetch import PeerFetcher, PeerGoneError
from node.wire import BlockResponse

BLOCK_TIMEOUT = 10.0
MAX_ATTEMPTS = 16  # header fetches that fail verification before the snapshot is given up


class HeaderWalk:
    def __init__(self, fetcher: PeerFetcher, genesis: Genesis, trust: Trust | None) -> None:
        self.fetcher, self.genesis, self.trust = fetcher, genesis, trust

    async def verified_block(self, height: int, changes: list[SetChange]) -> BlockResponse:
        """Block `height` with its commit, its header verified from the anchor."""
        genesis = self.genesis
        anchor, trusted = await self._anchor(changes)
        if trusted is not None and trusted.height == height:
            return trusted  # the snapshot is of the trusted block itself
        signed: dict[int, tuple[BlockResponse, bytes]] = {}
        asked: dict[int, set[bytes]] = {}  # peers already asked for a height
        suspects: dict[int, list[bytes]] = {}  # peers whose header named an unexpected set
        doubt: HeaderError | None = None
        for _attempt in range(MAX_ATTEMPTS):
            for needed in needed_heights(anchor, changes, height):
                if needed in signed:
                    continue
                try:
                    signed[needed] = await self._block(needed, asked.setdefault(needed, set()))
                except StateSyncError as exc:
                    if doubt is None or needed not in suspects:
                        raise
                    raise StateSyncError(f"{doubt}; and {exc}") from exc
            try:
                verify_path(
                    anchor,
                    changes,
                    {h: (r.block.header, r.commit) for h, (r, _peer) in signed.items()},
                    height,
                    chain_id=genesis.chain_id,
                    genesis_hash=genesis.hash(),
                )
            except HeaderError as exc:
                if exc.fault == "set" or exc.height not in signed:
                    raise BadSnapshotError(f"the header of height {height}: {exc}") from exc
                _response, peer = signed.pop(exc.height)
                if exc.fault == "header":
                    self.fetcher.ban(peer, f"served block {exc.height}: {exc}")
                else:
                    suspects.setdefault(exc.height, []).append(peer)
                    doubt = exc
                continue
            for at, peers in suspects.items():  # their header of `at` is not the chain's
                for peer in peers:
                    self.fetcher.ban(peer, f"served a block {at} that is not the chain's")
            return signed[height][0]
        raise StateSyncError(f"no peer served headers up to {height} that verify")

    async def _anchor(self, changes: list[SetChange]) -> tuple[Anchor, BlockResponse | None]:
        """The genesis, or the operator's trusted block (with that block)."""
        if self.trust is None:
            return genesis_anchor(self.genesis), None
        trust, mismatch = self.trust, None
        for peer in self._by_height():
            try:
                response = await self.fetcher.block(peer, trust.height, BLOCK_TIMEOUT)
            except (TimeoutError, PeerGoneError):
                continue
            if response.block.hash() != trust.block_hash:
                mismatch = response.block.hash()
                continue
            return trusted_anchor(self.genesis, trust, response.block, changes), response
        if mismatch is not None:
            raise StateSyncError(
                f"the peers' block {trust.height} has hash {mismatch.hex()}, not the trusted "
                f"{trust.block_hash.hex()} (check --trust-height and --trust-hash)"
            )
        raise StateSyncError(f"no peer served block {trust.height}")

    def _by_height(self) -> list[bytes]:
        """The usable peers, the highest they said they are first (as block sync asks them)."""
        heights = self.fetcher.heights
        return sorted(self.fetcher.peers, key=lambda p: -heights.get(p, 0))

    async def _block(self, height: int, asked: set[bytes]) -> tuple[BlockResponse, bytes]:
        """Block `height` from the first peer not yet asked for it that serves it."""
        for peer in self._by_height():
            if peer in asked:
                continue
            asked.add(peer)
            try:
                return await self.fetcher.block(peer, height, BLOCK_TIMEOUT), peer
            except (TimeoutError, PeerGoneError):
                continue
        raise StateSyncError(f"no other peer serves a block {height} that verifies")
