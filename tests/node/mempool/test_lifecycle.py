"""Reap order, eviction, the update after a block, and verifying each tx once."""

from __future__ import annotations

import threading

from ledger.errors import ErrorCode
from ledger.state.reader import MemoryState
from ledger.tx import SignedTx
from node.mempool import Mempool, SignatureVerifier
from tests.node.mempool.conftest import (
    GENESIS_HASH,
    SENDERS,
    START_BALANCE,
    PoolFactory,
    commit,
    sign_transfer,
)

ALICE, BOB, CAROL, DAVE = SENDERS[:4]


def order(txs: list[SignedTx]) -> list[tuple[int, int]]:
    """(sender index, nonce) of each tx."""
    index = {k.public_key: i for i, k in enumerate(SENDERS)}
    return [(index[tx.body.sender], tx.body.nonce) for tx in txs]


async def admit_all(pool: Mempool, txs: list[SignedTx]) -> None:
    results = await pool.admit_batch([tx.encode() for tx in txs])
    assert all(r.ok for r in results), results


async def test_reap_takes_turns_across_senders_in_nonce_order(pool: Mempool) -> None:
    await admit_all(pool, [sign_transfer(ALICE, n) for n in range(3)])
    await admit_all(pool, [sign_transfer(BOB, n) for n in range(1)])
    await admit_all(pool, [sign_transfer(CAROL, n) for n in range(2)])
    assert order(pool.reap(100, 1 << 20)) == [(0, 0), (1, 0), (2, 0), (0, 1), (2, 1), (0, 2)]
    assert order(pool.reap(4, 1 << 20)) == [(0, 0), (1, 0), (2, 0), (0, 1)]
    assert pool.reap(0, 1 << 20) == []
    assert len(pool) == 6, "reaping does not remove"


async def test_reap_stops_a_sender_whose_next_tx_does_not_fit(pool: Mempool) -> None:
    small = len(sign_transfer(ALICE, 0).encode())
    await admit_all(pool, [sign_transfer(ALICE, 0), sign_transfer(ALICE, 1, memo="m" * 200)])
    await admit_all(pool, [sign_transfer(BOB, 0), sign_transfer(BOB, 1)])
    assert order(pool.reap(100, 4 * small)) == [(0, 0), (1, 0), (1, 1)]
    assert pool.reap(100, small - 1) == []


async def test_update_drops_included_txs_and_keeps_the_rest(
    pool: Mempool, state: MemoryState
) -> None:
    await admit_all(pool, [sign_transfer(ALICE, n) for n in range(3)])
    await admit_all(pool, [sign_transfer(BOB, n) for n in range(2)])
    block = pool.reap(3, 1 << 20)
    commit(state, block)
    report = pool.update(block, state)
    assert (report.included, report.dropped_stale, report.evicted, report.remaining) == (3, 0, 0, 2)
    assert order(pool.reap(100, 1 << 20)) == [(0, 2), (1, 1)]
    assert pool.next_nonce(ALICE.public_key) == 3
    rest = pool.reap(100, 1 << 20)
    commit(state, rest)
    assert pool.update(rest, state).remaining == 0
    assert pool.stats().senders == 0
    assert pool.next_nonce(ALICE.public_key) is None
    assert pool.stats().included_total == 5


async def test_a_tx_that_fails_the_recheck_is_evicted_with_its_successors(
    pool: Mempool, state: MemoryState
) -> None:
    """Alice's account is drained by a tx that reached the chain through another node."""
    await admit_all(pool, [sign_transfer(ALICE, n, 100_000) for n in range(3)])
    await admit_all(pool, [sign_transfer(BOB, 0)])
    elsewhere = [sign_transfer(ALICE, 0, START_BALANCE - 150_000)]
    commit(state, elsewhere)
    report = pool.update(elsewhere, state)
    assert (report.included, report.dropped_stale, report.evicted) == (0, 1, 1)
    assert order(pool.reap(100, 1 << 20)) == [(0, 1), (1, 0)]
    assert pool.stats().evicted_total == 1


async def test_update_drops_stale_future_txs_and_promotes_reached_ones(
    pool: Mempool, state: MemoryState
) -> None:
    assert (await pool.admit(sign_transfer(ALICE, 1).encode())).queued
    assert (await pool.admit(sign_transfer(ALICE, 3).encode())).queued
    elsewhere = [sign_transfer(ALICE, 0, 7), sign_transfer(ALICE, 1, 8)]
    commit(state, elsewhere)
    pool.update(elsewhere, state)
    stats = pool.stats()
    assert (stats.txs, stats.ready, stats.future) == (1, 0, 1)
    assert (await pool.admit(sign_transfer(ALICE, 2).encode())).ok
    assert order(pool.reap(100, 1 << 20)) == [(0, 2), (0, 3)]


