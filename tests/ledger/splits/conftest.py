"""A small chain for split tests: five creators, a brand, a keeper, and a tx runner."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import pytest

from ledger.errors import ErrorCode, TxError
from ledger.genesis import ChainParams, Genesis, GenesisValidator
from ledger.keys import Address, PrivateKey
from ledger.splits.parties import (
    Party,
    PartyKind,
    PaymentNote,
    party_sink,
    register_party_sink,
    unregister_party_sink,
)
from ledger.splits.records import SplitTerms
from ledger.splits.store import split_id_for
from ledger.state.accounts import credit, get_account
from ledger.state.context import BlockContext
from ledger.state.events import Event, Receipt
from ledger.state.executor import execute_tx
from ledger.state.genesis_state import genesis_state
from ledger.state.view import StateView
from ledger.tx import Payload, SignedTx, TxBody
from tests.ledger import custody

CREATORS = [PrivateKey.from_secret(name) for name in (b"ana", b"ben", b"chloe", b"dev", b"emi")]
ANA, BEN, CHLOE, DEV, EMI = CREATORS
BRAND = PrivateKey.from_secret(b"brand")
KEEPER = PrivateKey.from_secret(b"keeper")
OUTSIDER = PrivateKey.from_secret(b"outsider")
VALIDATOR = PrivateKey.from_secret(b"validator-0")
START_BALANCE = 10**12


def make_genesis() -> Genesis:
    funded = [*CREATORS, BRAND, KEEPER, OUTSIDER]
    return Genesis(
        params=ChainParams(chain_id="coterie-splits", address_prefix="tcot"),
        genesis_time_ms=0,
        balances=tuple((k.address, START_BALANCE) for k in funded),
        validators=(GenesisValidator("v0", VALIDATOR.public_key, 10),),
    )


def account(key: PrivateKey) -> Party:
    return Party.account(key.address)


def terms_for(holders: Sequence[tuple[PrivateKey | Party, int]], **options: object) -> SplitTerms:
    """Terms for (key or party, share) pairs in any order: sorted as the rules require."""
    pairs = sorted((h if isinstance(h, Party) else account(h), share) for h, share in holders)
    return SplitTerms(
        tuple(p for p, _ in pairs),
        tuple(s for _, s in pairs),
        sum(s for _, s in pairs),
        **options,  # type: ignore[arg-type]
    )


class Chain:
    """Executes signed txs against one growing state view, as a block would."""

    def __init__(self, genesis: Genesis) -> None:
        self.genesis = genesis
        self.genesis_hash = genesis.hash()
        self.view = StateView(genesis_state(genesis))
        self.height = 1
        self.time_ms = 1_000
        self._nonces: dict[bytes, int] = {}

    @property
    def ctx(self) -> BlockContext:
        return BlockContext(
            self.genesis.params, self.genesis_hash, self.height, self.time_ms, VALIDATOR.address
        )

    def nonce(self, key: PrivateKey) -> int:
        return self._nonces.get(key.public_key, 0)

    def sign(self, key: PrivateKey, payload: Payload, fee: int = 0) -> SignedTx:
        body = TxBody(self.genesis.chain_id, key.public_key, self.nonce(key), fee, payload)
        return body.sign(key, self.genesis_hash)

    def run(self, key: PrivateKey, payload: Payload, fee: int = 0) -> Receipt:
        receipt = execute_tx(self.view, self.ctx, self.sign(key, payload, fee))
        self._nonces[key.public_key] = self.nonce(key) + 1
        return receipt

    def reject(self, key: PrivateKey, payload: Payload) -> ErrorCode:
        """Run a tx that must fail; check that it changed nothing and return its code."""
        before = self.view.changes()
        with pytest.raises(TxError) as info:
            execute_tx(self.view, self.ctx, self.sign(key, payload))
        assert self.view.changes() == before, "a rejected tx changed state"
        return info.value.code

    def attempt(self, key: PrivateKey, payload: Payload) -> ErrorCode:
        """Run a tx that may fail: OK, or its error code after checking it changed nothing."""
        before = self.view.changes()
        try:
            self.run(key, payload)
        except TxError as error:
            assert self.view.changes() == before, "a rejected tx changed state"
            return error.code
        return ErrorCode.OK

    def next_split_id(self, key: PrivateKey) -> bytes:
        return split_id_for(key.address, self.nonce(key))

    def balance(self, who: PrivateKey | Address) -> int:
        address = who.address if isinstance(who, PrivateKey) else who
        return get_account(self.view, address).balance

    def total_value(self) -> int:
        """Every place the native coin can sit (tests/ledger/custody.py)."""
        return custody.native_total(self.view)

    def advance(self, ms: int, blocks: int = 1) -> None:
        self.time_ms += ms
        self.height += blocks


@pytest.fixture
def genesis() -> Genesis:
    return make_genesis()


@pytest.fixture
def chain(genesis: Genesis) -> Chain:
    return Chain(genesis)


TREASURY_OF = {b"c" * 32: PrivateKey.from_secret(b"treasury").address}


class FakeTreasurySink:
    """Stands in for the collectives package: a collective party pays into a treasury account."""

    def exists(self, view: StateView, party: Party) -> bool:
        return party.id in TREASURY_OF

    def credit(
        self, view: StateView, ctx: BlockContext, party: Party, amount: int, note: PaymentNote
    ) -> list[Event]:
        credit(view, TREASURY_OF[party.id], amount)
        return [
            Event.of(
                "treasury_deposit",
                collective=party.id,
                amount=amount,
                height=ctx.height,  # what the sink is told: the block, and the note
                split=note.split_id,
                source=note.source.id,
                invoice_ref=note.invoice_ref,
                memo=note.memo,
            )
        ]


@pytest.fixture
def collective_sink() -> Iterator[Party]:
    """Stands the fake in for the real collectives sink, and puts the real one back after."""
    real = party_sink(PartyKind.COLLECTIVE)
    unregister_party_sink(PartyKind.COLLECTIVE)
    register_party_sink(PartyKind.COLLECTIVE, FakeTreasurySink())
    try:
        yield Party(PartyKind.COLLECTIVE, b"c" * 32)
    finally:
        unregister_party_sink(PartyKind.COLLECTIVE)
        if real is not None:
            register_party_sink(PartyKind.COLLECTIVE, real)


@pytest.fixture
def no_holder_sink() -> Iterator[None]:
    """As if no package had plugged in TOKEN_HOLDERS parties."""
    real = party_sink(PartyKind.TOKEN_HOLDERS)
    unregister_party_sink(PartyKind.TOKEN_HOLDERS)
    try:
        yield
    finally:
        if real is not None:
            register_party_sink(PartyKind.TOKEN_HOLDERS, real)
