"""The runner's side of writing a decided block off the loop (node/commit_off_loop.py).

`OffLoopCommits` is a part of `node.runner.Runner` (a mixin): a decided block of more than
`inline_commit_txs` txs is staged on the loop (the store's checks), written on the commit thread
while the loop goes on, and finished on the loop; a smaller one is committed in the call that
decided it. The runner takes no other block while one is written (`committing`).
"""

from __future__ import annotations

import asyncio
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING

from ledger.block import Block, Commit
from node.chain import Chain
from node.chain_types import Executed, StagedCommit
from node.commit_off_loop import OffLoopCommitter


class OffLoopCommits:
    """Committing decided blocks: the runner's fields it reads are declared here."""

    chain: Chain
    inline_commit_txs: int
    _committer: OffLoopCommitter | None  # None: every block is committed on the loop
    _committing: asyncio.Task[None] | None  # the write of a decided block, in flight

    if TYPE_CHECKING:  # the runner's own (node/runner.py)

        @property
        def _halted(self) -> bool: ...

        def _guard(self) -> AbstractContextManager[None]: ...

        def _fail(self, exc: BaseException) -> None: ...

        def _committed(self, block: Block, commit: Commit, executed: Executed) -> None: ...

    def _decide(self, block: Block, commit: Commit) -> None:
        if self._committer is None or len(block.txs) <= self.inline_commit_txs:
            self._committed(block, commit, self.chain.commit(block, commit))
            return
        staged = self.chain.stage_commit(block, commit)  # a block that cannot be stored fails here
        self._committing = asyncio.get_running_loop().create_task(self._commit_staged(staged))

    async def _commit_staged(self, staged: StagedCommit) -> None:
        assert self._committer is not None
        try:
            executed = await self._committer.commit(staged)
        except Exception as exc:
            self._committing = None
            self._fail(exc)
            return
        self._committing = None
        if not self._halted:
            with self._guard():
                self._committed(staged.block, staged.commit, executed)

    @property
    def committing(self) -> bool:
        """A decided block is being written (node/commit_off_loop.py)."""
        return self._committing is not None
