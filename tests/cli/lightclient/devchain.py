"""A real chain for the light-client tests: the node's own `Chain` over a real LevelDB store,
blocks proposed and executed by it, commits signed by the real validator keys, served by the
node's real API (and by a tampering proxy) on 127.0.0.1 in a thread with its own event loop.

Not a test module: the fixtures in conftest.py build on it (as tests/node/api/builder.py).
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

from aiohttp import ClientSession, web

from ledger.block import Block, Commit, CommitSig, Vote, VoteType
from ledger.collectives.ids import VALIDATORS_BODY_ID, genesis_collective_id
from ledger.genesis import (
    DEFAULT_TRUST_PERIOD_MS,
    ChainParams,
    Genesis,
    GenesisCollective,
    GenesisValidator,
)
from ledger.governance.ballots import Ballot
from ledger.governance.kinds import BinaryOption
from ledger.governance.proposal import proposals_of
from ledger.governance.proposal_txs import ProposalSubmit
from ledger.governance.validator_set import ValidatorUpdate
from ledger.governance.vote_txs import Vote as CastVote
from ledger.keys import PrivateKey
from ledger.state.view import StateView
from ledger.store import Store
from ledger.tx import Payload, SignedTx, Transfer, TxBody
from node.api import ApiContext, EventHub, NodeStatus, create_app
from node.chain import Chain
from node.mempool import Admission, Mempool

T = TypeVar("T")

CHAIN_ID = "coterie-light-test"
GENESIS_TIME = int(time.time()) * 1000 - 3_600_000
"""An hour ago (fixed per test process): the wallet refuses headers from the future and answers
older than its --max-age, so blocks are dated by the real clock."""
VALIDATORS = [PrivateKey.from_secret(b"light-validator-%d" % i) for i in range(4)]
NEWCOMER = PrivateKey.from_secret(b"light-newcomer")
OUTSIDER = PrivateKey.from_secret(b"light-outsider")
ALICE = PrivateKey.from_secret(b"light-alice")
BOB = PrivateKey.from_secret(b"light-bob")
GUILD = genesis_collective_id(0)


def make_genesis(
    chain_id: str = CHAIN_ID, trust_period_ms: int = DEFAULT_TRUST_PERIOD_MS
) -> Genesis:
    return Genesis(
        params=ChainParams(
            chain_id=chain_id, address_prefix="tcot", trust_period_ms=trust_period_ms
        ),
        genesis_time_ms=GENESIS_TIME,
        balances=tuple((k.address, 1_000_000) for k in (ALICE, BOB, *VALIDATORS)),
        validators=tuple(
            GenesisValidator(f"v{i}", k.public_key, 10) for i, k in enumerate(VALIDATORS)
        ),
        collectives=(
            GenesisCollective(
                "Cartridge Keepers", "retro games", ((ALICE.address, 10, 0), (BOB.address, 5, 2))
            ),
        ),
    )


class DevChain:
    """Commits blocks with the node's `Chain`; every commit signed by the whole current set."""

    def __init__(self, path: Path, genesis: Genesis, *, realtime: bool = True) -> None:
        self.genesis = genesis
        self.realtime = realtime  # False: blocks a second apart from the genesis (an hour ago)
        self.url = ""  # where the API serves it, once started
        self.store = Store.open(path, genesis.hash())
        self.pending: list[SignedTx] = []
        self.clock = GENESIS_TIME
        self.chain = Chain(
            self.store,
            genesis,
            proposer_address=VALIDATORS[0].address,
            txs=lambda _n, _b: list(self.pending),
            clock=self._tick,
        )
        self.keys = {k.address.raw: k for k in (*VALIDATORS, NEWCOMER)}
        self.nonces: dict[bytes, int] = {}
        self.mempool = Mempool(genesis.params, genesis.hash(), self.store.state)

    def _tick(self) -> int:
        now = int(time.time() * 1000) if self.realtime else 0
        self.clock = max(self.clock + 1000 * (not self.realtime), self.clock + 1, now)
        return self.clock

    def sign(self, key: PrivateKey, payload: Payload) -> SignedTx:
        nonce = self.nonces.get(key.public_key, 0)
        self.nonces[key.public_key] = nonce + 1
        body = TxBody(self.genesis.chain_id, key.public_key, nonce, 0, payload)
        return body.sign(key, self.genesis.hash())

    def commit(self, txs: Sequence[SignedTx] = ()) -> Block:
        """Propose, check and commit the next block, signed by every validator of its set."""
        self.pending[:] = txs
        height = self.chain.height + 1
        proposer = self.chain.validators.proposer(0).address
        self.chain.proposer_address = proposer
        block = self.chain.propose(height, 0)
        assert len(block.txs) == len(txs), "a tx was left out of the block"
        signers = [self.keys[v.address.raw] for v in self.chain.validators.validators]
        self.chain.commit(block, sign_commit(self.genesis, block, signers))
        self.pending.clear()
        self.mempool.update(block.txs, self.store.state, block.header.time_ms)
        return block

    def blocks(self, count: int) -> None:
        for _ in range(count):
            self.commit()

    def transfer(self, amount: int) -> SignedTx:
        return self.sign(ALICE, Transfer(BOB.address, amount, "rent"))

    def swap_validator(self) -> int:
        """Validators vote v3 out and the newcomer in (power 30); returns the first height the
        new set signs."""
        swap = ProposalSubmit(
            VALIDATORS_BODY_ID,
            (
                ValidatorUpdate(VALIDATORS[3].public_key, 0),
                ValidatorUpdate(NEWCOMER.public_key, 30, "new"),
            ),
        )
        self.commit([self.sign(VALIDATORS[0], swap)])
        pid = self._last_proposal()
        yes = Ballot.binary(BinaryOption.YES)
        self.commit([self.sign(k, CastVote(pid, yes)) for k in VALIDATORS[:3]])
        decided = self.chain.height
        return decided + self.genesis.params.consensus.validator_update_delay

    def _last_proposal(self) -> int:
        return max(proposals_of(StateView(self.store.state), VALIDATORS_BODY_ID))

    def context(self) -> ApiContext:
        async def submit(raw_txs: Sequence[bytes]) -> list[Admission]:
            return await self.mempool.admit_batch(raw_txs)

        status = NodeStatus(
            consensus_height=self.chain.height + 1,
            round=0,
            step="propose",
            syncing=False,
            peers=0,
            validator=VALIDATORS[0].address,
            moniker="light-test",
        )
        return ApiContext(
            store=self.store,
            genesis=self.genesis,
            mempool=self.mempool,
            submit=submit,
            status=lambda: status,
            events=EventHub(),
        )

    def close(self) -> None:
        self.mempool.verifier.close()
        self.store.close()


