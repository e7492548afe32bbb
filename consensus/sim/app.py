"""The simulated application: real blocks with a cheap, deterministic state.

Blocks are `ledger.block.Block`s with real headers, signed transfers, evidence and the previous
block's commit certificate, so committed chains can be compared byte for byte and a node that
catches up checks every commit with `verify_commit`. The state is a hash chain instead of the
ledger's state tree (consensus does not care what the state is, only that every node computes
the same one): `root(h) = H(root(h-1) || tx hashes || evidence hashes)`.

Transactions come from a `TxFeed`: clients submit each one at a virtual time, and from then on it
is in every node's mempool (gossip is the mempool's business, not consensus's). An honest
proposer includes every available tx not yet committed, oldest first; a censoring one leaves out
the txs of one client. Evidence comes from the node's `EvidencePool`.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable
from dataclasses import dataclass, field

from consensus.application import Verifier
from consensus.commit import verify_commit
from consensus.errors import CommitError, EvidenceError
from consensus.evidence import verify_evidence
from consensus.validators import ValidatorSet, next_height_set
from ledger.block import (
    MAX_EVIDENCE_PER_BLOCK,
    Block,
    Commit,
    DuplicateVoteEvidence,
    Header,
    tx_root,
)
from ledger.hashing import ZERO_HASH, tagged_digest
from ledger.keys import Address
from ledger.merkle_list import merkle_list_root
from ledger.tx import SignedTx

GENESIS_STATE_ROOT = tagged_digest(b"sim-state", b"genesis")
MAX_SIM_BLOCK_TXS = 500


def next_state_root(
    root: bytes, txs: tuple[SignedTx, ...], evidence: tuple[DuplicateVoteEvidence, ...]
) -> bytes:
    parts = [root, *(tx.hash for tx in txs), *(e.hash() for e in evidence)]
    return tagged_digest(b"sim-state", b"".join(parts))


@dataclass(frozen=True, slots=True)
class Censorship:
    """What a censoring proposer leaves out: txs of these senders (public keys), evidence
    against these validators (address bytes)."""

    senders: frozenset[bytes] = frozenset()
    offenders: frozenset[bytes] = frozenset()


class TxFeed:
    """Transactions in order of submission time; a tx is available from its time on."""

    def __init__(self, entries: list[tuple[int, SignedTx]]) -> None:
        self.entries = sorted(entries, key=lambda e: e[0])
        self._times = [t for t, _ in self.entries]
        self.submitted: dict[bytes, int] = {tx.hash: t for t, tx in self.entries}

    def available(self, now: int) -> list[SignedTx]:
        return [tx for _, tx in self.entries[: bisect.bisect_right(self._times, now)]]


@dataclass
class World:
    """What every node of one simulation shares: the chain's identity and the tx feed."""

    genesis_hash: bytes
    chain_id: str
    genesis_set: ValidatorSet
    feed: TxFeed
    verifier: Verifier
    # height -> {public key: new power}: validator-set changes that take effect at that height
    changes: dict[int, dict[bytes, int]] = field(default_factory=dict)
    _sets: list[ValidatorSet] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._sets.append(self.genesis_set)
        self._members = {v.public_key: v.power for v in self.genesis_set.validators}
        self._set_hashes: dict[int, bytes] = {}
        # Blocks travel as shared objects, so what every node would recompute about one block
        # (its body roots, its last commit's signatures) is computed once. Keyed by id() with the
        # object kept alive, so an id is never reused while its entry exists.
        self._body_ok: dict[int, tuple[Block, bool]] = {}
        self._commit_ok: dict[int, tuple[Commit, int, bytes, bool]] = {}
        self._hashes: dict[int, tuple[Block, bytes]] = {}

    def block_hash(self, block: Block) -> bytes:
        hit = self._hashes.get(id(block))
        if hit is None:
            hit = self._hashes[id(block)] = (block, block.hash())
        return hit[1]

    def body_ok(self, block: Block) -> bool:
        hit = self._body_ok.get(id(block))
        if hit is None:
            hit = self._body_ok[id(block)] = (block, block.body_error() is None)
        return hit[1]

    def commit_ok(self, height: int, block_hash: bytes, commit: Commit) -> bool:
        """`verify_commit` of `commit` for `block_hash` at `height`, once per commit object."""
        hit = self._commit_ok.get(id(commit))
        if hit is None or hit[1:3] != (height, block_hash):
            try:
                verify_commit(
                    self.validators_at(height),
                    self.genesis_hash,
                    block_hash,
                    commit,
                    height=height,
                    verifier=self.verifier,
                )
                ok = True
            except CommitError:
                ok = False
            hit = self._commit_ok[id(commit)] = (commit, height, block_hash, ok)
        return hit[3]

    def validators_hash(self, height: int) -> bytes:
        cached = self._set_hashes.get(height)
        if cached is None:
            cached = self._set_hashes[height] = self.validators_at(height).hash()
        return cached

    def validators_at(self, height: int) -> ValidatorSet:
        """The set of `height`: the previous one with its proposer priorities advanced and the
        changes of `height` applied, as the node derives it (`next_height_set`)."""
        sets = self._sets
        while len(sets) < height:
            change = self.changes.get(len(sets) + 1)
            if change is None:
                sets.append(sets[-1].advance(1))
                continue
            self._members.update(change)  # power 0: the validator leaves the active set
            active = [(key, power) for key, power in self._members.items() if power > 0]
            sets.append(next_height_set(sets[-1], active))
        return sets[height - 1]


