"""A decided block written on the commit thread while the loop goes on (node/commit_off_loop.py).

Regression (issue 17, goal 3): one validator's commit ran on the event loop, so for the whole
synced write of a block nothing was admitted and the signature workers sat idle. These drive a
real one-validator runner (LevelDB chain, mempool, WAL, signer) with `commit_off_loop` on: while
the block is written, txs are admitted and every read sees the chain before the block, whole;
then the chain after it, whole; block sync cannot commit meanwhile; a stop meanwhile leaves the
block whole in the database.
"""

from __future__ import annotations

import asyncio
import dataclasses
from pathlib import Path

from consensus.messages import Step
from consensus.signer import MemorySignStateStore
from consensus.timeouts import Timeouts
from consensus.wal import MemoryWAL
from consensus.wal_signer import JournaledSigner
from ledger.block import Commit
from ledger.genesis import ChainParams, Genesis, GenesisValidator
from ledger.keys import PrivateKey
from ledger.merkle.flat import verify_proof
from ledger.state import keys
from ledger.store.store import Store
from ledger.tx import SignedTx, Transfer, TxBody
from node.chain import Chain
from node.evidence_pool import EvidencePool
from node.mempool import Mempool
from node.p2p.handshake import Identity
from node.p2p.manager import PeerManager
from node.router import Router
from node.runner import INLINE_COMMIT_TXS, Runner

VALIDATOR = PrivateKey.from_secret(b"off-loop-validator")
ALICE, BOB = PrivateKey.from_secret(b"off-loop-alice"), PrivateKey.from_secret(b"off-loop-bob")
GENESIS = Genesis(
    params=ChainParams(chain_id="coterie-off-loop", address_prefix="tcot"),
    genesis_time_ms=1_000,
    balances=((ALICE.address, 1_000_000),),
    validators=(GenesisValidator("v0", VALIDATOR.public_key, 1),),
)
ALICE_KEY = keys.account(ALICE.address.raw)


def transfer(nonce: int, genesis: Genesis = GENESIS) -> SignedTx:
    body = TxBody(genesis.chain_id, ALICE.public_key, nonce, 1, Transfer(BOB.address, 5))
    return body.sign(ALICE, genesis.hash())


def solo_runner(store: Store, inline_commit_txs: int = 0, genesis: Genesis = GENESIS) -> Runner:
    """A one-validator runner that writes every block with a tx on the commit thread (or
    those above `inline_commit_txs` txs, as a node does)."""
    mempool = Mempool(genesis.params, genesis.hash(), store.state)
    chain = Chain(
        store, genesis, proposer_address=VALIDATOR.address, txs=mempool.reap, clock=lambda: 5_000
    )
    identity = Identity(PrivateKey.from_secret(b"off-loop-node"), GENESIS.chain_id, GENESIS.hash())
    wal = MemoryWAL()
    signer = JournaledSigner(VALIDATOR, genesis.hash(), MemorySignStateStore(), wal, new_chain=True)
    runner = Runner(
        chain,
        mempool,
        EvidencePool(chain),
        PeerManager(identity, allowlist=(), handler=Router(mempool)),
        timeouts=Timeouts.from_params(genesis.params.consensus),
        clock_ms=lambda: 5_000,
        signer=signer,
        wal=wal,
        commit_off_loop=True,
    )
    runner.inline_commit_txs = inline_commit_txs
    return runner


def seen_by_a_reader(store: Store) -> tuple[int, bytes | None]:
    """(height, Alice's account) as the API would read them: the value checked by its proof
    against the root of that same height."""
    value, proof = store.prove(ALICE_KEY)
    assert verify_proof(store.state_root, ALICE_KEY, value, proof), "of another root"
    assert store.block(store.height + 1) is None
    return store.height, value


