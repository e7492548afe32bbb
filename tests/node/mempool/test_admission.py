"""Admission: every bad input gets its precise code and leaves the pool exactly as it was."""

from __future__ import annotations

from dataclasses import FrozenInstanceError
from typing import Any

import pytest

from ledger.errors import ErrorCode
from ledger.state.reader import MemoryState
from ledger.tx import SignedTx
from node.mempool import Admission, Mempool
from tests.node.mempool.conftest import (
    OUTSIDER,
    SENDERS,
    START_BALANCE,
    PoolFactory,
    commit,
    sign_transfer,
)

ALICE, BOB, CAROL = SENDERS[0], SENDERS[1], SENDERS[2]


def snapshot(pool: Mempool) -> tuple[Any, ...]:
    s = pool.stats()
    return (
        [tx.hash for tx in pool.txs()],
        (s.txs, s.bytes, s.ready, s.future, s.senders, s.admitted_total, s.evicted_total),
        [pool.next_nonce(k.public_key) for k in SENDERS],
    )


async def assert_rejected(pool: Mempool, data: bytes, code: ErrorCode) -> None:
    before = snapshot(pool)
    [result] = await pool.admit_batch([data])
    assert result.code is code, result
    assert not result.ok
    assert snapshot(pool) == before, "a rejected tx changed the pool"
    assert pool.stats().rejected_total[code] >= 1


async def test_a_valid_transfer_is_admitted_and_reaped(pool: Mempool) -> None:
    tx = sign_transfer(ALICE, 0, 5)
    [result] = await pool.admit_batch([tx.encode()])
    assert result.ok and result.tx_hash == tx.hash and not result.queued
    assert tx.hash in pool and pool.get(tx.hash) == tx
    assert pool.reap(10, 1 << 20) == [tx]
    assert pool.next_nonce(ALICE.public_key) == 1
    assert pool.stats().bytes == len(tx.encode())


async def test_malformed_bytes_are_rejected(pool: Mempool) -> None:
    await pool.admit_batch([sign_transfer(BOB, 0).encode()])
    good = sign_transfer(ALICE, 0).encode()
    for data in (b"", b"\xc1", b"garbage", good[:-1], good + b"\x00", b"\x92\x01\x02"):
        await assert_rejected(pool, data, ErrorCode.MALFORMED)


async def test_a_bad_signature_is_rejected(pool: Mempool) -> None:
    tx = sign_transfer(ALICE, 0)
    forged = SignedTx(tx.body, bytes(64)).encode()
    await assert_rejected(pool, forged, ErrorCode.BAD_SIGNATURE)
    other_key = SignedTx(sign_transfer(BOB, 0).body, tx.signature).encode()
    await assert_rejected(pool, other_key, ErrorCode.BAD_SIGNATURE)
    assert pool.verifier.is_verified(tx.hash) is False


async def test_a_tx_for_another_chain_is_rejected(pool: Mempool) -> None:
    tx = sign_transfer(ALICE, 0, chain_id="another-chain")
    await assert_rejected(pool, tx.encode(), ErrorCode.WRONG_CHAIN)


async def test_a_replayed_nonce_is_rejected(pool: Mempool, state: MemoryState) -> None:
    first = sign_transfer(ALICE, 0, 1)
    commit(state, [first])
    pool.update([first], state)
    await assert_rejected(pool, first.encode(), ErrorCode.BAD_NONCE)
    await assert_rejected(pool, sign_transfer(ALICE, 0, 2).encode(), ErrorCode.BAD_NONCE)


async def test_a_nonce_gap_beyond_the_future_window_is_rejected(make_pool: PoolFactory) -> None:
    pool = make_pool(max_future_per_sender=3)
    await assert_rejected(pool, sign_transfer(ALICE, 3).encode(), ErrorCode.NONCE_TOO_HIGH)
    [queued] = await pool.admit_batch([sign_transfer(ALICE, 2).encode()])
    assert queued.ok and queued.queued
    no_queue = make_pool(max_future_per_sender=0)
    await assert_rejected(no_queue, sign_transfer(ALICE, 1).encode(), ErrorCode.NONCE_TOO_HIGH)