def sign_commit(genesis: Genesis, block: Block, signers: Sequence[PrivateKey]) -> Commit:
    height, block_hash = block.header.height, block.hash()
    message = Vote.sign_bytes_for(genesis.hash(), VoteType.PRECOMMIT, height, 0, block_hash)
    sigs = sorted(
        (CommitSig(k.address, k.sign(message)) for k in signers), key=lambda s: s.validator.raw
    )
    return Commit(height, 0, block_hash, tuple(sigs))


class Servers:
    """aiohttp servers on 127.0.0.1 run by one event loop in a thread; chain writes go through
    the same loop (`call`) so the API never reads a store while a block is being written."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.runners: list[web.AppRunner] = []
        self.thread = threading.Thread(target=self.loop.run_forever, name="light-api", daemon=True)
        self.thread.start()

    def call(self, fn: Callable[[], T]) -> T:
        async def run() -> T:
            return fn()

        return asyncio.run_coroutine_threadsafe(run(), self.loop).result(timeout=60)

    def serve(self, app: web.Application) -> str:
        async def start() -> str:
            runner = web.AppRunner(app)
            await runner.setup()
            site = web.TCPSite(runner, "127.0.0.1", 0)
            await site.start()
            self.runners.append(runner)
            host, port = runner.addresses[0][:2]
            return f"http://{host}:{port}"

        return self._await(start())

    def _await(self, coro: Awaitable[T]) -> T:
        async def wrap() -> T:
            return await coro

        return asyncio.run_coroutine_threadsafe(wrap(), self.loop).result(timeout=60)

    def close(self) -> None:
        async def stop() -> None:
            for runner in self.runners:
                await runner.cleanup()

        self._await(stop())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=10)
        self.loop.close()


def api_app(chain: DevChain) -> web.Application:
    return create_app(chain.context())


Tamper = Callable[[str, Any], Any]
"""(request path, JSON answer of the real node) -> the JSON the proxy sends instead."""


def proxy_app(upstream: str, tamper: Tamper) -> web.Application:
    """A real HTTP proxy in front of the node that rewrites its JSON answers with `tamper`
    (other answers, such as canonical msgpack bytes, pass through unchanged)."""

    async def forward(request: web.Request) -> web.Response:
        async with ClientSession() as session:
            body = await request.read()
            headers = {"Content-Type": request.headers.get("Content-Type", "application/json")}
            async with session.request(
                request.method, upstream + request.path_qs, data=body or None, headers=headers
            ) as answer:
                status = answer.status
                if answer.content_type != "application/json":
                    raw = await answer.read()
                    return web.Response(body=raw, status=status, content_type=answer.content_type)
                data = await answer.json()
        if status == 200:
            data = tamper(request.path, data)
        return web.json_response(data, status=status)

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", forward)
    return app
