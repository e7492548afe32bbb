"""The runner's side of pacing (node/pacing.py): when round 0 of a waiting height begins.

`RoundZeroPacing` is a part of `node.runner.Runner` (a mixin): whether txs or evidence wait,
whether this node begins a height at once when they arrive, and beginning round 0 (logged in
the WAL as the NEW_HEIGHT timeout it stands for). The rule itself is node/pacing.py's.
"""

from __future__ import annotations

import asyncio
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING

from consensus.actions import Action
from consensus.machine import ConsensusMachine
from consensus.messages import Step
from consensus.wal import TimeoutFired, WriteAheadLog
from consensus.wal_signer import JournaledSigner
from node.chain import Chain
from node.commit_off_loop import OffLoopCommitter
from node.evidence_pool import EvidencePool
from node.mempool import Mempool
from node.pacing import EmptyBlockPolicy, QuietStart, StartGate
from node.proposer_checks import decides_alone, proposes_round0


class RoundZeroPacing:
    """Beginning round 0 of a height that waits: the runner's fields it reads are declared here."""

    machine: ConsensusMachine
    mempool: Mempool
    evidence: EvidencePool
    _signer: JournaledSigner | None
    _wal: WriteAheadLog | None
    _gate: StartGate
    _start_at_once: bool  # False: every height waits out the interval ([pacing])
    _full_block_txs: int  # the chain's max_block_txs: a full block waits
    _quiet: QuietStart  # a validator that decides alone: begins when admissions pause
    chain: Chain
    _committer: OffLoopCommitter | None  # a node: commits (and a lone proposer builds) off the loop
    inline_commit_txs: int
    _preparing: asyncio.Task[None] | None  # the block of round 0 being built off the loop
    _prepared_for: int  # the height whose block was built off the loop

    if TYPE_CHECKING:  # the runner's own (node/runner.py)

        @property
        def _halted(self) -> bool: ...

        def _guard(self) -> AbstractContextManager[None]: ...

        def _fail(self, exc: BaseException) -> None: ...

        def _apply(self, actions: list[Action], peer: bytes | None) -> None: ...

    def txs_available(self) -> None:
        """The mempool got ready txs: a height waiting for them starts (node/pacing.py)."""
        if not self._halted and self._has_work():
            with self._guard():
                self._work_arrived()

    def _has_work(self) -> bool:
        return self.mempool.stats().ready > 0 or len(self.evidence) > 0

    def _work_arrived(self) -> None:
        """Txs or evidence to commit: the proposer of round 0 begins at once (node/pacing.py);
        any node whose height the gate holds (past the interval) begins too; a validator that
        decides alone once a full block waits, or once admissions pause (`QuietStart`)."""
        if self._gate.held is not None or self._starts_at_once():
            self._begin_now()
        elif self._waits_alone():
            self._quiet.arrived()

    def _waits_alone(self) -> bool:
        """This validator decides alone, proposes round 0 and waits out the interval with work."""
        m, signer = self.machine, self._signer
        return (
            self._start_at_once
            and m.step == Step.NEW_HEIGHT
            and not m.decided
            and self._has_work()
            and proposes_round0(m, signer)
            and decides_alone(m, signer)
        )

    def _starts_at_once(self) -> bool:
        m, signer = self.machine, self._signer
        alone = decides_alone(m, signer)
        return self._start_at_once and EmptyBlockPolicy.starts_at_once(
            has_work=self._has_work(),
            proposer=proposes_round0(m, signer),
            decides_alone=alone,
            full_block=alone and self._full_block_waits(),
        )

    def _full_block_waits(self) -> bool:
        """A block's worth of ready txs waits (`max_block_txs`): waiting out the interval
        could not make the next block larger, only later."""
        return self.mempool.ready_count >= self._full_block_txs

    def _prepares(self, height: int) -> bool:
        """Build off the loop: a block worth a hand-off, and no peer waits for our proposal."""
        m, signer = self.machine, self._signer
        return (
            self._committer is not None
            and self._prepared_for != height
            and self.mempool.ready_count > self.inline_commit_txs
            and proposes_round0(m, signer)
            and decides_alone(m, signer)
        )

    async def _prepare_round0(self, height: int) -> None:
        assert self._committer is not None
        try:
            await self._committer.prepare(self.chain.candidates(height))
        except Exception as exc:
            self._preparing = None
            self._fail(exc)
            return
        self._preparing = None
        self._prepared_for = height
        self._round0(height)

    def _begin_now(self) -> None:
        """Round 0 of this height begins now if it has not yet (waiting out the interval, or
        held by the gate): txs or evidence arrived, or a peer started the height."""
        m = self.machine
        if m.step == Step.NEW_HEIGHT and m.round == 0 and not m.decided and m.height > 0:
            self._gate.clear()
            self._round0(m.height)

    def _round0(self, height: int) -> None:
        """The gate lets round 0 of `height` begin: the NEW_HEIGHT timeout, late. A validator
        that decides alone and writes off the loop first builds its block on the commit thread
        (`_prepare_round0`): round 0 begins when it is built."""
        m = self.machine
        if height != m.height or m.decided or self._halted or m.step != Step.NEW_HEIGHT:
            return
        if self._preparing is not None:
            return  # the block of this height is being built: round 0 begins when it is
        if self._prepares(height):
            loop = asyncio.get_running_loop()
            self._preparing = loop.create_task(self._prepare_round0(height))
            return
        with self._guard():
            if self._wal is not None:
                self._wal.append(TimeoutFired(height, 0, Step.NEW_HEIGHT))
            self._apply(m.on_timeout(height, 0, Step.NEW_HEIGHT), None)
