"""Whatever is submitted, in whatever order, the reaped block executes in VALIDATE mode, and
re-running only the senders a block could have changed ends exactly as re-running every sender."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ledger.keys import Address
from ledger.state import keys
from ledger.state.context import BlockContext
from ledger.state.executor import Mode, execute_block
from ledger.state.genesis_state import genesis_state
from ledger.state.reader import MemoryState
from ledger.state.records import Account
from ledger.tx import SignedTx
from node.mempool import Mempool, MempoolLimits
from tests.node.mempool.conftest import (
    GENESIS,
    GENESIS_HASH,
    SENDERS,
    VALIDATOR,
    commit,
    sign_transfer,
)

ACTIVE = 4  # senders that submit; SENDERS[4:] only receive


@dataclass(frozen=True)
class Submit:
    sender: int
    nonce_offset: int  # from the sender's next nonce (pending-aware): <0 replays, >0 gaps
    amount: int
    fee: int
    recipient: int  # the sender itself makes a SELF_TRANSFER


@dataclass(frozen=True)
class Block:
    max_txs: int


@dataclass(frozen=True)
class Foreign:
    """A tx of `sender` that reaches the chain through another node."""

    sender: int
    amount: int


submits = st.builds(
    Submit,
    st.integers(0, ACTIVE - 1),
    st.sampled_from([-1, 0, 0, 0, 0, 1, 2, 3]),
    st.sampled_from([1, 1, 10, 50_000, 400_000, 1_000_000]),
    st.sampled_from([0, 0, 0, 3, 300_000]),
    st.integers(0, len(SENDERS) - 1),
)
blocks = st.builds(Block, st.integers(0, 3))
foreigns = st.builds(Foreign, st.integers(0, ACTIVE - 1), st.sampled_from([1, 700_000]))
operations = st.lists(
    st.one_of(submits, submits, submits, submits, blocks, foreigns), min_size=20, max_size=80
)


@lru_cache(maxsize=4096)
def signed(sender: int, nonce: int, amount: int, fee: int, recipient: int) -> SignedTx:
    return sign_transfer(SENDERS[sender], nonce, amount, fee=fee, to=SENDERS[recipient])


def trust_signatures(_tx: SignedTx) -> bool:
    return True  # signatures are valid by construction; the order is what is under test


def account_nonce(state: MemoryState, address: Address) -> int:
    data = state.get(keys.account(address.raw))
    return 0 if data is None else Account.decode(data).nonce


def next_block_context(state: MemoryState) -> BlockContext:
    height = int.from_bytes(state.get(keys.chain_meta(b"height")) or b"", "big")
    return BlockContext(GENESIS.params, GENESIS_HASH, height + 1, 0, VALIDATOR.address)


def check(pool: Mempool, state: MemoryState) -> None:
    txs = list(pool.txs())
    stats = pool.stats()
    assert stats.txs == len(txs) == len(pool) <= pool.limits.max_txs
    assert stats.bytes == sum(len(tx.encode()) for tx in txs) <= pool.limits.max_bytes
    ready = pool.reap(10_000, 1 << 30)
    assert stats.ready == len(ready)
    held = {tx.hash for tx in ready}
    for tx in txs:  # each ready tx's effect is held beside it; a queued tx has none
        assert (pool.recorded_effect(tx.hash) is not None) == (tx.hash in held)
    runs: dict[bytes, list[int]] = {}
    for tx in ready:
        runs.setdefault(tx.body.sender, []).append(tx.body.nonce)
    for sender, nonces in runs.items():
        first = account_nonce(state, Address.from_public_key(sender))
        assert nonces == list(range(first, first + len(nonces)))
        assert pool.next_nonce(sender) == first + len(nonces)
    execute_block(state, next_block_context(state), ready, Mode.VALIDATE, trust_signatures)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(operations)
def test_reaped_txs_always_execute_in_validate_mode(ops: list[Submit | Block | Foreign]) -> None:
    state = genesis_state(GENESIS)
    limits = MempoolLimits(
        max_txs=5, max_bytes=900, max_tx_bytes=400, max_txs_per_sender=4, max_future_per_sender=3
    )
    pool = Mempool(GENESIS.params, GENESIS_HASH, state, limits)
    rerun = Mempool(GENESIS.params, GENESIS_HASH, state, limits)  # re-runs every sender
    for op in ops:
        if isinstance(op, Submit):
            key = SENDERS[op.sender]
            base = pool.next_nonce(key.public_key) or account_nonce(state, key.address)
            nonce = max(0, base + op.nonce_offset)
            tx = signed(op.sender, nonce, op.amount, op.fee, op.recipient)
            assert pool.admit_verified(tx) == rerun.admit_verified(tx)
        elif isinstance(op, Block):
            txs = pool.reap(op.max_txs, 1 << 20)
            result = commit(state, txs)
            pool.update(txs, state, changes=result.changes)
            rerun.update(txs, state)
        else:
            nonce = account_nonce(state, SENDERS[op.sender].address)
            tx = signed(op.sender, nonce, op.amount, 0, ACTIVE)
            try:
                result = commit(state, [tx])
            except ValueError:
                continue  # not executable now: nothing reached the chain
            pool.update([tx], state, changes=result.changes)
            rerun.update([tx], state)
        check(pool, state)
        assert list(pool.txs()) == list(rerun.txs()), "keeping senders changed the outcome"
        for tx in pool.txs():
            assert pool.recorded_effect(tx.hash) == rerun.recorded_effect(tx.hash)
        assert pool.stats().evicted_total == rerun.stats().evicted_total