async def test_a_flooding_sender_gives_way_to_a_newcomer(make_pool: PoolFactory) -> None:
    pool = make_pool(max_txs=4, max_txs_per_sender=10)
    await admit_all(pool, [sign_transfer(ALICE, n) for n in range(4)])
    await admit_all(pool, [sign_transfer(BOB, 0)])
    await admit_all(pool, [sign_transfer(CAROL, 0)])
    assert order(pool.reap(100, 1 << 20)) == [(0, 0), (1, 0), (2, 0), (0, 1)]
    assert pool.stats().evicted_total == 2
    await admit_all(pool, [sign_transfer(DAVE, 0)])
    assert order(pool.reap(100, 1 << 20)) == [(0, 0), (1, 0), (2, 0), (3, 0)]
    # Four senders with one tx each: nobody holds more than a newcomer would.
    erin = sign_transfer(SENDERS[4], 0)
    assert (await pool.admit(erin.encode())).code is ErrorCode.MEMPOOL_FULL
    # Alice's evicted txs can come back later, from where her ready run ends.
    assert pool.next_nonce(ALICE.public_key) == 1


async def test_future_txs_are_evicted_before_ready_ones(make_pool: PoolFactory) -> None:
    pool = make_pool(max_txs=3)
    await admit_all(pool, [sign_transfer(ALICE, 0), sign_transfer(ALICE, 2)])
    await admit_all(pool, [sign_transfer(BOB, 2)])
    assert pool.stats().future == 2
    await admit_all(pool, [sign_transfer(CAROL, 0), sign_transfer(DAVE, 0)])
    stats = pool.stats()
    assert (stats.txs, stats.future, stats.evicted_total) == (3, 0, 2)
    assert (await pool.admit(sign_transfer(BOB, 5).encode())).code is ErrorCode.MEMPOOL_FULL


async def test_each_tx_is_verified_once(pool: Mempool, state: MemoryState) -> None:
    txs = [sign_transfer(k, 0) for k in SENDERS]
    await admit_all(pool, txs)
    assert pool.stats().verified_total == len(txs)
    block = pool.reap(100, 1 << 20)
    # The validator's re-execution asks the verifier, which remembers every hash.
    assert all(pool.verifier.signature_ok(tx) for tx in block)
    commit(state, block)
    pool.update(block, state)
    again = await pool.admit_batch([tx.encode() for tx in txs])
    assert {r.code for r in again} == {ErrorCode.BAD_NONCE}
    stats = pool.stats()
    assert stats.verified_total == len(txs)  # the replays were refused before any check
    assert stats.verify_cache_hits == len(txs)  # the validator's re-execution


async def test_a_committed_block_leaves_no_hash_in_the_verified_cache(
    pool: Mempool, state: MemoryState
) -> None:
    """Issue 17 (memory): the verifier held every verified hash until 200,000 later ones pushed
    it out, 22 MiB on a busy node, though a committed tx is never checked again. Its replay,
    even with a forged signature, is refused by its used nonce before any verification."""
    txs = [sign_transfer(k, 0) for k in SENDERS]
    await admit_all(pool, txs)
    queued = sign_transfer(ALICE, 2)  # verified, waits for nonce 1: stays remembered
    await admit_all(pool, [queued])
    assert len(pool.verifier) == len(txs) + 1
    block = pool.reap(100, 1 << 20)
    commit(state, block)
    pool.update(block, state)
    assert len(pool.verifier) == 1 and pool.verifier.is_verified(queued.hash)
    forged = SignedTx(txs[0].body, bytes(64))
    results = await pool.admit_batch([tx.encode() for tx in [*txs, forged]])
    assert {r.code for r in results} == {ErrorCode.BAD_NONCE}
    assert pool.stats().verified_total == len(txs) + 1


async def test_verification_runs_off_the_event_loop_thread() -> None:
    seen: set[str] = set()

    class Recording(SignedTx):
        def verify_signature(self, genesis_hash: bytes) -> bool:
            seen.add(threading.current_thread().name)
            return super().verify_signature(genesis_hash)

    verifier = SignatureVerifier(GENESIS_HASH, cache_size=8)
    try:
        txs = [sign_transfer(SENDERS[i % 6], i // 6) for i in range(40)]
        recorded = [Recording(tx.body, tx.signature) for tx in txs]
        assert await verifier.verify_batch(recorded) == [True] * 40
        assert seen and all(name.startswith("verify") for name in seen)
        assert len(verifier) == 8, "the verified set is bounded"
        assert verifier.is_verified(txs[-1].hash) and not verifier.is_verified(txs[0].hash)
    finally:
        verifier.close()
