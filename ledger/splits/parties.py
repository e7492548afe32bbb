"""Who a split can pay or be owned by: a typed party, and plug-in sinks for kinds defined elsewhere.

Accounts and splits are built in. A collective's treasury and "the holders of token class X of
collective Y" are party kinds whose numbers are fixed here but whose behaviour belongs to the
collectives package: it registers a `PartySink` for them, and until it does, a split naming such a
party is refused with `SPLIT_UNSUPPORTED_PARTY`. A holders sink would read the holdings at the
current height and pay them with `distribution.apportion(amount, holdings)`, the same exact rounding
splits use.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from typing import Any, Protocol

from ledger.codec import Fields, MalformedError
from ledger.keys import ADDRESS_LEN, Address
from ledger.state.context import BlockContext
from ledger.state.events import Event
from ledger.state.view import StateView

SPLIT_ID_LEN = 32
MAX_PARTY_ID_LEN = 64
MAX_INVOICE_REF_LEN = 64
MAX_MEMO_LEN = 256


class PartyKind(IntEnum):
    """Stable numbers; a retired number is never reused."""

    ACCOUNT = 0  # id: a 20-byte address
    SPLIT = 1  # id: a 32-byte split id
    COLLECTIVE = 2  # id: a collective id; pays its treasury (sink from the collectives package)
    TOKEN_HOLDERS = 3  # id: collective id + token class; pro rata to holders (sink, ditto)


_EXACT_ID_LEN = {PartyKind.ACCOUNT: ADDRESS_LEN, PartyKind.SPLIT: SPLIT_ID_LEN}


@dataclass(frozen=True, slots=True, order=True)
class Party:
    """A payee or owner. Ordered by (kind, id): a split's recipients are listed in that order."""

    kind: PartyKind
    id: bytes

    @classmethod
    def account(cls, address: Address) -> Party:
        return cls(PartyKind.ACCOUNT, address.raw)

    @classmethod
    def split(cls, split_id: bytes) -> Party:
        return cls(PartyKind.SPLIT, split_id)

    @property
    def address(self) -> Address:
        if self.kind is not PartyKind.ACCOUNT:
            raise ValueError("only an account party has an address")
        return Address(self.id)

    def shape_error(self) -> str | None:
        """Why this party's id cannot be of its kind, or None."""
        exact = _EXACT_ID_LEN.get(self.kind)
        if exact is not None and len(self.id) != exact:
            return f"a {self.kind.name.lower()} id is {exact} bytes, got {len(self.id)}"
        if not 0 < len(self.id) <= MAX_PARTY_ID_LEN:
            return f"a party id is 1 to {MAX_PARTY_ID_LEN} bytes"
        return None

    def key(self) -> bytes:
        """A prefix-free encoding for index keys: kind, id length, id."""
        return bytes((self.kind, len(self.id))) + self.id

    def to_fields(self) -> list[Any]:
        return [int(self.kind), self.id]

    @classmethod
    def from_fields(cls, raw: object, name: str = "party") -> Party:
        f = Fields(raw, 2, name)
        number = f.int("kind", 0, 255)
        party_id = f.bytes("id", MAX_PARTY_ID_LEN)
        try:
            kind = PartyKind(number)
        except ValueError as exc:
            raise MalformedError(f"{name}: unknown party kind {number}") from exc
        party = cls(kind, party_id)
        problem = party.shape_error()
        if problem:
            raise MalformedError(f"{name}: {problem}")
        return party

    def __repr__(self) -> str:
        return f"Party({self.kind.name}, {self.id.hex()})"


def optional_party_fields(party: Party | None) -> list[Any] | None:
    return None if party is None else party.to_fields()


def optional_party(raw: object, name: str) -> Party | None:
    return None if raw is None else Party.from_fields(raw, name)


@dataclass(frozen=True, slots=True)
class PaymentNote:
    """Where a credit comes from and what it is for, carried down to nested payees."""

    source: Party
    split_id: bytes
    invoice_ref: bytes = b""
    memo: str = ""


class PartySink(Protocol):
    """How a plug-in party kind is checked and credited (registered by its owning package)."""

    def exists(self, view: StateView, party: Party) -> bool:
        """True when `party` names something that can be paid now."""
        ...

    def credit(
        self, view: StateView, ctx: BlockContext, party: Party, amount: int, note: PaymentNote
    ) -> list[Event]:
        """Credit `amount` (already taken from the split) to `party`, or raise `TxError`."""
        ...


_SINKS: dict[PartyKind, PartySink] = {}


def register_party_sink(kind: PartyKind, sink: PartySink) -> None:
    if kind in _EXACT_ID_LEN:
        raise RuntimeError(f"{kind.name} parties are built in")
    if kind in _SINKS:
        raise RuntimeError(f"a sink for {kind.name} is already registered")
    _SINKS[kind] = sink


def party_sink(kind: PartyKind) -> PartySink | None:
    return _SINKS.get(kind)


def unregister_party_sink(kind: PartyKind) -> None:
    """Remove a sink (tests, and a package that withdraws a kind in an upgrade)."""
    _SINKS.pop(kind, None)
