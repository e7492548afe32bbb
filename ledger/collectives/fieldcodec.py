"""Decoding helpers for payloads, on top of `ledger.codec.Fields`, and the (collective, member)
payload that several tx kinds share."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar, Self

from ledger.codec import U64_MAX, Fields, MalformedError
from ledger.collectives.ids import COLLECTIVE_ID_LEN
from ledger.keys import ADDRESS_LEN, Address
from ledger.tx import TxKind


def u64_list(fields: Fields, name: str, max_count: int) -> tuple[int, ...]:
    out = []
    for item in fields.list(name, max_count):
        if isinstance(item, bool) or not isinstance(item, int) or not 0 <= item <= U64_MAX:
            raise MalformedError(f"{name}: expected unsigned 64-bit integers")
        out.append(item)
    return tuple(out)


def address_list(fields: Fields, name: str, max_count: int) -> tuple[Address, ...]:
    out = []
    for item in fields.list(name, max_count):
        if not isinstance(item, bytes) or len(item) != ADDRESS_LEN:
            raise MalformedError(f"{name}: expected {ADDRESS_LEN}-byte addresses")
        out.append(Address(item))
    return tuple(out)


def str_list(fields: Fields, name: str, max_count: int, max_len: int) -> tuple[str, ...]:
    out = []
    for item in fields.list(name, max_count):
        if not isinstance(item, str) or len(item.encode()) > max_len:
            raise MalformedError(f"{name}: expected strings of at most {max_len} bytes")
        out.append(item)
    return tuple(out)


def address(fields: Fields, name: str) -> Address:
    return Address(fields.bytes(name, ADDRESS_LEN, exact=True))


def pairs(fields: Fields, name: str, max_count: int) -> tuple[tuple[int, int], ...]:
    """A list of [u64, u64] pairs (e.g. class index and amount)."""
    out = []
    for item in fields.list(name, max_count):
        pair = Fields(item, 2, name)
        out.append((pair.int("first"), pair.int("second")))
    return tuple(out)


@dataclass(frozen=True, slots=True)
class MemberRef:
    """Payload of the txs that name a member of a collective: a subclass sets `KIND` only."""

    KIND: ClassVar[TxKind]
    collective: bytes
    member: Address

    def to_fields(self) -> list[Any]:
        return [self.collective, self.member.raw]

    @classmethod
    def from_fields(cls, raw: object) -> Self:
        f = Fields(raw, 2, cls.KIND.name.lower())
        return cls(f.bytes("collective", COLLECTIVE_ID_LEN, exact=True), address(f, "member"))
