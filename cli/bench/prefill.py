"""A large state for `coterie bench --accounts N`: N funded accounts written straight into each
node's database at height 0, before the node first starts.

Funding N accounts with N transfers would take minutes at a million, and listing them in
genesis.json would make every start parse a 100 MB file; so the bench writes the height-0 state
itself: the genesis items (node.chain.initial_items) plus N accounts of `DEV_BALANCE`. Accounts
0 to S - 1 are the bench's S sender keys (cli/bench/load.py); the others are addresses derived
from a counter (`account_address`), which only receive. The first validator's database is
written once, closed and reopened (LevelDB turns the one large write's log into a sorted table
then, not at the node's start), and copied to the other nodes.

Only nodes given this database agree on the state: a node started from genesis.json alone
would compute another root at height 1 and refuse the chain. That is fine for a bench testnet
(every node gets a copy) and is why this lives in the bench, not in `coterie init`.
"""

from __future__ import annotations

import random
import shutil
from collections.abc import Callable, Sequence
from pathlib import Path

from ledger.genesis import Genesis
from ledger.hashing import digest
from ledger.keys import ADDRESS_LEN, Address
from ledger.state import keys as state_keys
from ledger.state.records import encode_account
from ledger.store import Store
from ledger.store.leveldb import open_leveldb
from node.chain import initial_items
from node.devnet import DEV_BALANCE

ACCOUNT_SECRET = b"coterie/bench-account/%d"
RECIPIENT_SEED = 17


def account_address(index: int) -> Address:
    """The address of prefilled account `index` (one no key controls: it only receives)."""
    return Address(digest(ACCOUNT_SECRET % index)[:ADDRESS_LEN])


def prefilled_items(
    genesis: Genesis, senders: Sequence[Address], accounts: int
) -> dict[bytes, bytes]:
    """The height-0 state: the genesis items and `accounts` funded accounts, the first
    `len(senders)` of them the senders (all senders are funded, whatever `accounts`)."""
    items = initial_items(genesis)
    funded = encode_account(DEV_BALANCE, 0)
    for address in senders:
        items[state_keys.account(address.raw)] = funded
    for index in range(len(senders), accounts):
        items[state_keys.account(digest(ACCOUNT_SECRET % index)[:ADDRESS_LEN])] = funded
    return items


def write_prefilled(
    chain_dirs: Sequence[Path], genesis: Genesis, items: dict[bytes, bytes]
) -> bytes:
    """Initialize the database at `chain_dirs[0]` with `items`, copy it to the others, and
    answer the state root."""
    first = chain_dirs[0]
    with Store.open(first, genesis.hash()) as store:
        root = store.initialize(items)
    open_leveldb(first).close()  # replays the write's log into a table once, here
    for other in chain_dirs[1:]:
        shutil.copytree(first, other)
    return root


def random_recipients(senders: Sequence[Address], accounts: int) -> Callable[[], Address]:
    """A seeded picker of recipients uniform over the `accounts` prefilled accounts."""
    rng = random.Random(RECIPIENT_SEED)

    def pick() -> Address:
        index = rng.randrange(accounts)
        return senders[index] if index < len(senders) else account_address(index)

    return pick