class ChainStore:
    """One node's block store: committed blocks and commits. Survives crashes."""

    def __init__(self) -> None:
        self.blocks: list[Block] = []
        self.commits: list[Commit] = []

    @property
    def height(self) -> int:
        return len(self.blocks)

    def append(self, block: Block, commit: Commit) -> None:
        if block.header.height != len(self.blocks) + 1:
            raise ValueError("blocks are stored in order")
        self.blocks.append(block)
        self.commits.append(commit)


class EvidencePool:
    """Evidence this node knows of, in arrival order. Survives crashes."""

    def __init__(self) -> None:
        self.items: dict[bytes, DuplicateVoteEvidence] = {}

    def add(self, evidence: DuplicateVoteEvidence) -> bool:
        key = evidence.hash()
        if key in self.items:
            return False
        self.items[key] = evidence
        return True


class ChainState:
    """What a node derives from its block store (rebuilt after a crash)."""

    def __init__(self, chain: ChainStore, world: World) -> None:
        self._world = world
        self.tip_hash = ZERO_HASH
        self.roots = [GENESIS_STATE_ROOT]
        self.txs: set[bytes] = set()
        self.evidence: set[bytes] = set()
        for block in chain.blocks:
            self.apply(block)

    @property
    def root(self) -> bytes:
        return self.roots[-1]

    def apply(self, block: Block) -> bytes:
        self.tip_hash = self._world.block_hash(block)
        self.roots.append(next_state_root(self.roots[-1], block.txs, block.evidence))
        self.txs.update(tx.hash for tx in block.txs)
        self.evidence.update(e.hash() for e in block.evidence)
        return self.roots[-1]


class SimApp:
    """`Application` of one simulated node."""

    def __init__(
        self,
        world: World,
        address: Address,
        chain: ChainStore,
        pool: EvidencePool,
        clock: Callable[[], tuple[int, int]],
        *,
        censor: Censorship | None = None,
        on_build: Callable[[Block, int], None] | None = None,
    ) -> None:
        self.world = world
        self.address = address
        self.chain = chain
        self.pool = pool
        self.state = ChainState(chain, world)
        self._clock = clock  # (virtual now, this node's local time in ms)
        self._censor = censor
        self._on_build = on_build

    def propose(self, height: int, round_: int) -> Block:
        world, chain, state = self.world, self.chain, self.state
        now, local = self._clock()
        prev = chain.blocks[-1] if chain.blocks else None
        last_commit = chain.commits[-1] if chain.commits else None
        censor = self._censor or Censorship()
        txs = tuple(
            tx
            for tx in world.feed.available(now)
            if tx.hash not in state.txs and tx.body.sender not in censor.senders
        )[:MAX_SIM_BLOCK_TXS]
        evidence = tuple(
            e
            for key, e in self.pool.items.items()
            if key not in state.evidence
            and e.vote_a.height <= height
            and e.vote_a.validator.raw not in censor.offenders
        )[:MAX_EVIDENCE_PER_BLOCK]
        header = Header(
            chain_id=world.chain_id,
            height=height,
            time_ms=max(local, prev.header.time_ms + 1 if prev else 1),
            prev_block_hash=state.tip_hash,
            last_commit_hash=last_commit.hash() if last_commit else ZERO_HASH,
            tx_root=tx_root(txs),
            evidence_root=merkle_list_root([e.hash() for e in evidence]),
            state_root=next_state_root(state.root, txs, evidence),
            validators_hash=world.validators_hash(height),
            next_validators_hash=world.validators_hash(height + 1),
            proposer=self.address,
        )
        block = Block(header, txs, evidence, last_commit)
        if self._on_build is not None:
            self._on_build(block, now)
        return block

    def validate(self, block: Block) -> bool:
        world, chain, state = self.world, self.chain, self.state
        h = block.header
        if h.height != chain.height + 1 or h.chain_id != world.chain_id:
            return False
        if h.validators_hash != world.validators_hash(h.height):
            return False
        if h.next_validators_hash != world.validators_hash(h.height + 1):
            return False
        if len(block.txs) > MAX_SIM_BLOCK_TXS or not world.body_ok(block):
            return False
        if chain.blocks:
            prev = chain.blocks[-1]
            if h.prev_block_hash != self.state.tip_hash or h.time_ms <= prev.header.time_ms:
                return False
            if block.last_commit is None:
                return False
            if not world.commit_ok(h.height - 1, h.prev_block_hash, block.last_commit):
                return False
        elif h.prev_block_hash != ZERO_HASH or block.last_commit is not None:
            return False
        seen: set[bytes] = set()
        for tx in block.txs:
            key = tx.hash
            if key in seen or key in state.txs or key not in world.feed.submitted:
                return False
            seen.add(key)
        for e in block.evidence:
            key = e.hash()
            if key in seen or key in state.evidence or e.vote_a.height > h.height:
                return False
            seen.add(key)
            try:
                verify_evidence(
                    world.validators_at(e.vote_a.height),
                    world.genesis_hash,
                    e,
                    verifier=world.verifier,
                )
            except EvidenceError:
                return False
        return h.state_root == next_state_root(state.root, block.txs, block.evidence)

    def commit(self, block: Block) -> bytes:
        """Apply a decided block; returns the new state root."""
        return self.state.apply(block)
