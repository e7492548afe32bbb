"""Events and receipts: what a tx or block did, for the tx index, subscribers and the explorer."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ledger import codec
from ledger.codec import Fields
from ledger.errors import ErrorCode

AttributeValue = int | bytes | str


@dataclass(frozen=True, slots=True)
class Event:
    kind: str
    attributes: tuple[tuple[str, AttributeValue], ...] = ()

    @classmethod
    def of(cls, kind: str, **attributes: AttributeValue) -> Event:
        return cls(kind, tuple(attributes.items()))

    def to_fields(self) -> list[Any]:
        return [self.kind, [[k, v] for k, v in self.attributes]]

    @classmethod
    def from_fields(cls, raw: object) -> Event:
        f = Fields(raw, 2, "event")
        kind = f.str("kind", 64)
        attrs = []
        for item in f.list("attributes", 64):
            a = Fields(item, 2, "attribute")
            name = a.str("name", 64)
            value = a.raw()
            if isinstance(value, bool) or not isinstance(value, int | bytes | str):
                raise codec.MalformedError("event attribute must be int, bytes or str")
            attrs.append((name, value))
        return cls(kind, tuple(attrs))

    def get(self, name: str) -> AttributeValue | None:
        for key, value in self.attributes:
            if key == name:
                return value
        return None


@dataclass(frozen=True, slots=True)
class Receipt:
    tx_hash: bytes
    code: ErrorCode
    events: tuple[Event, ...]

    def encode(self) -> bytes:
        """`codec.encode` of the fields; every value's type is checked here, inline, so the
        generic walk is needed only to name what is wrong (every tx's receipt is encoded)."""
        fields: list[Any] = [self.tx_hash, int(self.code), [e.to_fields() for e in self.events]]
        if type(self.tx_hash) is not bytes or not all(_plain(e) for e in self.events):
            return codec.encode(fields)
        return codec.pack_checked(fields)

    @classmethod
    def decode(cls, data: bytes) -> Receipt:
        f = Fields(codec.decode(data), 3, "receipt")
        tx_hash = f.bytes("tx_hash", 32, exact=True)
        code = ErrorCode(f.int("code", 0, 0xFFFF))
        events = tuple(Event.from_fields(e) for e in f.list("events", 1024))
        return cls(tx_hash, code, events)


def _plain(event: Event) -> bool:
    """The event holds only exact str, int and bytes values (what `codec.encode` accepts)."""
    if type(event.kind) is not str:
        return False
    for name, value in event.attributes:
        kind = type(value)
        if type(name) is not str or not (kind is int or kind is bytes or kind is str):
            return False
    return True
