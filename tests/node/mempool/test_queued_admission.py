"""Issue 14, item 3: txs ahead of their sender's nonce must be paid for, capped and expire.

On 2010e93 a future-nonce tx was admitted without a balance check, gossiped and kept forever:
3,400 keys that never held a coin filled four 50,000-slot pools.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ledger.errors import ErrorCode
from ledger.keys import PrivateKey
from ledger.state.genesis_state import genesis_state
from ledger.state.reader import MemoryState
from ledger.tx import SignedTx
from node.mempool import Mempool, MempoolLimits
from tests.node.mempool.conftest import (
    GENESIS,
    GENESIS_HASH,
    OUTSIDER,
    SENDERS,
    START_BALANCE,
    PoolFactory,
    sign_transfer,
)

ALICE = SENDERS[1]


async def test_a_key_that_never_held_a_coin_cannot_queue_a_tx(pool: Mempool) -> None:
    [result] = await pool.admit_batch([sign_transfer(OUTSIDER, 1, 1).encode()])
    assert result.code is ErrorCode.INSUFFICIENT_FUNDS
    assert len(pool) == 0


async def test_queued_txs_must_be_paid_for_together(pool: Mempool) -> None:
    half = START_BALANCE // 2 + 1
    first = await pool.admit(sign_transfer(ALICE, 1, half).encode())
    assert first.ok and first.queued
    second = await pool.admit(sign_transfer(ALICE, 2, half).encode())
    assert second.code is ErrorCode.INSUFFICIENT_FUNDS
    assert pool.stats().future == 1


async def test_queued_fees_count_too(pool: Mempool) -> None:
    result = await pool.admit(sign_transfer(ALICE, 1, START_BALANCE, fee=1).encode())
    assert result.code is ErrorCode.INSUFFICIENT_FUNDS


async def test_queued_txs_are_capped_in_the_whole_pool(make_pool: PoolFactory) -> None:
    pool = make_pool(max_future_txs=3)
    results = [await pool.admit(sign_transfer(key, 1).encode()) for key in SENDERS[:4]]
    assert [r.queued for r in results[:3]] == [True, True, True]
    assert results[3].code is ErrorCode.MEMPOOL_FULL
    ready = await pool.admit(sign_transfer(SENDERS[4], 0).encode())
    assert ready.ok and not ready.queued  # a tx that can execute still gets in


async def test_queued_txs_expire_after_their_time(
    make_pool: PoolFactory, state: MemoryState
) -> None:
    pool = make_pool(future_ttl_s=60)
    pool.update([], state, time_ms=0)  # the block time admissions are stamped with
    assert (await pool.admit(sign_transfer(ALICE, 1).encode())).queued
    pool.update([], state, time_ms=59_000)
    assert pool.stats().future == 1
    pool.update([], state, time_ms=61_000)
    assert pool.stats().future == 0 and len(pool) == 0


async def test_a_queued_tx_is_handed_out_for_gossip_only_once_it_can_execute(
    pool: Mempool,
) -> None:
    queued = sign_transfer(ALICE, 1)
    assert (await pool.admit(queued.encode())).queued
    assert pool.take_promoted() == []
    assert [tx.hash for tx in pool.ready_txs()] == []
    assert (await pool.admit(sign_transfer(ALICE, 0).encode())).ok
    assert [tx.hash for tx in pool.take_promoted()] == [queued.hash]
    assert pool.take_promoted() == []


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.tuples(
            st.sampled_from([*SENDERS[:3], OUTSIDER]),
            st.integers(0, 5),  # nonce: 0 is ready, others wait
            st.integers(1, START_BALANCE // 2),
            st.integers(0, 3),
        ),
        max_size=25,
    )
)
async def test_every_queued_tx_is_paid_for_and_within_the_caps(
    submits: list[tuple[PrivateKey, int, int, int]],
) -> None:
    """The invariant behind the flood test: whatever arrives, each sender's balance after its
    ready txs covers every queued tx's fee and transfer amount, and the total cap holds."""
    limits = MempoolLimits(max_future_txs=6)
    pool = Mempool(GENESIS.params, GENESIS_HASH, genesis_state(GENESIS), limits)
    try:
        for key, nonce, amount, fee in submits:
            await pool.admit(sign_transfer(key, nonce, amount, fee=fee).encode())
    finally:
        pool.verifier.close()
    assert pool.stats().future <= 6
    queued: dict[bytes, list[SignedTx]] = {}
    ready: dict[bytes, list[SignedTx]] = {}
    for tx in pool.txs():
        nonce_ready = tx in list(pool.ready_txs())
        (ready if nonce_ready else queued).setdefault(tx.body.sender, []).append(tx)
    for sender, txs in queued.items():
        assert sender != OUTSIDER.public_key
        spent = sum(t.body.fee + t.body.payload.amount for t in ready.get(sender, []))
        owed = sum(t.body.fee + t.body.payload.amount for t in txs)
        assert START_BALANCE - spent >= owed
