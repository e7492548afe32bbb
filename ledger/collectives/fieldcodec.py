"""Decoding helpers for lists inside payloads, on top of `ledger.codec.Fields`."""

from __future__ import annotations

from typing import Any

from ledger.codec import U64_MAX, Fields, MalformedError
from ledger.keys import ADDRESS_LEN, Address


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


def raw_items(fields: Fields, name: str, max_count: int) -> list[Any]:
    return fields.list(name, max_count)
