"""The runner's pacing: a height begins at once when txs wait; an empty one keeps the interval.

Regression (issue 17, goal 4): round 0 of every height began a whole block interval after the
last block's time, txs waiting or not, so at 20 tx/s a tx waited about half an interval before
any proposal (p50 375 ms on four validators). These drive a real runner (LevelDB chain, mempool,
evidence pool, an unconnected `PeerManager`) of a four-validator chain, as the proposer of
height 2 or as an observer, through height 1, and look at where height 2 stands: the machine's
step says whether round 0 began.
Nothing here waits on a clock: the runner's clock is fixed at the block's time, so the interval
never runs out during a test.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest

from consensus.messages import Proposal, Step
from consensus.signer import MemorySignStateStore
from consensus.timeouts import Timeouts
from consensus.validators import ValidatorSet
from consensus.wal import MemoryWAL
from consensus.wal_signer import JournaledSigner
from ledger.block import Block, Vote, VoteType
from ledger.consensus_params import ConsensusParams
from ledger.genesis import ChainParams, Genesis, GenesisValidator
from ledger.keys import PrivateKey
from ledger.store.store import Store
from ledger.tx import SignedTx, Transfer, TxBody
from node.chain import Chain
from node.evidence_pool import EvidencePool
from node.mempool import Mempool
from node.p2p.handshake import Identity
from node.p2p.manager import PeerManager
from node.pacing import QUIET_MS
from node.router import Router
from node.runner import Runner

KEYS = [PrivateKey.from_secret(b"pacing-validator-%d" % i) for i in range(4)]
ALICE, BOB = PrivateKey.from_secret(b"pacing-alice"), PrivateKey.from_secret(b"pacing-bob")
GENESIS = Genesis(
    params=ChainParams(chain_id="coterie-pacing", address_prefix="tcot"),
    genesis_time_ms=1_000,
    balances=((ALICE.address, 1_000_000),),
    validators=tuple(GenesisValidator(f"v{i}", k.public_key, 1) for i, k in enumerate(KEYS)),
)
BLOCK_TIME_MS = 10_000
SECOND_PROPOSER = ValidatorSet.from_genesis(GENESIS.validators).advance(1).proposer(0).address
PROPOSER_KEY = next(k for k in KEYS if k.address == SECOND_PROPOSER)


@pytest.fixture
def stores(tmp_path: Path) -> Iterator[tuple[Store, Store]]:
    ours = Store.open(tmp_path / "observer", GENESIS.hash())
    builder = Store.open(tmp_path / "builder", GENESIS.hash())
    yield ours, builder
    ours.close()
    builder.close()


def transfer(nonce: int) -> SignedTx:
    body = TxBody(GENESIS.chain_id, ALICE.public_key, nonce, 1, Transfer(BOB.address, 5))
    return body.sign(ALICE, GENESIS.hash())


def proposal_of(chain: Chain, height: int, block: Block) -> Proposal:
    key = next(k for k in KEYS if k.address == block.header.proposer)
    sign_bytes = Proposal.sign_bytes_for(GENESIS.hash(), height, 0, -1, block.hash())
    return Proposal(height, 0, -1, block, key.sign(sign_bytes))


def decide(runner: Runner, height: int, block: Block) -> None:
    """Height `height` decided at round 0 on `block`: votes of three validators other than
    the runner's (whose own votes make the fourth)."""
    runner.on_proposal(None, proposal_of(runner.chain, height, block))
    for vote_type in (VoteType.PREVOTE, VoteType.PRECOMMIT):
        for key in [k for k in KEYS if k is not PROPOSER_KEY]:
            sign_bytes = Vote.sign_bytes_for(GENESIS.hash(), vote_type, height, 0, block.hash())
            runner.on_vote(
                None, Vote(vote_type, height, 0, block.hash(), key.address, key.sign(sign_bytes))
            )
    assert runner.chain.height == height and not runner.failed


def builder_block(store: Store, height: int, proposer_round: int = 0) -> tuple[Chain, Block]:
    chain = Chain(store, GENESIS)
    proposer = chain.validators.proposer(proposer_round).address
    builder = Chain(store, GENESIS, proposer_address=proposer, clock=lambda: BLOCK_TIME_MS)
    block = builder.propose(height, 0)
    assert block is not None
    return builder, block


