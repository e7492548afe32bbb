"""Real committed blocks for the API tests: executed by the ledger, signed by a real validator key
and written by the real LevelDB store (no mocks of our storage)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from aiohttp import web
from aiohttp.test_utils import TestClient

from ledger.block import Block, Commit, CommitSig, Header, Vote, VoteType, tx_root
from ledger.collectives.ids import genesis_collective_id
from ledger.genesis import ChainParams, Genesis, GenesisCollective, GenesisValidator
from ledger.hashing import ZERO_HASH
from ledger.keys import ADDRESS_LEN, Address, PrivateKey
from ledger.merkle_list import merkle_list_root
from ledger.state.context import BlockContext
from ledger.state.events import Receipt
from ledger.state.executor import BlockResult, Mode, execute_block
from ledger.state.genesis_state import genesis_items
from ledger.store import Store
from ledger.tx import Payload, SignedTx, Transfer, TxBody
from node.api import ApiContext, EventHub, NodeStatus
from node.mempool import Admission, Mempool

CHAIN_ID = "coterie-api-test"
HRP = "tcot"
ALICE = PrivateKey.from_secret(b"api-alice")
BOB = PrivateKey.from_secret(b"api-bob")
CAROL = PrivateKey.from_secret(b"api-carol")
VALIDATOR = PrivateKey.from_secret(b"api-validator")
START_BALANCE = 1_000_000
Client = TestClient[web.Request, web.Application]
GENESIS_TIME = 1_700_000_000_000
GUILD = genesis_collective_id(0)
CONTENT_HASH = bytes(range(32))


def make_genesis() -> Genesis:
    return Genesis(
        params=ChainParams(chain_id=CHAIN_ID, address_prefix=HRP),
        genesis_time_ms=GENESIS_TIME,
        balances=tuple((k.address, START_BALANCE) for k in (ALICE, BOB, CAROL)),
        validators=(GenesisValidator("v0", VALIDATOR.public_key, 10),),
        collectives=(
            GenesisCollective(
                "Cartridge Keepers",
                "retro games",
                ((ALICE.address, 10, 0), (BOB.address, 5, 1)),
            ),
        ),
    )


class Builder:
    """Commits blocks of signed txs on a store, one height at a time."""

    def __init__(self, store: Store, genesis: Genesis) -> None:
        self.store = store
        self.genesis = genesis
        self.genesis_hash = genesis.hash()
        self.nonces: dict[bytes, int] = {}
        if not store.initialized:
            store.initialize(genesis_items(genesis))

    def sign(self, key: PrivateKey, payload: Payload, fee: int = 0) -> SignedTx:
        nonce = self.nonces.get(key.public_key, 0)
        self.nonces[key.public_key] = nonce + 1
        body = TxBody(self.genesis.chain_id, key.public_key, nonce, fee, payload)
        return body.sign(key, self.genesis_hash)

    def transfer(self, key: PrivateKey, to: PrivateKey, amount: int, memo: str = "") -> SignedTx:
        return self.sign(key, Transfer(to.address, amount, memo))

    def commit(self, txs: Sequence[SignedTx] = ()) -> tuple[Block, BlockResult]:
        store = self.store
        height = store.height + 1
        prev = store.block(store.height) if store.height else None
        time_ms = (prev.header.time_ms if prev else GENESIS_TIME) + 1000
        ctx = BlockContext(
            self.genesis.params, self.genesis_hash, height, time_ms, VALIDATOR.address
        )
        result = execute_block(store.state, ctx, txs, Mode.VALIDATE)
        root, writes, orphaned = store.tree.update_tracked(store.state_root, result.changes)
        last_commit = store.commit(height - 1) if height > 1 else None
        header = Header(
            chain_id=self.genesis.chain_id,
            height=height,
            time_ms=time_ms,
            prev_block_hash=prev.hash() if prev else ZERO_HASH,
            last_commit_hash=last_commit.hash() if last_commit else ZERO_HASH,
            tx_root=tx_root(result.included),
            evidence_root=merkle_list_root([]),
            state_root=root,
            validators_hash=ZERO_HASH,
            next_validators_hash=ZERO_HASH,
            proposer=VALIDATOR.address,
        )
        block = Block(header, tuple(result.included), (), last_commit)
        store.commit_block(
            block,
            self.sign_commit(block),
            changes=result.changes,
            new_root=root,
            node_writes=writes,
            receipts={r.tx_hash: r.encode() for r in result.receipts},
            account_txs=list(touched(result)),
            orphaned=orphaned,
        )
        return block, result

    def sign_commit(self, block: Block) -> Commit:
        height, block_hash = block.header.height, block.hash()
        message = Vote.sign_bytes_for(self.genesis_hash, VoteType.PRECOMMIT, height, 0, block_hash)
        sig = CommitSig(VALIDATOR.address, VALIDATOR.sign(message))
        return Commit(height, 0, block_hash, (sig,))


def touched(result: BlockResult) -> Iterable[tuple[Address, int]]:
    """(account, position) for each tx's sender and every address its events name."""
    for position, (tx, receipt) in enumerate(zip(result.included, result.receipts, strict=True)):
        yield from ((Address(raw), position) for raw in sorted(_addresses(tx, receipt)))


def _addresses(tx: SignedTx, receipt: Receipt) -> set[bytes]:
    seen = {tx.body.sender_address.raw}
    for event in receipt.events:
        for _name, value in event.attributes:
            if isinstance(value, bytes) and len(value) == ADDRESS_LEN:
                seen.add(value)
    return seen


@dataclass
class LiveChain:
    """The store, its builder, the mempool and what the first blocks held."""

    store: Store
    genesis: Genesis
    builder: Builder
    mempool: Mempool
    hub: EventHub
    blocks: list[Block]
    txs: list[SignedTx]
    status: NodeStatus
    submitted: list[list[bytes]]
    split_id: bytes = b""

    def context(self) -> ApiContext:
        async def submit(raw_txs: Sequence[bytes]) -> list[Admission]:
            self.submitted.append(list(raw_txs))
            return await self.mempool.admit_batch(raw_txs)

        return ApiContext(
            store=self.store,
            genesis=self.genesis,
            mempool=self.mempool,
            submit=submit,
            status=lambda: self.status,
            events=self.hub,
        )

    def commit(self, txs: Sequence[SignedTx] = ()) -> Block:
        block, result = self.builder.commit(txs)
        self.blocks.append(block)
        self.mempool.update(block.txs, self.store.state, block.header.time_ms)
        self.hub.publish_block(block, result.receipts, result.block_events)
        return block
