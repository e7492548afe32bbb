"""A live API over a real LevelDB store holding a few committed blocks, and a test client."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from pytest_aiohttp import AiohttpClient

from ledger.store import Store
from node.api import EventHub, NodeStatus, create_app
from node.mempool import Mempool
from tests.node.api.builder import (
    ALICE,
    BOB,
    CAROL,
    VALIDATOR,
    Builder,
    Client,
    LiveChain,
    make_genesis,
)


@pytest.fixture
def chain(tmp_path: Path) -> Iterator[LiveChain]:
    """Three committed blocks: two transfers, then an empty block, then one more transfer."""
    genesis = make_genesis()
    store = Store.open(tmp_path / "chain.ldb", genesis.hash())
    builder = Builder(store, genesis)
    mempool = Mempool(genesis.params, genesis.hash(), store.state)
    status = NodeStatus(
        consensus_height=4,
        round=0,
        step="propose",
        syncing=False,
        peers=0,
        validator=VALIDATOR.address,
        moniker="api-test",
    )
    live = LiveChain(store, genesis, builder, mempool, EventHub(), [], [], status, [])
    first = [builder.transfer(ALICE, BOB, 100, "first"), builder.transfer(BOB, CAROL, 7)]
    live.commit(first)
    live.commit()
    third = [builder.transfer(ALICE, CAROL, 5)]
    live.commit(third)
    live.txs = [*first, *third]
    yield live
    mempool.verifier.close()
    store.close()


@pytest.fixture
async def client(chain: LiveChain, aiohttp_client: AiohttpClient) -> AsyncIterator[Client]:
    yield await aiohttp_client(create_app(chain.context()))