def start_runner(
    store: Store,
    key: PrivateKey | None = None,
    genesis: Genesis = GENESIS,
    *,
    begin: bool = True,
    start_at_once: bool = True,
    now_ms: int = BLOCK_TIME_MS,
    quiet_start_ms: int = QUIET_MS,
) -> Runner:
    """A runner at height 1, its clock stopped at the block's time: an observer (no signer) or
    the validator of `key`; `begin=False` leaves it unstarted; `start_at_once=False` is
    `[pacing] start_at_once = false`; `now_ms` is its clock."""
    mempool = Mempool(genesis.params, genesis.hash(), store.state)
    address = key.address if key else None
    chain = Chain(store, genesis, proposer_address=address, txs=mempool.reap, clock=lambda: now_ms)
    identity = Identity(PrivateKey.from_secret(b"pacing-node"), GENESIS.chain_id, GENESIS.hash())
    net = PeerManager(identity, allowlist=(), handler=Router(mempool))
    wal = MemoryWAL() if key else None
    signer = (
        JournaledSigner(key, genesis.hash(), MemorySignStateStore(), wal, new_chain=True)
        if key and wal
        else None
    )
    runner = Runner(
        chain,
        mempool,
        EvidencePool(chain),
        net,
        timeouts=Timeouts.from_params(genesis.params.consensus),
        clock_ms=lambda: now_ms,
        signer=signer,
        wal=wal,
        start_at_once=start_at_once,
        quiet_start_ms=quiet_start_ms,
    )
    if begin:
        runner._start()
    return runner


async def test_the_proposer_begins_at_once_when_txs_wait_at_the_decision(
    stores: tuple[Store, Store],
) -> None:
    ours, builder_store = stores
    runner = start_runner(ours, PROPOSER_KEY)
    _, block = builder_block(builder_store, 1)  # an empty block: the tx stays in our pool
    assert runner.mempool.admit_verified(transfer(0)).ok
    decide(runner, 1, block)
    assert runner.machine.height == 2
    assert runner.machine.step == Step.PREVOTE  # no interval: it proposed and prevoted at once
    assert runner.machine.round_messages(0)[0].block.txs == (transfer(0),)
    assert not runner.status().waiting_for_txs


async def test_with_the_rule_off_the_proposer_keeps_the_interval_though_txs_wait(
    stores: tuple[Store, Store],
) -> None:
    """`[pacing] start_at_once = false`: every height waits out the interval, as before the
    rule (the bench's measure of what the rule costs in saturated throughput)."""
    ours, builder_store = stores
    runner = start_runner(ours, PROPOSER_KEY, start_at_once=False)
    _, block = builder_block(builder_store, 1)
    assert runner.mempool.admit_verified(transfer(0)).ok
    decide(runner, 1, block)
    assert (runner.machine.height, runner.machine.step) == (2, Step.NEW_HEIGHT)
    runner.txs_available()
    assert runner.machine.step == Step.NEW_HEIGHT  # the tx waits for the interval
    runner._on_timer(2, 0, Step.NEW_HEIGHT)  # the interval is over
    assert runner.machine.step == Step.PREVOTE
    assert runner.machine.round_messages(0)[0].block.txs == (transfer(0),)


async def test_an_empty_height_keeps_the_interval_until_a_tx_reaches_the_proposer(
    stores: tuple[Store, Store],
) -> None:
    ours, builder_store = stores
    runner = start_runner(ours, PROPOSER_KEY)
    _, block = builder_block(builder_store, 1)
    decide(runner, 1, block)
    assert (runner.machine.height, runner.machine.step) == (2, Step.NEW_HEIGHT)  # the interval
    runner.txs_available()  # a spurious call: nothing ready, nothing begins
    assert runner.machine.step == Step.NEW_HEIGHT
    assert runner.mempool.admit_verified(transfer(0)).ok
    runner.txs_available()
    assert runner.machine.step == Step.PREVOTE  # the first ready tx ends the wait


