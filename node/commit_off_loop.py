"""Writing a decided block on a thread of its own while the event loop goes on (issue 17, goal 3).

A block's commit is one synced LevelDB batch of everything it changed (ledger/store/store.py):
for a full block of 20,000 transfers about 80,000 keys, written and fsynced. On the loop it
stopped everything else for that time: no HTTP batch was read, decoded or handed to the
signature workers, which sat idle. Here the loop stages the commit (the store's checks), pins the
store's reads to a LevelDB snapshot of the committed chain, and a single commit thread builds
the receipts, the account index and the batch and writes it: plyvel releases the GIL for the
write and its fsync, and the Python before it interleaves with the loop's. Meanwhile:

- every read of the store (the mempool's admission checks, the API, proofs, block sync's
  execution) answers from the snapshot: the chain before the block, whole;
- txs are admitted against that state, as they are while a height is being decided; the
  mempool's update after the commit re-checks them against the new one;
- the runner takes no other block: consensus has decided (later heights' messages are stashed,
  the machine ignores its timeouts), block sync's `commit_synced` is refused, and the next
  height begins only after the commit.

The proposer that decides alone builds its next block there too (`prepare`, node/runner_pacing.py):
the loop reaps the mempool (a list of txs, in proposal order), the thread executes them on the
committed chain and computes the state root (`Chain.build`: reads only), and round 0 then begins
with that block on the loop. No block is committed meanwhile, and admission only adds to the
mempool, whose lookups the build makes (`prechecked`, `signature_ok`) one call at a time.

When the write returns the block is durable; the loop then moves the store and the chain to it
and unpins the reads with no await in between, so a reader sees the old chain or the new one,
never a mix. A crash at any point leaves LevelDB with the whole batch or none of it. If the
node stops meanwhile the write still ends whole: `Store.close` waits for it.
"""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

from node.chain import Chain
from node.chain_types import Candidates, Executed, StagedCommit


class OffLoopCommitter:
    """Commits staged blocks of `chain`, one at a time, on its own thread."""

    def __init__(self, chain: Chain) -> None:
        self.chain = chain
        self._thread = ThreadPoolExecutor(1, thread_name_prefix="commit")

    async def commit(self, staged: StagedCommit) -> Executed:
        """Write `staged` on the commit thread, then finish it on the loop; returns what ran."""
        store = self.chain.store
        store.pin_reads()
        loop = asyncio.get_running_loop()
        try:
            written = await loop.run_in_executor(self._thread, self.chain.write_commit, staged)
        except asyncio.CancelledError:
            raise  # stopping: the write ends whole in its thread, `Store.close` waits for it
        except BaseException:
            store.unpin_reads()  # nothing was written
            raise
        try:
            return self.chain.finish_commit(staged, written)
        finally:
            store.unpin_reads()

    async def prepare(self, candidates: Candidates) -> None:
        """Build the block of `candidates` on the commit thread, for `Chain.propose`."""
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(self._thread, self.chain.prepare, candidates)

    def close(self) -> None:
        """Take no more work, and wait for what is in flight: a build reads the database,
        which must not close under it (a write would be waited for by `Store.close`)."""
        self._thread.shutdown(wait=True)
