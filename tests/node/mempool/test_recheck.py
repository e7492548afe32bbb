"""After a block, only the senders whose pending txs the block could have changed run again."""

from __future__ import annotations

from ledger.codec import U64_MAX
from ledger.state import keys
from ledger.state.reader import MemoryState
from ledger.state.records import Account
from ledger.tx import SignedTx
from node.mempool import Mempool
from tests.node.mempool.conftest import (
    GENESIS,
    GENESIS_HASH,
    OUTSIDER,
    SENDERS,
    START_BALANCE,
    commit,
    sign_transfer,
)

ALICE, BOB, CAROL, DAVE, ERIN, FRANK = SENDERS


async def admit_all(pool: Mempool, txs: list[SignedTx]) -> None:
    results = await pool.admit_batch([tx.encode() for tx in txs])
    assert all(r.ok for r in results), results


def hashes(pool: Mempool) -> list[bytes]:
    return [tx.hash for tx in pool.txs()]


async def test_senders_the_block_did_not_touch_are_kept_without_running(
    pool: Mempool, state: MemoryState
) -> None:
    await admit_all(pool, [sign_transfer(ALICE, n, to=ERIN) for n in range(3)])
    await admit_all(pool, [sign_transfer(BOB, n, to=FRANK) for n in range(2)])
    block = pool.reap(2, 1 << 20)  # Alice 0 and Bob 0
    result = commit(state, block)
    report = pool.update(block, state, changes=result.changes)
    assert (report.included, report.evicted, report.remaining, report.rechecked) == (2, 0, 3, 0)
    rest = pool.reap(100, 1 << 20)
    assert [(tx.body.sender, tx.body.nonce) for tx in rest] == [
        (ALICE.public_key, 1),
        (BOB.public_key, 1),
        (ALICE.public_key, 2),
    ]
    commit(state, rest)  # the kept txs still execute in VALIDATE mode


async def test_another_senders_tx_can_invalidate_a_pending_tx(
    pool: Mempool, state: MemoryState
) -> None:
    """Carol's balance is near the maximum: Alice's pending payment to her fits until Bob's
    payment, which reached the chain through another node, fills it up."""
    state.apply({keys.account(CAROL.address.raw): Account(U64_MAX - 10, 0).encode()})
    await admit_all(pool, [sign_transfer(ALICE, 0, 5, to=CAROL), sign_transfer(ALICE, 1, to=ERIN)])
    await admit_all(pool, [sign_transfer(DAVE, 0, to=FRANK)])
    elsewhere = [sign_transfer(BOB, 0, 10, to=CAROL)]
    result = commit(state, elsewhere)
    report = pool.update(elsewhere, state, changes=result.changes)
    assert (report.evicted, report.remaining, report.rechecked) == (2, 1, 1)
    assert hashes(pool) == [sign_transfer(DAVE, 0, to=FRANK).hash]


async def test_a_block_that_moves_a_senders_coin_for_another_kind_invalidates_its_txs(
    pool: Mempool, state: MemoryState
) -> None:
    """A governance or treasury action can debit an account that is not its tx's sender: the
    rule is about the state a block wrote, whichever tx kind wrote it."""
    await admit_all(pool, [sign_transfer(ALICE, n, 100_000, to=ERIN) for n in range(3)])
    await admit_all(pool, [sign_transfer(BOB, 0, to=FRANK)])
    debited = {keys.account(ALICE.address.raw): Account(250_000, 0).encode()}
    state.apply(debited)
    report = pool.update([], state, changes=debited)
    assert (report.evicted, report.remaining, report.rechecked) == (1, 3, 1)
    assert pool.stats().ready == 3  # Alice 0 and 1 still fit in 250,000; Bob 0


def assert_effects_as_if_rerun(pool: Mempool, state: MemoryState) -> None:
    """The kept txs' recorded effects are what executing them again on `state` records."""
    rerun = Mempool(GENESIS.params, GENESIS_HASH, state)
    for tx in pool.txs():
        assert rerun.admit_verified(tx).ok
        assert pool.recorded_effect(tx.hash) == rerun.recorded_effect(tx.hash)