async def test_a_restarted_proposer_whose_last_block_is_old_begins_at_once(
    stores: tuple[Store, Store],
) -> None:
    """Regression (issue 17, goal 6): a restarted node began its first height a whole block
    interval after its start, however long ago its last block was, so a restart took a second
    more to commit than it needed to. Now it waits what is left of the interval since the last
    block's time, as after any decision (node/pacing.py, `start_in_ms`)."""
    ours, builder_store = stores
    first = start_runner(ours, PROPOSER_KEY)
    _, block = builder_block(builder_store, 1)
    decide(first, 1, block)
    first.halt()  # stopped; started again 10 s after the block's time
    restarted = start_runner(ours, PROPOSER_KEY, now_ms=BLOCK_TIME_MS + 10_000)
    assert (restarted.machine.height, restarted.machine.step) == (2, Step.NEW_HEIGHT)
    await asyncio.sleep(0.05)  # the 1 ms NEW_HEIGHT timeout is due first (timers fire in order)
    assert restarted.machine.step == Step.PREVOTE  # it proposed the empty block and prevoted
    restarted.halt()


async def test_a_node_that_does_not_propose_waits_for_the_proposal_not_its_own_txs(
    stores: tuple[Store, Store],
) -> None:
    """Its propose timeout must not start before the proposer could begin (a proposer still
    committing a large block would be timed out by followers that began without it)."""
    ours, builder_store = stores
    runner = start_runner(ours)
    builder, block = builder_block(builder_store, 1)
    assert runner.mempool.admit_verified(transfer(0)).ok
    decide(runner, 1, block)
    runner.txs_available()
    assert (runner.machine.height, runner.machine.step) == (2, Step.NEW_HEIGHT)
    builder.commit(block, runner.chain.store.commit(1))
    _, second = builder_block(builder_store, 2, proposer_round=0)
    runner.on_proposal(None, proposal_of(runner.chain, 2, second))
    step = runner.machine.step
    assert step != Step.NEW_HEIGHT  # the proposer started height 2: so do we
    # the interval's timer comes due later: stale, it must not hold the height in the gate
    # (the node would report waiting for txs while round 0 runs) nor move the machine
    runner._on_timer(2, 0, Step.NEW_HEIGHT)
    assert runner.machine.step == step and not runner.status().waiting_for_txs
    assert not runner.failed


def solo_genesis(max_block_txs: int) -> Genesis:
    return Genesis(
        params=ChainParams(
            chain_id="coterie-pacing-solo",
            address_prefix="tcot",
            consensus=ConsensusParams(max_block_txs=max_block_txs),
        ),
        genesis_time_ms=1_000,
        balances=((ALICE.address, 1_000_000),),
        validators=(GenesisValidator("v0", KEYS[0].public_key, 1),),
    )


def solo_after_block_1(
    store: Store, solo: Genesis, txs: int, quiet_start_ms: int = QUIET_MS
) -> Runner:
    """A one-validator runner that admitted `txs` transfers and committed block 1 (made at
    once, decided by its own votes): what block 1 left waits at height 2."""
    runner = start_runner(store, KEYS[0], solo, begin=False, quiet_start_ms=quiet_start_ms)
    for nonce in range(txs):
        body = TxBody(solo.chain_id, ALICE.public_key, nonce, 1, Transfer(BOB.address, 5))
        assert runner.mempool.admit_verified(body.sign(ALICE, solo.hash())).ok
    runner._start()
    return runner


async def test_a_validator_that_decides_alone_keeps_the_interval_while_no_full_block_waits(
    tmp_path: Path,
) -> None:
    """One validator's height runs from proposal to commit in one call: beginning the next at
    once made every client request a block of its own under load (a third of its throughput
    lost), so it keeps the interval until a block's worth waits (node/pacing.py)."""
    solo = solo_genesis(max_block_txs=2)
    store = Store.open(tmp_path / "solo", solo.hash())
    try:
        runner = solo_after_block_1(store, solo, txs=3)  # block 1 takes 2, one tx waits
        assert runner.chain.height == 1 and runner.mempool.stats().ready == 1
        assert (runner.machine.height, runner.machine.step) == (2, Step.NEW_HEIGHT)
        runner.txs_available()
        assert runner.machine.step == Step.NEW_HEIGHT  # the interval: one tx is no full block
        assert not runner.failed
    finally:
        runner.halt()
        store.close()