async def test_insufficient_funds_counts_pending_spends(pool: Mempool) -> None:
    spend = START_BALANCE * 6 // 10
    [first] = await pool.admit_batch([sign_transfer(ALICE, 0, spend).encode()])
    assert first.ok
    await assert_rejected(
        pool, sign_transfer(ALICE, 1, spend).encode(), ErrorCode.INSUFFICIENT_FUNDS
    )
    await assert_rejected(
        pool, sign_transfer(ALICE, 1, 1, fee=START_BALANCE).encode(), ErrorCode.INSUFFICIENT_FUNDS
    )
    await assert_rejected(
        pool, sign_transfer(OUTSIDER, 0, 1).encode(), ErrorCode.INSUFFICIENT_FUNDS
    )
    [rest] = await pool.admit_batch([sign_transfer(ALICE, 1, START_BALANCE - spend).encode()])
    assert rest.ok


async def test_an_oversize_tx_is_rejected(make_pool: PoolFactory) -> None:
    pool = make_pool(max_tx_bytes=200)
    big = sign_transfer(ALICE, 0, memo="x" * 120)
    assert len(big.encode()) > 200
    await assert_rejected(pool, big.encode(), ErrorCode.TOO_LARGE)
    await assert_rejected(pool, b"\x00" * 201, ErrorCode.TOO_LARGE)
    [small] = await pool.admit_batch([sign_transfer(ALICE, 0).encode()])
    assert small.ok
    [decoded] = await pool.admit_txs([sign_transfer(BOB, 0, memo="y" * 120)])
    assert decoded.code is ErrorCode.TOO_LARGE


async def test_a_full_pool_rejects_a_tx_that_cannot_make_room(make_pool: PoolFactory) -> None:
    pool = make_pool(max_txs=2)
    results = await pool.admit_batch([sign_transfer(k, 0).encode() for k in (ALICE, BOB)])
    assert all(r.ok for r in results)
    await assert_rejected(pool, sign_transfer(CAROL, 0).encode(), ErrorCode.MEMPOOL_FULL)
    await assert_rejected(pool, sign_transfer(ALICE, 1).encode(), ErrorCode.MEMPOOL_FULL)
    await assert_rejected(pool, sign_transfer(CAROL, 1).encode(), ErrorCode.MEMPOOL_FULL)


async def test_a_full_pool_by_bytes_rejects_too(make_pool: PoolFactory) -> None:
    size = len(sign_transfer(ALICE, 0).encode())
    pool = make_pool(max_bytes=2 * size + 10, max_tx_bytes=size + 10)
    assert all(r.ok for r in await pool.admit_batch([sign_transfer(ALICE, 0).encode()]))
    assert all(r.ok for r in await pool.admit_batch([sign_transfer(BOB, 0).encode()]))
    await assert_rejected(pool, sign_transfer(CAROL, 0).encode(), ErrorCode.MEMPOOL_FULL)


async def test_a_sender_over_its_cap_is_rejected(make_pool: PoolFactory) -> None:
    pool = make_pool(max_txs_per_sender=2)
    results = await pool.admit_batch([sign_transfer(ALICE, n).encode() for n in (0, 1)])
    assert all(r.ok for r in results)
    await assert_rejected(pool, sign_transfer(ALICE, 2).encode(), ErrorCode.SENDER_CAP)
    await assert_rejected(pool, sign_transfer(ALICE, 3).encode(), ErrorCode.SENDER_CAP)
    assert (await pool.admit_batch([sign_transfer(BOB, 0).encode()]))[0].ok


async def test_a_duplicate_is_rejected_without_verifying_again(pool: Mempool) -> None:
    tx = sign_transfer(ALICE, 0)
    first, again = await pool.admit_batch([tx.encode(), tx.encode()])
    assert first.ok
    assert again.code is ErrorCode.DUPLICATE
    verified = pool.stats().verified_total
    await assert_rejected(pool, tx.encode(), ErrorCode.DUPLICATE)
    assert pool.stats().verified_total == verified


