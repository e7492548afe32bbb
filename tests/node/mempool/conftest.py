"""A small chain for mempool tests: a genesis with funded senders, its state, and a tx signer."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from ledger.genesis import ChainParams, Genesis, GenesisValidator
from ledger.keys import PrivateKey
from ledger.state.context import BlockContext
from ledger.state.executor import BlockResult, Mode, execute_block
from ledger.state.genesis_state import genesis_state
from ledger.state.reader import MemoryState
from ledger.tx import SignedTx, Transfer, TxBody
from node.mempool import Mempool, MempoolLimits

CHAIN_ID = "coterie-mempool-test"
SENDERS = [PrivateKey.from_secret(b"sender-%d" % i) for i in range(6)]
VALIDATOR = PrivateKey.from_secret(b"mempool-validator")
OUTSIDER = PrivateKey.from_secret(b"outsider")  # never funded
START_BALANCE = 1_000_000


def make_genesis() -> Genesis:
    return Genesis(
        params=ChainParams(chain_id=CHAIN_ID, address_prefix="tcot"),
        genesis_time_ms=0,
        balances=tuple((k.address, START_BALANCE) for k in SENDERS),
        validators=(GenesisValidator("v0", VALIDATOR.public_key, 10),),
    )


GENESIS = make_genesis()
GENESIS_HASH = GENESIS.hash()


def sign_transfer(
    key: PrivateKey,
    nonce: int,
    amount: int = 10,
    *,
    fee: int = 0,
    to: PrivateKey | None = None,
    chain_id: str = CHAIN_ID,
    memo: str = "",
) -> SignedTx:
    recipient = (to or (SENDERS[0] if key is not SENDERS[0] else SENDERS[1])).address
    body = TxBody(chain_id, key.public_key, nonce, fee, Transfer(recipient, amount, memo))
    return body.sign(key, GENESIS_HASH)


def commit(state: MemoryState, txs: list[SignedTx]) -> BlockResult:
    """Execute `txs` as the next block in VALIDATE mode and apply it to `state`."""
    height_raw = state.get(b"\x05height")
    height = int.from_bytes(height_raw, "big") if height_raw else 0
    ctx = BlockContext(
        GENESIS.params, GENESIS_HASH, height + 1, 1000 * (height + 1), VALIDATOR.address
    )
    result = execute_block(state, ctx, txs, Mode.VALIDATE)
    state.apply(result.changes)
    return result


@pytest.fixture
def state() -> MemoryState:
    return genesis_state(GENESIS)


PoolFactory = Callable[..., Mempool]


@pytest.fixture
def make_pool(state: MemoryState) -> Iterator[PoolFactory]:
    """Builds mempools over `state` with the given limits; closes their verifiers afterwards."""
    pools: list[Mempool] = []

    def build(**limits: int) -> Mempool:
        pool = Mempool(GENESIS.params, GENESIS_HASH, state, MempoolLimits(**limits))
        pools.append(pool)
        return pool

    yield build
    for pool in pools:
        pool.verifier.close()


@pytest.fixture
def pool(make_pool: PoolFactory) -> Mempool:
    return make_pool()
