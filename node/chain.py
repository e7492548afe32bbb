"""The chain as a node sees it: the committed store, and block building and checking for consensus.

`Chain` is the consensus `Application`: `propose` reaps txs and evidence from the node's pools,
executes them on an overlay of the committed state and fills in the header; `validate` re-checks a
proposed block completely (header links, body roots, last commit, execution, state root). Both keep
the execution result by block hash, so a decided block is committed without executing it again.

The validator set with its proposer priorities is chain state: the set that signs height h + 1 is
stored under `chain_meta("validator_set")` by block h, the set that signed h under
`chain_meta("last_validator_set")`. Every node derives both from the chain alone, a restart resumes
the rotation exactly, and a light client can prove the set it needs against a signed state root.
Each time the signing set changes (keys or powers, not priorities), block h also writes the new set
under `validator_set_history_key(h + 1)`, never deleted: the history a light client follows from
genesis (GET /v1/validator-sets), each entry checked against a signed `next_validators_hash`.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence

from consensus.commit import verify_commit
from consensus.errors import ConsensusError
from consensus.validators import ValidatorSet, next_height_set
from ledger.block import (
    MAX_EVIDENCE_PER_BLOCK,
    Block,
    Commit,
    DuplicateVoteEvidence,
    Header,
    tx_root,
)
from ledger.genesis import Genesis
from ledger.hashing import ZERO_HASH
from ledger.keys import ADDRESS_LEN, Address
from ledger.merkle_list import merkle_list_root
from ledger.state import keys, stored_receipts
from ledger.state.context import BlockContext
from ledger.state.executor import BlockError, BlockResult, Mode, SignatureCheck, execute_block
from ledger.state.genesis_state import genesis_items
from ledger.state.reader import StateReader
from ledger.state.validators import BlockRuleError, active_validators, evidence_error
from ledger.state.view import StateView
from ledger.store.block_write import BlockParts, WrittenBlock
from ledger.store.store import Store
from ledger.tx import SignedTx
from ledger.upgrades import check_height
from node.chain_index import touched_accounts
from node.chain_types import Candidates, Clock, EvidenceSource, Executed, StagedCommit, TxSource
from node.changed_state import ChangedState

log = logging.getLogger(__name__)

VALIDATOR_SET_KEY = keys.chain_meta(b"validator_set")
LAST_VALIDATOR_SET_KEY = keys.chain_meta(b"last_validator_set")
VALIDATOR_SET_HISTORY = keys.chain_meta(b"validator_set@")


def validator_set_history_key(first_height: int) -> bytes:
    """Where the set that signs from `first_height` on is kept (written only when it changes)."""
    return VALIDATOR_SET_HISTORY + keys.u64(first_height)


def initial_items(genesis: Genesis) -> dict[bytes, bytes]:
    """The state at height 0: the genesis file's items plus the first validator set."""
    items = genesis_items(genesis)
    items[VALIDATOR_SET_KEY] = ValidatorSet.from_genesis(genesis.validators).encode()
    return items