async def test_a_credit_to_a_sender_keeps_its_txs_without_running(
    pool: Mempool, state: MemoryState
) -> None:
    await admit_all(pool, [sign_transfer(ALICE, n, START_BALANCE // 2, to=ERIN) for n in range(2)])
    elsewhere = [sign_transfer(BOB, 0, 10, to=ALICE)]
    result = commit(state, elsewhere)
    report = pool.update(elsewhere, state, changes=result.changes)
    assert (report.evicted, report.remaining, report.rechecked) == (0, 2, 0)
    assert_effects_as_if_rerun(pool, state)
    assert pool.next_nonce(ALICE.public_key) == 2
    commit(state, pool.reap(100, 1 << 20))


async def test_credits_to_recipients_and_to_the_included_senders_keep_the_rest(
    pool: Mempool, state: MemoryState
) -> None:
    """The bench's pattern: every sender pays the next one, so each block credits every sender
    and every pending tx's recipient; nobody runs again."""
    ring = [ALICE, BOB, CAROL, DAVE]
    for index, key in enumerate(ring):
        await admit_all(
            pool, [sign_transfer(key, n, 7, to=ring[(index + 1) % 4]) for n in range(3)]
        )
    block = pool.reap(4, 1 << 20)  # nonce 0 of each
    result = commit(state, block)
    report = pool.update(block, state, changes=result.changes)
    assert (report.included, report.evicted, report.remaining, report.rechecked) == (4, 0, 8, 0)
    assert_effects_as_if_rerun(pool, state)
    rest = pool.reap(100, 1 << 20)
    assert len(rest) == 8
    commit(state, rest)


async def test_two_accounts_holding_the_same_bytes_are_shifted_by_their_own_credits(
    pool: Mempool, state: MemoryState
) -> None:
    """A run's shifted values are remembered by key and value (effects._shifted): Alice and Bob
    hold the same record, the block credits them differently, and Alice's run reads both."""
    assert state.get(keys.account(ALICE.address.raw)) == state.get(keys.account(BOB.address.raw))
    await admit_all(pool, [sign_transfer(ALICE, n, 5, to=BOB) for n in range(3)])
    elsewhere = [sign_transfer(CAROL, 0, 10, to=ALICE), sign_transfer(DAVE, 0, 20, to=BOB)]
    result = commit(state, elsewhere)
    report = pool.update(elsewhere, state, changes=result.changes)
    assert (report.evicted, report.remaining, report.rechecked) == (0, 3, 0)
    assert_effects_as_if_rerun(pool, state)
    commit(state, pool.reap(100, 1 << 20))


async def test_an_account_created_by_the_block_reads_as_credited(
    pool: Mempool, state: MemoryState
) -> None:
    newcomer = OUTSIDER
    await admit_all(pool, [sign_transfer(ALICE, n, 5, to=newcomer) for n in range(2)])
    elsewhere = [sign_transfer(BOB, 0, 10, to=newcomer)]
    result = commit(state, elsewhere)
    report = pool.update(elsewhere, state, changes=result.changes)
    assert (report.evicted, report.remaining, report.rechecked) == (0, 2, 0)
    assert_effects_as_if_rerun(pool, state)


async def test_a_credit_that_leaves_no_room_for_a_pending_credit_reruns_and_evicts(
    pool: Mempool, state: MemoryState
) -> None:
    """Kept only while every shifted balance fits in 64 bits: Carol can take Alice's 5 now,
    but not after Bob's 6 reaches her through another node."""
    state.apply({keys.account(CAROL.address.raw): Account(U64_MAX - 10, 0).encode()})
    await admit_all(pool, [sign_transfer(ALICE, 0, 5, to=CAROL), sign_transfer(ALICE, 1, to=ERIN)])
    elsewhere = [sign_transfer(BOB, 0, 6, to=CAROL)]
    result = commit(state, elsewhere)
    report = pool.update(elsewhere, state, changes=result.changes)
    assert (report.evicted, report.remaining, report.rechecked) == (2, 0, 1)


async def test_a_credit_that_still_leaves_room_keeps_the_pending_credit(
    pool: Mempool, state: MemoryState
) -> None:
    state.apply({keys.account(CAROL.address.raw): Account(U64_MAX - 10, 0).encode()})
    await admit_all(pool, [sign_transfer(ALICE, 0, 5, to=CAROL)])
    elsewhere = [sign_transfer(BOB, 0, 5, to=CAROL)]
    result = commit(state, elsewhere)
    report = pool.update(elsewhere, state, changes=result.changes)
    assert (report.evicted, report.remaining, report.rechecked) == (0, 1, 0)
    assert_effects_as_if_rerun(pool, state)