async def test_another_tx_at_a_pending_nonce_is_rejected(pool: Mempool) -> None:
    assert (await pool.admit_batch([sign_transfer(ALICE, 0, 1).encode()]))[0].ok
    assert (await pool.admit_batch([sign_transfer(ALICE, 2, 1).encode()]))[0].queued
    await assert_rejected(pool, sign_transfer(ALICE, 0, 2).encode(), ErrorCode.NONCE_IN_POOL)
    await assert_rejected(pool, sign_transfer(ALICE, 2, 2).encode(), ErrorCode.NONCE_IN_POOL)


async def test_ledger_rule_codes_pass_through(pool: Mempool) -> None:
    await assert_rejected(pool, sign_transfer(ALICE, 0, 0).encode(), ErrorCode.ZERO_AMOUNT)
    await assert_rejected(pool, sign_transfer(ALICE, 1, 0).encode(), ErrorCode.ZERO_AMOUNT)
    await assert_rejected(pool, sign_transfer(ALICE, 0, to=ALICE).encode(), ErrorCode.SELF_TRANSFER)


async def test_a_batch_answers_in_input_order(pool: Mempool) -> None:
    good = sign_transfer(ALICE, 0)
    batch = [b"junk", good.encode(), sign_transfer(BOB, 0, chain_id="x").encode(), good.encode()]
    codes = [r.code for r in await pool.admit_batch(batch)]
    assert codes == [
        ErrorCode.MALFORMED,
        ErrorCode.OK,
        ErrorCode.WRONG_CHAIN,
        ErrorCode.DUPLICATE,
    ]
    assert (await pool.admit(b"junk")).code is ErrorCode.MALFORMED


async def test_future_txs_wait_then_join_in_order(pool: Mempool) -> None:
    later = [sign_transfer(ALICE, n) for n in (2, 1)]
    results = await pool.admit_batch([tx.encode() for tx in later])
    assert all(r.ok and r.queued for r in results)
    assert pool.reap(10, 1 << 20) == []
    assert pool.stats().future == 2
    head = sign_transfer(ALICE, 0)
    assert (await pool.admit(head.encode())).ok
    assert [tx.body.nonce for tx in pool.reap(10, 1 << 20)] == [0, 1, 2]
    assert pool.stats().future == 0
    assert pool.next_nonce(ALICE.public_key) == 3


async def test_a_queued_tx_that_fails_when_its_turn_comes_is_dropped(pool: Mempool) -> None:
    assert (await pool.admit(sign_transfer(ALICE, 1, START_BALANCE).encode())).queued
    assert (await pool.admit(sign_transfer(ALICE, 0, 10).encode())).ok
    assert [tx.body.nonce for tx in pool.reap(10, 1 << 20)] == [0]
    stats = pool.stats()
    assert (stats.txs, stats.future, stats.evicted_total) == (1, 0, 1)


async def test_a_sender_at_its_cap_can_still_fill_its_own_gap(make_pool: PoolFactory) -> None:
    pool = make_pool(max_txs_per_sender=3)
    queued = await pool.admit_batch([sign_transfer(ALICE, n).encode() for n in (1, 2, 3)])
    assert all(r.queued for r in queued)
    await assert_rejected(pool, sign_transfer(ALICE, 4).encode(), ErrorCode.SENDER_CAP)
    [head] = await pool.admit_batch([sign_transfer(ALICE, 0).encode()])
    assert head.ok and not head.queued
    assert [tx.body.nonce for tx in pool.reap(10, 1 << 20)] == [0, 1, 2]
    stats = pool.stats()
    assert (stats.txs, stats.future, stats.evicted_total) == (3, 0, 1)


async def test_an_admitted_tx_gets_the_same_answer_as_the_dataclass_would_build(
    make_pool: PoolFactory,
) -> None:
    """The OK answer is built slot by slot (ledger/slotset.py): every field set, still frozen."""
    pool = make_pool()
    tx = sign_transfer(ALICE, 0)
    [result] = await pool.admit_batch([tx.encode()])
    assert result == Admission(ErrorCode.OK, tx.hash)
    assert (result.code, result.tx_hash, result.reason, result.queued) == (
        ErrorCode.OK,
        tx.hash,
        "",
        False,
    )
    with pytest.raises(FrozenInstanceError):
        result.reason = "changed"  # type: ignore[misc]