class Chain:
    """Committed chain plus the rules for the next block; one per node."""

    def __init__(
        self,
        store: Store,
        genesis: Genesis,
        *,
        proposer_address: Address | None = None,
        txs: TxSource | None = None,
        evidence: EvidenceSource | None = None,
        clock: Clock | None = None,
        signature_ok: SignatureCheck | None = None,
        prechecked: SignatureCheck | None = None,
    ) -> None:
        self.store = store
        self.genesis = genesis
        self.genesis_hash = genesis.hash()
        self.params = genesis.params
        self.proposer_address = proposer_address
        self._txs = txs or (lambda _n, _b: ())
        self._evidence = evidence or (lambda: ())
        self._clock = clock or (lambda: 0)
        self.signature_ok = signature_ok
        self.prechecked = prechecked  # the mempool holds the tx: its envelope checks passed
        self._executed: dict[bytes, Executed] = {}
        # a block `prepare` built for round 0, keyed by its height and the last header then
        self._prepared: tuple[tuple[int, Header | None], Block | None] | None = None
        if not store.initialized:
            store.initialize(initial_items(genesis))
        self.validators = self._load_set(VALIDATOR_SET_KEY)
        self.last_validators: ValidatorSet | None = (
            self._load_set(LAST_VALIDATOR_SET_KEY) if store.height > 0 else None
        )
        last = store.block(store.height) if store.height > 0 else None
        self.last_header: Header | None = last.header if last else None

    def _load_set(self, key: bytes) -> ValidatorSet:
        data = self.store.state.get(key)
        if data is None:
            raise RuntimeError(f"the committed state holds no {key!r}")
        return ValidatorSet.decode(data)

    @property
    def height(self) -> int:
        """The last committed height (0 before the first block)."""
        return self.store.height

    @property
    def state(self) -> StateReader:
        return self.store.state

    # -- the consensus Application -------------------------------------------------------------

    def propose(self, height: int, round_: int) -> Block | None:
        """Build the block this node proposes at (height, round), or None when no block can be
        built: its txs are left out first when they make a next validator set consensus cannot
        use (a ledger that let one through; the ledger caps the set when an update is
        scheduled), and with no tx either, the round goes on without our proposal. A block
        `prepare`d for round 0 of this height on this chain is returned as it is."""
        prepared, self._prepared = self._prepared, None
        if prepared is not None and round_ == 0 and prepared[0] == (height, self.last_header):
            return prepared[1]
        return self.build(self.candidates(height))

    def candidates(self, height: int) -> Candidates:
        """What the pools offer for block `height` (their txs in proposal order, evidence)."""
        if height != self.height + 1 or self.proposer_address is None:
            raise RuntimeError(f"cannot propose height {height} at committed height {self.height}")
        check_height(self.state, height)  # UpgradeError: this software must stop here
        cp = self.params.consensus
        txs = self._txs(cp.max_block_txs, cp.max_block_bytes)
        return Candidates(height, txs, tuple(self._evidence()))

    def build(self, candidates: Candidates) -> Block | None:
        """`propose`'s block from `candidates`. Reads only the committed chain and the pools'
        lookups (`prechecked`, `signature_ok`), so it may run on another thread while no
        block is committed (node/commit_off_loop.py)."""
        height = candidates.height
        try:
            return self._build(height, candidates.txs, candidates.evidence)
        except ConsensusError as exc:
            log.error("cannot propose block %d with its txs: next validator set: %s", height, exc)
        if candidates.txs:
            try:
                return self._build(height, [], candidates.evidence)
            except ConsensusError as exc:
                log.error("cannot propose block %d: next validator set: %s", height, exc)
        return None

    def prepare(self, candidates: Candidates) -> None:
        """Build the block of round 0 now (`build`, e.g. on another thread), for `propose`."""
        block = self.build(candidates)
        self._prepared = ((candidates.height, self.last_header), block)

    def _build(
        self,
        height: int,
        candidates: Sequence[SignedTx],
        offered: Sequence[DuplicateVoteEvidence],
    ) -> Block:
        assert self.proposer_address is not None
        last_time = self.last_header.time_ms if self.last_header else self.genesis.genesis_time_ms
        time_ms = max(self._clock(), last_time + 1)
        evidence = self.includable_evidence(height, time_ms, offered)
        ctx = self._context(height, time_ms, self.proposer_address, evidence)
        result = execute_block(
            self.state, ctx, candidates, Mode.PROPOSE, self.signature_ok, prechecked=self.prechecked
        )
        for tx, error in result.skipped:
            log.debug("left tx %s out of block %d: %s", tx.hash.hex(), height, error)
        executed = self._finish(ctx, result)
        last_commit = self.store.commit(self.height) if self.height > 0 else None
        header = Header(
            chain_id=self.params.chain_id,
            height=height,
            time_ms=time_ms,
            prev_block_hash=self.last_header.hash() if self.last_header else ZERO_HASH,
            last_commit_hash=last_commit.hash() if last_commit else ZERO_HASH,
            tx_root=tx_root(result.included),
            evidence_root=merkle_list_root([e.hash() for e in evidence]),
            state_root=executed.new_root,
            validators_hash=self.validators.hash(),
            next_validators_hash=executed.next_validators.hash(),
            proposer=self.proposer_address,
        )
        block = Block(header, tuple(result.included), evidence, last_commit)
        self._executed[block.hash()] = executed
        return block

    def includable_evidence(
        self, height: int, time_ms: int, candidates: Iterable[DuplicateVoteEvidence]
    ) -> tuple[DuplicateVoteEvidence, ...]:
        """The candidates the ledger would record in block `height`: one per offence, at most
        `MAX_EVIDENCE_PER_BLOCK` (a pool may hold evidence that a block recorded meanwhile)."""
        view = StateView(self.state)
        ctx = self._context(height, time_ms, self._anyone, ())
        chosen: dict[bytes, DuplicateVoteEvidence] = {}
        for evidence in candidates:
            key = evidence.offence_key()
            if key in chosen or evidence_error(view, ctx, evidence) is not None:
                continue
            chosen[key] = evidence
            if len(chosen) >= MAX_EVIDENCE_PER_BLOCK:
                break
        return tuple(chosen.values())

    def evidence_error(
        self, evidence: DuplicateVoteEvidence, height: int, time_ms: int
    ) -> str | None:
        """The ledger's verdict on recording `evidence` in block `height` on committed state."""
        ctx = self._context(height, time_ms, self._anyone, ())
        return evidence_error(StateView(self.state), ctx, evidence)

    @property
    def _anyone(self) -> Address:
        return self.proposer_address or Address(bytes(ADDRESS_LEN))

    def validate(self, block: Block) -> bool:
        """The paper's valid(v): True when `block` is a correct next block of this chain."""
        reason = self.block_error(block)
        if reason is not None:
            log.warning("invalid block %d %s: %s", block.header.height, block.hash().hex(), reason)
            return False
        return True

    def block_error(self, block: Block) -> str | None:
        """Why `block` cannot be the next block, or None (and its execution is kept)."""
        h = block.header
        if h.chain_id != self.params.chain_id:
            return "wrong chain id"
        if h.height != self.height + 1:
            return f"height {h.height} does not follow {self.height}"
        expected_prev = self.last_header.hash() if self.last_header else ZERO_HASH
        if h.prev_block_hash != expected_prev:
            return "prev_block_hash does not link to the last block"
        last_time = self.last_header.time_ms if self.last_header else self.genesis.genesis_time_ms
        if h.time_ms <= last_time:
            return "block time is not after the previous block (or the genesis) time"
        if h.validators_hash != self.validators.hash():
            return "validators_hash is not this height's set"
        if h.proposer not in self.validators:
            return "proposer is not a validator"
        cp = self.params.consensus
        if len(block.txs) > cp.max_block_txs:
            return f"{len(block.txs)} txs exceed the limit of {cp.max_block_txs}"
        if sum(len(tx.encode()) for tx in block.txs) > cp.max_block_bytes:
            return f"txs exceed the block size limit of {cp.max_block_bytes} bytes"
        problem = block.body_error() or self._last_commit_error(block.last_commit)
        if problem:
            return problem
        check_height(self.state, h.height)  # UpgradeError: this software must stop here
        ctx = self._context(h.height, h.time_ms, h.proposer, block.evidence)
        try:
            result = execute_block(
                self.state,
                ctx,
                block.txs,
                Mode.VALIDATE,
                self.signature_ok,
                prechecked=self.prechecked,
            )
        except (BlockError, BlockRuleError) as exc:
            return str(exc)
        try:
            executed = self._finish(ctx, result)
        except ConsensusError as exc:  # a next set consensus cannot use: the block is invalid
            return f"next validator set: {exc}"
        if executed.new_root != h.state_root:
            return "state_root does not match the executed state"
        if executed.next_validators.hash() != h.next_validators_hash:
            return "next_validators_hash does not match the executed state"
        self._executed[block.hash()] = executed
        return None

    def _last_commit_error(self, commit: Commit | None) -> str | None:
        if self.height == 0:
            return None if commit is None else "the first block carries no last commit"
        if commit is None or self.last_header is None or self.last_validators is None:
            return "missing last commit"
        try:
            verify_commit(self.last_validators, self.genesis_hash, self.last_header.hash(), commit)
        except ConsensusError as exc:
            return f"last commit: {exc}"
        return None

    # -- committing ----------------------------------------------------------------------------

    def commit(self, block: Block, commit: Commit) -> Executed:
        """Persist a decided block with its commit certificate, atomically; returns what ran."""
        staged = self.stage_commit(block, commit)
        return self.finish_commit(staged, self.write_commit(staged))

    def stage_commit(self, block: Block, commit: Commit) -> StagedCommit:
        """The first step of `commit`: the block's execution (kept from `propose` or `validate`,
        else run now) and the store's check that it fits. Raises `ValueError` for a block that
        is not the valid next one, `CommitRefusedError` for one the store cannot take."""
        executed = self._executed.get(block.hash())
        if executed is None:
            reason = self.block_error(block)
            if reason is not None:
                raise ValueError(f"refusing to commit block {block.header.height}: {reason}")
            executed = self._executed[block.hash()]
        self.store.check_block(block, commit, executed.new_root, executed.node_writes)
        return StagedCommit(block, commit, executed)

    def write_commit(self, staged: StagedCommit) -> WrittenBlock:
        """The second step: the block's receipts and account index, written in one synced batch
        (`Store.write_block`). Reads nothing this chain's thread changes, so it may run on
        another thread while reads are pinned (node/commit_off_loop.py)."""
        executed = staged.executed
        result = executed.result
        receipts = {  # the tx index keeps what the tx does not say (ledger/state/stored_receipts)
            r.tx_hash: stored_receipts.compact(r, tx)
            for tx, r in zip(result.included, result.receipts, strict=True)
        }
        parts = BlockParts(
            staged.block,
            staged.commit,
            executed.changes,
            executed.new_root,
            executed.node_writes,
            receipts,
            executed.orphaned,
        )
        return self.store.write_block(parts, list(touched_accounts(result)))

    def finish_commit(self, staged: StagedCommit, written: WrittenBlock) -> Executed:
        """The last step, on this chain's thread: the store's readers and this chain move to the
        written block; returns what ran."""
        block = staged.block
        self.store.finish_block(written)
        self.last_validators = self.validators
        self.validators = staged.executed.next_validators
        self.last_header = block.header
        self._executed.clear()
        # UpgradeError: the next height belongs to an upgrade this software lacks; raised after
        # the block is durable, so the node halts right at the height whatever its role in it
        check_height(self.state, block.header.height + 1)
        return staged.executed

    # -- helpers -------------------------------------------------------------------------------

    def _context(
        self,
        height: int,
        time_ms: int,
        proposer: Address,
        evidence: tuple[DuplicateVoteEvidence, ...],
    ) -> BlockContext:
        return BlockContext(self.params, self.genesis_hash, height, time_ms, proposer, evidence)

    def _finish(self, ctx: BlockContext, result: BlockResult) -> Executed:
        """Derive the next validator set, add the set records, and compute the state root."""
        changes = dict(result.changes)
        after = StateView(ChangedState(self.state, changes))
        members = [(r.public_key, r.power) for _, r in active_validators(after)]
        next_set = next_height_set(self.validators, members)
        changes[VALIDATOR_SET_KEY] = next_set.encode()
        changes[LAST_VALIDATOR_SET_KEY] = self.validators.encode()
        if next_set.hash() != self.validators.hash():
            changes[validator_set_history_key(ctx.height + 1)] = next_set.encode()
        new_root, node_writes, orphaned = self.store.tree.update_tracked(
            self.store.state_root, changes
        )
        return Executed(result, changes, new_root, node_writes, next_set, frozenset(orphaned))
