"""The state at height 0, built from the genesis file."""

from __future__ import annotations

from ledger.collectives.genesis import collective_genesis_items
from ledger.genesis import Genesis
from ledger.state import keys
from ledger.state.reader import MemoryState
from ledger.state.records import Account, ValidatorRecord


def genesis_items(genesis: Genesis) -> dict[bytes, bytes]:
    items: dict[bytes, bytes] = {}
    for address, amount in genesis.balances:
        items[keys.account(address.raw)] = Account(amount, 0).encode()
    for v in genesis.validators:
        items[keys.validator(v.address.raw)] = ValidatorRecord(
            v.public_key, v.power, v.name, v.node_key
        ).encode()
    items[keys.chain_meta(b"height")] = keys.u64(0)
    items.update(collective_genesis_items(genesis))
    return items


def genesis_state(genesis: Genesis) -> MemoryState:
    return MemoryState(genesis_items(genesis))
