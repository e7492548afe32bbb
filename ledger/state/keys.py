"""The state keyspace: every kind of state object under its own one-byte prefix.

All keys live in one keyspace committed to by the Merkle root, so a proof can be given for any of
them. Prefix bytes are stable; a retired prefix is never reused. Integers inside keys are
big-endian fixed width so that key order is numeric order (deadline scans rely on it).
"""

from __future__ import annotations

ACCOUNT = b"\x01"  # + address(20) -> Account
VALIDATOR = b"\x02"  # + address(20) -> ValidatorRecord (the active set)
VALIDATOR_UPDATE = b"\x03"  # + height(8) + address(20) -> ValidatorRecord (power 0 = removal)
EVIDENCE = b"\x04"  # + offence key (validator 20, height 8, round 4, type 1) -> record
CHAIN_META = b"\x05"  # + name -> value (e.g. b"height")
# + address(20) + height(8) -> ValidatorRecord valid below that height (power 0: not a member)
VALIDATOR_PAST = b"\x06"
# 0x10-0x2f collectives and membership, 0x30-0x4f proposals, 0x50-0x6f treasury,
# 0x70-0x8f splits, 0x90-0x9f content, 0xa0-0xbf economics: owned by their modules.


def u64(value: int) -> bytes:
    return value.to_bytes(8, "big")


def account(address_raw: bytes) -> bytes:
    return ACCOUNT + address_raw


def validator(address_raw: bytes) -> bytes:
    return VALIDATOR + address_raw


def validator_update(height: int, address_raw: bytes) -> bytes:
    return VALIDATOR_UPDATE + u64(height) + address_raw


def validator_past(address_raw: bytes, until_height: int) -> bytes:
    return VALIDATOR_PAST + address_raw + u64(until_height)


def evidence(offence_key: bytes) -> bytes:
    return EVIDENCE + offence_key


def chain_meta(name: bytes) -> bytes:
    return CHAIN_META + name