async def test_a_validator_that_decides_alone_begins_when_admissions_pause(
    tmp_path: Path,
) -> None:
    """Regression (issue 17, goal 3): the last txs of a burst waited out the whole interval
    (up to a second) on one validator, though nothing more was coming. Each admission arms
    `QuietStart`; when it comes due (`QUIET_MS` after the last) the height begins."""
    solo = solo_genesis(max_block_txs=2)
    store = Store.open(tmp_path / "solo", solo.hash())
    try:
        runner = solo_after_block_1(store, solo, txs=3)  # block 1 takes 2, one tx waits
        assert runner._quiet.armed  # armed at the decision: that tx arrived during height 1
        runner.txs_available()  # another admission: armed again
        assert runner.machine.step == Step.NEW_HEIGHT and runner._quiet.armed
        runner._quiet.due()  # the pause
        assert runner.chain.height == 2 and not runner._quiet.armed
        assert len(runner.chain.store.block(2).txs) == 1  # type: ignore[union-attr]
        runner.txs_available()  # nothing waits: nothing armed
        assert not runner._quiet.armed and not runner.failed
    finally:
        runner.halt()
        store.close()


async def test_a_validator_that_decides_alone_begins_at_once_when_a_full_block_waits(
    tmp_path: Path,
) -> None:
    """Regression (issue 17, goal 3): one validator saturated committed at most
    `max_block_txs` per block interval (20,000 tx/s with the defaults) however fast it
    admitted, its mempool holding a full block while it waited out the interval. Waiting
    cannot make that block larger, only later: it begins at once, at the decision or when the
    block's worth arrives."""
    solo = solo_genesis(max_block_txs=2)
    store = Store.open(tmp_path / "solo", solo.hash())
    try:
        runner = solo_after_block_1(store, solo, txs=4)  # block 1 takes 2: a full block waits
        # block 2 was made at once on the decision of block 1, and block 3 with what is left
        # only when a full block waits again
        assert runner.chain.height == 2 and runner.mempool.stats().ready == 0
        assert (runner.machine.height, runner.machine.step) == (3, Step.NEW_HEIGHT)
        for nonce in (4, 5):
            body = TxBody(solo.chain_id, ALICE.public_key, nonce, 1, Transfer(BOB.address, 5))
            assert runner.mempool.admit_verified(body.sign(ALICE, solo.hash())).ok
            runner.txs_available()
        assert runner.chain.height == 3  # the second tx made a full block: decided at once
        assert [len(runner.chain.store.block(h).txs) for h in (1, 2, 3)] == [2, 2, 2]
        assert not runner.failed
    finally:
        runner.halt()
        store.close()


async def test_a_trickle_of_admissions_never_holds_a_lone_validator_past_its_interval(
    tmp_path: Path,
) -> None:
    """The adversary: a stranger sending a tx every few tens of ms re-arms `QuietStart` before
    it comes due, so no pause is ever seen. That only takes away the early start: the height's
    NEW_HEIGHT timeout (the interval) still begins round 0 with what waits."""
    solo = solo_genesis(max_block_txs=2)
    store = Store.open(tmp_path / "solo", solo.hash())
    try:
        runner = solo_after_block_1(store, solo, txs=3)  # block 1 takes 2, one tx waits
        for _ in range(50):
            runner.txs_available()  # re-armed each time: never quiet
            assert runner._quiet.armed and runner.machine.step == Step.NEW_HEIGHT
        runner._on_timer(2, 0, Step.NEW_HEIGHT)  # the interval is up
        assert runner.chain.height == 2 and not runner.failed
    finally:
        runner.halt()
        store.close()


async def test_the_pause_a_lone_validator_waits_for_is_its_configured_quiet_start(
    tmp_path: Path,
) -> None:
    """`[pacing] quiet_start_ms`: the timer each admission arms runs that long, not the
    default (an operator whose clients send slower batches can wait longer for them)."""
    solo = solo_genesis(max_block_txs=2)
    store = Store.open(tmp_path / "solo", solo.hash())
    try:
        runner = solo_after_block_1(store, solo, txs=3, quiet_start_ms=700)
        loop = asyncio.get_running_loop()
        runner.txs_available()
        timer = runner._quiet._timer
        assert timer is not None
        assert 0.6 < timer.when() - loop.time() <= 0.7
        assert runner.machine.step == Step.NEW_HEIGHT
    finally:
        runner.halt()
        store.close()
