"""A small chain driven block by block, shared by the collectives and governance tests.

`Chain.send` executes a signed tx in the current block (raising `TxError` as the executor does);
`Chain.reject` asserts a tx is refused, names its code and changes nothing; `Chain.next_block`
runs the end-block hooks, commits and opens the next block later in time.
"""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from ledger.block import DuplicateVoteEvidence
from ledger.collectives.create import CollectiveCreate, Founder
from ledger.collectives.ids import Asset, derive_collective_id
from ledger.collectives.model import DEFAULT_CLASSES, TokenClass
from ledger.collectives.params import CollectiveParams
from ledger.errors import ErrorCode, TxError
from ledger.genesis import ChainParams, Genesis, GenesisCollective, GenesisValidator
from ledger.governance.ballots import Ballot
from ledger.governance.kinds import BinaryOption
from ledger.governance.policy import Policy
from ledger.keys import PrivateKey
from ledger.state.context import BlockContext
from ledger.state.events import Event, Receipt
from ledger.state.executor import execute_tx
from ledger.state.genesis_state import genesis_state
from ledger.state.handlers import begin_block_hooks, end_block_hooks
from ledger.state.view import StateView
from ledger.treasury.accepted import set_accepted
from ledger.tx import Payload, SignedTx, TxBody

pytest.register_assert_rewrite("tests.ledger.golden")  # its asserts explain a mismatch

ALICE = PrivateKey.from_secret(b"alice")
BOB = PrivateKey.from_secret(b"bob")
CAROL = PrivateKey.from_secret(b"carol")
DAVE = PrivateKey.from_secret(b"dave")
ERIN = PrivateKey.from_secret(b"erin")
MALLORY = PrivateKey.from_secret(b"mallory")
PEOPLE = (ALICE, BOB, CAROL, DAVE, ERIN, MALLORY)
BRAND = PrivateKey.from_secret(b"retro-rewind")  # a funded outsider that pays collectives
VALIDATOR_KEYS = tuple(PrivateKey.from_secret(b"validator-%d" % i) for i in range(4))
START_BALANCE = 1_000_000
YES = Ballot.binary(BinaryOption.YES)
NO = Ballot.binary(BinaryOption.NO)
ABSTAIN = Ballot.binary(BinaryOption.ABSTAIN)
VETO = Ballot.binary(BinaryOption.VETO)
GENESIS_TIME = 1_700_000_000_000
BLOCK_MS = 1_000


def make_genesis(
    collectives: Sequence[GenesisCollective] = (), **param_overrides: object
) -> Genesis:
    params = ChainParams(chain_id="coterie-test", address_prefix="tcot", **param_overrides)  # type: ignore[arg-type]
    return Genesis(
        params=params,
        genesis_time_ms=GENESIS_TIME,
        balances=tuple((k.address, START_BALANCE) for k in (*PEOPLE, BRAND, *VALIDATOR_KEYS)),
        validators=tuple(
            GenesisValidator(f"v{i}", k.public_key, 10) for i, k in enumerate(VALIDATOR_KEYS)
        ),
        collectives=tuple(collectives),
    )


class Chain:
    def __init__(self, genesis: Genesis | None = None, *, check_signatures: bool = True) -> None:
        self.check_signatures = check_signatures  # property tests skip Ed25519 for speed
        self.genesis = genesis or make_genesis()
        self.genesis_hash = self.genesis.hash()
        self.state = genesis_state(self.genesis)
        self.view = StateView(self.state)
        self.height = 1
        self.time_ms = self.genesis.genesis_time_ms + BLOCK_MS
        self.nonces: dict[bytes, int] = {}
        self.block_events: list[Event] = []
        self.evidence: tuple[DuplicateVoteEvidence, ...] = ()

    @property
    def ctx(self) -> BlockContext:
        return BlockContext(
            self.genesis.params,
            self.genesis_hash,
            self.height,
            self.time_ms,
            VALIDATOR_KEYS[0].address,
            self.evidence,
        )

    def send(self, key: PrivateKey, payload: Payload, fee: int = 0) -> Receipt:
        nonce = self.nonces.get(key.public_key, 0)
        body = TxBody(self.genesis.chain_id, key.public_key, nonce, fee, payload)
        if self.check_signatures:
            receipt = execute_tx(self.view, self.ctx, body.sign(key, self.genesis_hash))
        else:
            unsigned = SignedTx(body, bytes(64))
            receipt = execute_tx(self.view, self.ctx, unsigned, signature_ok=lambda _tx: True)
        self.nonces[key.public_key] = nonce + 1
        return receipt

    def attempt(self, key: PrivateKey, payload: Payload) -> Receipt | ErrorCode:
        """Send; on rejection check that nothing changed and return the code."""
        before = self.view.changes()
        try:
            return self.send(key, payload)
        except TxError as error:
            assert self.view.changes() == before, f"rejected {payload!r} changed state"
            assert error.code is not ErrorCode.OK
            return error.code

    def reject(self, key: PrivateKey, payload: Payload) -> ErrorCode:
        before = self.view.changes()
        with pytest.raises(TxError) as info:
            self.send(key, payload)
        assert self.view.changes() == before, "a rejected tx changed state"
        return info.value.code

    def next_block(
        self, advance_ms: int = BLOCK_MS, evidence: Sequence[DuplicateVoteEvidence] = ()
    ) -> list[Event]:
        """Close the current block (end-block hooks, commit) and open the next one."""
        events = []
        for _name, hook in end_block_hooks():
            events.extend(hook(self.view, self.ctx))
        self.state.apply(self.view.changes())
        self.view = StateView(self.state)
        self.height += 1
        self.time_ms += advance_ms
        self.evidence = tuple(evidence)
        for _name, hook in begin_block_hooks():
            events.extend(hook(self.view, self.ctx))
        self.block_events = events
        return events

    def accept(self, cid: bytes, asset: Asset) -> None:
        """Whitelist a token for deposits directly (the AcceptAsset action's effect, for setups
        that are not about how a collective decides to accept it)."""
        set_accepted(self.view, cid, asset, True)

    def create_collective(
        self,
        creator: PrivateKey,
        founders: Sequence[tuple[PrivateKey, Sequence[int]]],
        *,
        params: CollectiveParams | None = None,
        classes: tuple[TokenClass, ...] = DEFAULT_CLASSES,
        policies: tuple[tuple[int, Policy], ...] = (),
        name: str = "collective",
    ) -> bytes:
        cid = derive_collective_id(creator.address, self.nonces.get(creator.public_key, 0))
        payload = CollectiveCreate(
            name,
            "ipfs://meta",
            classes,
            tuple(Founder(k.address, tuple(h)) for k, h in founders),
            params or CollectiveParams(),
            policies,
        )
        self.send(creator, payload)
        return cid


@pytest.fixture
def chain() -> Chain:
    return Chain()


def proposal_id(receipt: Receipt) -> int:
    """The id of the proposal a tx opened (its `proposal_submitted` event)."""
    for event in receipt.events:
        if event.kind == "proposal_submitted":
            pid = event.get("proposal")
            assert isinstance(pid, int)
            return pid
    raise AssertionError(f"no proposal in {receipt.events}")
