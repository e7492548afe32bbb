"""Small typed records stored in state, with their canonical encodings."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ledger import codec
from ledger.codec import Fields
from ledger.keys import PUBLIC_KEY_LEN


@dataclass(frozen=True, slots=True)
class Account:
    balance: int = 0
    nonce: int = 0

    def encode(self) -> bytes:
        return encode_account(self.balance, self.nonce)

    @classmethod
    def decode(cls, data: bytes) -> Account:
        """Accounts are read on every tx, from our own state: a trusted, fixed-shape fast path."""
        balance, nonce = decode_account(data)
        return cls(balance, nonce)


def encode_account(balance: int, nonce: int) -> bytes:
    """`Account(balance, nonce).encode()` without the object: the executor's transfer path."""
    if type(balance) is not int or type(nonce) is not int:
        raise codec.MalformedError("account: balance and nonce must be integers")
    return codec.pack_checked([balance, nonce])


def decode_account(data: bytes) -> tuple[int, int]:
    """(balance, nonce) of an encoded account read from our own state (a trusted fast path)."""
    value = codec.decode_trusted(data)
    if (
        type(value) is not list
        or len(value) != 2
        or type(value[0]) is not int
        or type(value[1]) is not int
    ):
        raise codec.MalformedError("account: expected [balance, nonce]")
    return value[0], value[1]


@dataclass(frozen=True, slots=True)
class ValidatorRecord:
    """A validator as the ledger knows it; power 0 in a scheduled update means removal."""

    public_key: bytes
    power: int
    name: str

    def to_fields(self) -> list[Any]:
        return [self.public_key, self.power, self.name]

    def encode(self) -> bytes:
        return codec.encode(self.to_fields())

    @classmethod
    def decode(cls, data: bytes) -> ValidatorRecord:
        f = Fields(codec.decode(data), 3, "validator")
        return cls(
            f.bytes("public_key", PUBLIC_KEY_LEN, exact=True),
            f.int("power", 0, 2**40),
            f.str("name", 64),
        )
