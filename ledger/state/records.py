"""Small typed records stored in state, with their canonical encodings."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ledger import codec
from ledger.codec import Fields
from ledger.keys import PUBLIC_KEY_LEN

MAX_VALIDATOR_POWER = 2**40
MAX_VALIDATOR_NAME = 64  # bytes of UTF-8


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
    """A validator as the ledger knows it; power 0 in a scheduled update means removal.

    `node_key` is the public key of the validator's P2P node (its `node_key.json`, not the
    consensus key), so every node's peer allowlist can follow the validator set. It is encoded as
    a fourth field only when known: a record without one keeps the three-field encoding it had
    before node keys were recorded, and each record has exactly one encoding.
    """

    public_key: bytes
    power: int
    name: str
    node_key: bytes | None = None

    def to_fields(self) -> list[Any]:
        return validator_fields(self.public_key, self.power, self.name, self.node_key)

    def encode(self) -> bytes:
        return codec.encode(self.to_fields())

    @classmethod
    def decode(cls, data: bytes) -> ValidatorRecord:
        return cls(*read_validator_fields(codec.decode(data), "validator"))


def validator_fields(public_key: bytes, power: int, name: str, node_key: bytes | None) -> list[Any]:
    """[public_key, power, name] plus node_key when there is one (records and update actions)."""
    fields: list[Any] = [public_key, power, name]
    if node_key is not None:
        fields.append(node_key)
    return fields


def read_validator_fields(raw: object, what: str) -> tuple[bytes, int, str, bytes | None]:
    """The inverse of `validator_fields`, every field bounded; a node key is exactly 32 bytes."""
    with_node_key = isinstance(raw, list) and len(raw) == 4
    f = Fields(raw, 4 if with_node_key else 3, what)
    public_key = f.bytes("public_key", PUBLIC_KEY_LEN, exact=True)
    power = f.int("power", 0, MAX_VALIDATOR_POWER)
    name = f.str("name", MAX_VALIDATOR_NAME)
    node_key = f.bytes("node_key", PUBLIC_KEY_LEN, exact=True) if with_node_key else None
    return public_key, power, name, node_key
