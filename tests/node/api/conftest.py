"""A live API over a real LevelDB store holding a few committed blocks, and a test client."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from aiohttp import web
from pytest_aiohttp import AiohttpClient

from ledger.content.payloads import ContentAnchor
from ledger.governance.ballots import Ballot
from ledger.governance.kinds import BinaryOption
from ledger.governance.proposal_txs import ProposalSubmit
from ledger.governance.vote_txs import Vote
from ledger.splits.parties import Party
from ledger.splits.payloads import SplitCreate, SplitPay
from ledger.splits.records import SplitTerms
from ledger.splits.store import split_id_for
from ledger.store import Store
from node.api import EventHub, NodeStatus, create_app
from node.mempool import Mempool
from tests.node.api.builder import (
    ALICE,
    BOB,
    CAROL,
    CONTENT_HASH,
    GUILD,
    VALIDATOR,
    Builder,
    Client,
    LiveChain,
    make_genesis,
)


@pytest.fixture
def chain(tmp_path: Path) -> Iterator[LiveChain]:
    """Five committed blocks: two transfers; empty; one transfer; a proposal, a split and a
    content anchor; a vote and a payment into the split."""
    genesis = make_genesis()
    store = Store.open(tmp_path / "chain.ldb", genesis.hash())
    builder = Builder(store, genesis)
    mempool = Mempool(genesis.params, genesis.hash(), store.state)
    status = NodeStatus(
        consensus_height=6,
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
    submit = builder.sign(ALICE, ProposalSubmit(GUILD, (), metadata="restore Earthbound?"))
    terms = SplitTerms(
        tuple(sorted((Party.account(BOB.address), Party.account(CAROL.address)))), (3, 1), 4
    )
    create = builder.sign(ALICE, SplitCreate(Party.account(ALICE.address), terms))
    anchor = builder.sign(BOB, ContentAnchor(CONTENT_HASH, "ipfs://bafy-demo", "video", GUILD))
    live.commit([submit, create, anchor])
    live.split_id = split_id_for(ALICE.address, create.body.nonce)
    live.commit(
        [
            builder.sign(BOB, Vote(1, Ballot.binary(BinaryOption.YES))),
            builder.sign(CAROL, SplitPay(live.split_id, 400, b"inv-1", "first payout")),
        ]
    )
    yield live
    mempool.verifier.close()
    store.close()


@pytest.fixture
async def client(chain: LiveChain, aiohttp_client: AiohttpClient) -> AsyncIterator[Client]:
    yield await aiohttp_client(create_app(chain.context()))


@pytest.fixture
def live_api(chain: LiveChain) -> Iterator[str]:
    """The API served by a real aiohttp server on 127.0.0.1 (its own loop, in a thread)."""
    loop = asyncio.new_event_loop()
    runner = web.AppRunner(create_app(chain.context()))
    loop.run_until_complete(runner.setup())
    site = web.TCPSite(runner, "127.0.0.1", 0)
    loop.run_until_complete(site.start())
    host, port = runner.addresses[0][:2]
    thread = threading.Thread(target=loop.run_forever, name="live-api", daemon=True)
    thread.start()
    yield f"http://{host}:{port}"
    asyncio.run_coroutine_threadsafe(runner.cleanup(), loop).result(timeout=10)
    loop.call_soon_threadsafe(loop.stop)
    thread.join(timeout=10)
    loop.close()
