"""The database's key schema: one LevelDB per node, one byte of prefix per kind of record.

Integers inside keys are big-endian fixed width, so LevelDB's byte order is numeric order and a
range scan walks heights in order. Prefix bytes are stable; a retired prefix is never reused.

| prefix | key                                   | value                                       |
| ------ | ------------------------------------- | ------------------------------------------- |
| `s`    | state key (ledger.state.keys)         | state value                                 |
| `n`    | Merkle record hash (32)               | record (ledger.merkle.flat.record)          |
| `b`    | height (8)                            | canonical Block                             |
| `h`    | block hash (32)                       | height (8)                                  |
| `c`    | height (8)                            | canonical Commit                            |
| `t`    | tx hash (32)                          | canonical [height, position, receipt bytes, |
|        |                                       | offset, length] (offset and length of the   |
|        |                                       | tx's bytes inside the stored block; entries |
|        |                                       | written before they existed have 3 fields)  |
| `a`    | address (20) + height (8) + pos (4)   | empty (the tx is the block's at that        |
|        |                                       | height and position)                        |
| `m`    | name                                  | metadata (schema, genesis, height, root)    |
"""

from __future__ import annotations

from dataclasses import dataclass

from ledger import codec
from ledger.codec import Fields
from ledger.keys import ADDRESS_LEN

SCHEMA_VERSION = 4
"""4: the flat 16-ary tree's records (3: the binary tree's pages; 2: account index entries with
the tx hash; 1: one record per binary node). Older versions are not read: the node syncs
again."""

STATE = b"s"
NODE = b"n"
BLOCK = b"b"
BLOCK_HEIGHT = b"h"
COMMIT = b"c"
TX = b"t"
ACCOUNT_TX = b"a"
META = b"m"

META_SCHEMA = META + b"schema"
META_GENESIS = META + b"genesis_hash"
META_HEIGHT = META + b"height"
META_STATE_ROOT = META + b"state_root"

MAX_RECEIPT_BYTES = 1 << 20


def u64(value: int) -> bytes:
    return value.to_bytes(8, "big")


def u32(value: int) -> bytes:
    return value.to_bytes(4, "big")


def from_u64(data: bytes) -> int:
    if len(data) != 8:
        raise ValueError("expected an 8-byte integer")
    return int.from_bytes(data, "big")


def state(key: bytes) -> bytes:
    return STATE + key


def node(node_hash: bytes) -> bytes:
    return NODE + node_hash


def block(height: int) -> bytes:
    return BLOCK + u64(height)


def block_height(block_hash: bytes) -> bytes:
    return BLOCK_HEIGHT + block_hash


def commit(height: int) -> bytes:
    return COMMIT + u64(height)


def tx(tx_hash: bytes) -> bytes:
    return TX + tx_hash


def account_tx_prefix(address_raw: bytes) -> bytes:
    return ACCOUNT_TX + address_raw


def account_tx(address_raw: bytes, height: int, position: int) -> bytes:
    return ACCOUNT_TX + address_raw + u64(height) + u32(position)


def location_bytes(height: int, position: int, receipt: bytes, offset: int, length: int) -> bytes:
    """`TxLocation(height, position, receipt, offset, length).encode()`, without building the
    location: a block's write encodes one per tx, on the commit thread that shares the GIL
    with the admitting loop (tests/ledger/store/test_schema_location.py compares the two)."""
    fields: list[int | bytes] = [height, position, receipt, offset, length]
    if not length:
        del fields[3:]
    if (
        type(receipt) is bytes
        and type(height) is int
        and type(position) is int
        and type(offset) is int
        and type(length) is int
    ):
        return codec.pack_checked(fields)  # one per committed tx: no generic type walk
    return codec.encode(fields)


@dataclass(frozen=True, slots=True)
class TxLocation:
    """Where a committed tx is, and the receipt its execution produced (encoded by the caller).

    `offset` and `length` locate the tx's canonical bytes inside the stored block's bytes, so a
    read of one tx decodes only that tx, not its whole block; `length` 0 means unknown (an
    entry written before they were recorded).
    """

    height: int
    position: int
    receipt: bytes
    offset: int = 0
    length: int = 0

    def encode(self) -> bytes:
        return location_bytes(self.height, self.position, self.receipt, self.offset, self.length)

    @classmethod
    def decode(cls, data: bytes) -> TxLocation:
        raw = codec.decode(data, MAX_RECEIPT_BYTES + 64)
        f = Fields(raw, 5 if isinstance(raw, list) and len(raw) == 5 else 3, "tx_location")
        location = cls(
            f.int("height", 1),
            f.int("position", 0, 2**32 - 1),
            f.bytes("receipt", MAX_RECEIPT_BYTES),
        )
        if len(raw) == 5:
            offset = f.int("offset", 1, 2**32 - 1)
            length = f.int("length", 1, 2**32 - 1)
            return cls(location.height, location.position, location.receipt, offset, length)
        return location


@dataclass(frozen=True, slots=True)
class AccountTx:
    """One entry of an account's history: the tx at (height, position) touched the account."""

    height: int
    position: int
    tx_hash: bytes


def account_entry(key: bytes) -> tuple[int, int]:
    """The (height, position) of an account index key."""
    start = 1 + ADDRESS_LEN
    if len(key) != start + 12:
        raise ValueError("malformed account index entry")
    height = int.from_bytes(key[start : start + 8], "big")
    return height, int.from_bytes(key[start + 8 : start + 12], "big")
