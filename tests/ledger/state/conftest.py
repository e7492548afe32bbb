"""A small chain for state-machine tests: genesis, funded keys, a context and a tx builder."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from ledger.genesis import ChainParams, Genesis, GenesisValidator
from ledger.keys import PrivateKey
from ledger.state.context import BlockContext
from ledger.state.genesis_state import genesis_state
from ledger.state.reader import MemoryState
from ledger.tx import Payload, SignedTx, TxBody

ALICE = PrivateKey.from_secret(b"alice")
BOB = PrivateKey.from_secret(b"bob")
CAROL = PrivateKey.from_secret(b"carol")
VALIDATOR_KEYS = [PrivateKey.from_secret(b"validator-%d" % i) for i in range(4)]
START_BALANCE = 1_000_000

TxFactory = Callable[..., SignedTx]


def make_genesis(**param_overrides: object) -> Genesis:
    params = ChainParams(chain_id="coterie-test", address_prefix="tcot", **param_overrides)  # type: ignore[arg-type]
    return Genesis(
        params=params,
        genesis_time_ms=0,
        balances=tuple((k.address, START_BALANCE) for k in (ALICE, BOB, CAROL)),
        validators=tuple(
            GenesisValidator(f"v{i}", k.public_key, 10) for i, k in enumerate(VALIDATOR_KEYS)
        ),
    )


@pytest.fixture
def genesis() -> Genesis:
    return make_genesis()


@pytest.fixture
def state(genesis: Genesis) -> MemoryState:
    return genesis_state(genesis)


@pytest.fixture
def ctx(genesis: Genesis) -> BlockContext:
    return BlockContext(genesis.params, genesis.hash(), 1, 1_000, VALIDATOR_KEYS[0].address)


@pytest.fixture
def make_tx(genesis: Genesis) -> TxFactory:
    def build(key: PrivateKey, nonce: int, payload: Payload, fee: int = 0) -> SignedTx:
        body = TxBody(genesis.chain_id, key.public_key, nonce, fee, payload)
        return body.sign(key, genesis.hash())

    return build