async def test_txs_are_admitted_and_reads_see_one_whole_chain_while_a_block_is_written(
    tmp_path: Path,
) -> None:
    store = Store.open(tmp_path / "db", GENESIS.hash())
    try:
        runner = solo_runner(store)
        for nonce in (0, 1):
            assert runner.mempool.admit_verified(transfer(nonce)).ok
        before = seen_by_a_reader(store)
        runner._start()  # block 1 is made at once and decided by our own votes
        assert runner.committing and runner.chain.height == 0
        seen = set()
        admitted_meanwhile = runner.mempool.admit_verified(transfer(2))  # on the old state
        while runner.committing:
            seen.add(seen_by_a_reader(store))
            await asyncio.sleep(0)
        assert seen == {before}
        assert admitted_meanwhile.ok
        assert not runner.failed
        height, alice = seen_by_a_reader(store)
        assert height == 1 and alice != before[1]
        assert runner.chain.store.block(1) is not None
        assert len(runner.chain.store.block(1).txs) == 2  # type: ignore[union-attr]
        # the mempool was updated after the block: what it left (the tx admitted meanwhile)
        assert list(runner.mempool.ready_txs()) == [transfer(2)]
        assert runner.machine.height == 2
    finally:
        runner.halt()
        store.close()


async def test_block_sync_cannot_commit_while_a_decided_block_is_written(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "db", GENESIS.hash())
    builder_store = Store.open(tmp_path / "builder", GENESIS.hash())
    try:
        runner = solo_runner(store)
        builder = Chain(builder_store, GENESIS, proposer_address=VALIDATOR.address)
        other = builder.propose(1, 0)  # another block 1, as a peer might serve
        assert other is not None
        assert runner.mempool.admit_verified(transfer(0)).ok
        runner._start()
        assert runner.committing
        assert not runner.commit_synced(other, Commit(1, 0, other.hash(), ()))
        while runner.committing:
            await asyncio.sleep(0)
        assert runner.chain.store.block(1) != other  # ours, not the synced one
    finally:
        runner.halt()
        store.close()
        builder_store.close()


async def test_a_stop_while_a_block_is_written_leaves_it_whole(tmp_path: Path) -> None:
    path = tmp_path / "db"
    store = Store.open(path, GENESIS.hash())
    runner = solo_runner(store)
    assert runner.mempool.admit_verified(transfer(0)).ok
    runner._start()
    await asyncio.sleep(0)  # the write is handed to the commit thread
    runner.halt()
    store.close()  # waits for a write that began (one that had not is refused whole)
    with Store.open(path, GENESIS.hash()) as again:  # opening checks the root against the block
        assert again.height in (0, 1)
        assert again.recompute_state_root() == again.state_root


async def test_a_small_block_is_written_on_the_loop(tmp_path: Path) -> None:
    """A hand-off to the commit thread can wait longer than a small block's write (on a loaded
    machine): at most `INLINE_COMMIT_TXS` txs commit in the call that decided them."""
    store = Store.open(tmp_path / "db", GENESIS.hash())
    try:
        runner = solo_runner(store, inline_commit_txs=INLINE_COMMIT_TXS)
        assert runner.mempool.admit_verified(transfer(0)).ok
        runner._start()
        assert not runner.committing and runner.chain.height == 1
    finally:
        runner.halt()
        store.close()


async def test_a_lone_proposer_builds_its_block_off_the_loop_while_txs_are_admitted(
    tmp_path: Path,
) -> None:
    """Round 0's block of a validator that decides alone is built on the commit thread
    (`Chain.prepare`): the loop admits meanwhile, and round 0 then proposes that block,
    with the txs reaped when the build began."""
    genesis = dataclasses.replace(
        GENESIS,
        params=dataclasses.replace(
            GENESIS.params,
            consensus=dataclasses.replace(GENESIS.params.consensus, max_block_txs=2),
        ),
    )
    store = Store.open(tmp_path / "db", genesis.hash())
    try:
        runner = solo_runner(store, genesis=genesis)
        for nonce in range(4):  # block 1 takes 2: a full block waits after it
            assert runner.mempool.admit_verified(transfer(nonce, genesis)).ok
        runner._start()
        while runner.committing:
            await asyncio.sleep(0)
        assert runner.chain.height == 1
        assert runner._preparing is not None  # height 2's block is being built
        assert runner.machine.step == Step.NEW_HEIGHT
        assert runner.mempool.admit_verified(transfer(4, genesis)).ok  # admitted meanwhile
        assert not runner.commit_synced(runner.chain.store.block(1), runner.chain.store.commit(1))  # type: ignore[arg-type]
        while runner._preparing is not None or runner.committing:
            await asyncio.sleep(0)
        assert runner.chain.height == 2 and not runner.failed
        assert runner.chain.store.block(2).txs == (transfer(2, genesis), transfer(3, genesis))  # type: ignore[union-attr]
        assert list(runner.mempool.ready_txs()) == [transfer(4, genesis)]
    finally:
        runner.halt()
        store.close()
