"""A long history for `coterie bench --heights N`: N committed blocks written straight into each
node's database before the nodes first start, to time a restart at 100,000 heights.

A lone validator piles up only about ten empty heights a second on its own, so a node with a
long history would take hours to make. The bench writes it instead, through the node's own
code: each height is proposed by `Chain.propose` (the rotation's proposer; execution, validator
set records and the state root as a node computes them), and `Chain.commit` stores it with a
commit whose precommits every validator of the bench's testnet really signed (their keys are in
the testnet's homes). The blocks are empty: a restart's cost per height, if any, does not depend
on what the blocks hold. Block times are `step_ms` apart and end before now (the testnet's
genesis time is set that far back), so the first live block follows them as any other would.

The batches are written without `sync` (one fsync per height would make it ten times slower):
the history is thrown away with the bench's folder if anything fails. The first database is
written, closed, and copied to the other nodes, as the prefilled state (cli/bench/prefill.py).
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Sequence
from pathlib import Path

from ledger.block import Commit, CommitSig, Vote, VoteType
from ledger.genesis import Genesis
from ledger.keys import PrivateKey
from ledger.store import Store
from ledger.store.leveldb import open_leveldb
from node.chain import Chain

DEFAULT_STEP_MS = 1000


def genesis_time_for(heights: int, now_ms: int, step_ms: int = DEFAULT_STEP_MS) -> int:
    """A genesis time that lets `heights` blocks `step_ms` apart end a minute before `now_ms`."""
    return now_ms - (heights + 60) * step_ms


def write_history(
    chain_dirs: Sequence[Path],
    genesis: Genesis,
    validator_keys: Sequence[PrivateKey],
    heights: int,
    *,
    step_ms: int = DEFAULT_STEP_MS,
    on_height: Callable[[int], None] | None = None,
) -> bytes:
    """Commit `heights` empty blocks on top of the database at `chain_dirs[0]` (initialized
    from `genesis` if new), copy it over the others, and answer the last block's hash."""
    first = chain_dirs[0]
    genesis_hash = genesis.hash()
    signers = {key.address: key for key in validator_keys}
    with Store.open(first, genesis_hash) as store:
        store.sync = False
        last = store.last_header
        clock = [last.time_ms if last else genesis.genesis_time_ms]

        def tick() -> int:
            clock[0] += step_ms
            return clock[0]

        chain = Chain(store, genesis, clock=tick)
        for height in range(store.height + 1, store.height + heights + 1):
            chain.proposer_address = chain.validators.proposer(0).address
            block = chain.propose(height, 0)
            if block is None:
                raise RuntimeError(f"no block could be built at height {height}")
            block_hash = block.hash()
            message = Vote.sign_bytes_for(genesis_hash, VoteType.PRECOMMIT, height, 0, block_hash)
            sigs = [  # the set is sorted by address, as a commit's signatures are
                CommitSig(v.address, signers[v.address].sign(message))
                for v in chain.validators.validators
            ]
            chain.commit(block, Commit(height, 0, block_hash, tuple(sigs)))
            if on_height is not None:
                on_height(height)
        last_hash = store.last_block_hash
    assert last_hash is not None or heights == 0
    open_leveldb(first).close()  # replays the unsynced log into a table once, here
    for other in chain_dirs[1:]:
        shutil.rmtree(other, ignore_errors=True)
        shutil.copytree(first, other)
    return last_hash or b""
