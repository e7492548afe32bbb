"""The consensus runner: drives one `ConsensusMachine` with real timers, peers and the chain.

Everything runs on the event loop's thread; the machine is called synchronously and its actions
are carried out in order (docs/consensus.md, "Driving the machine"):

- `Broadcast`: synced to the WAL (unless the `JournaledSigner` already did), then sent to peers;
- `ScheduleTimeout`: `loop.call_later` keyed by (height, round, step) (node/timers.py);
- `Decide`: `Chain.commit` (one atomic, synced LevelDB batch), `EndHeight` in the WAL, the mempool
  drops included txs and re-checks the rest, evidence is pruned, listeners see the block (the
  API's event hub), peers get our new STATUS, and the next height starts (node/pacing.py);
- `EvidenceFound`: into the evidence pool, gossiped, and proposed in a later block;
- `Rejected`: the peer that delivered the message is penalized.

Inputs: peers' proposals and votes (decoded by node.router), timeouts, synced blocks. What the
machine admits is logged in the WAL before it counts (the machine's `journal`; a proposal with the
clock reading its timeliness was judged on), a timeout before the machine sees it; a restart
replays the height from the WAL, so a validator resumes its round with its lock and never
contradicts what it signed.

Later heights' messages are stashed (bounded); votes for the height just committed only matter
as evidence. A block naming a proposer other than the round's signer is dropped here. Round 0
begins at once when txs wait, else after the empty-block interval (node/pacing.py; the runner's
side in node/runner_pacing.py). What the runner tells peers besides the machine's broadcasts
(STATUS when stalled, evidence, a laggard's round messages) is node/runner_gossip.py. A failure
to persist stops the runner: the node shuts down rather than go on from a state it could not
write.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable, Iterator

from consensus.actions import Action, Broadcast, Decide, EvidenceFound, ScheduleTimeout
from consensus.height_state import ROUND_WINDOW
from consensus.machine import ConsensusMachine
from consensus.messages import ConsensusMessage, Proposal, Step
from consensus.timeliness import Synchrony
from consensus.timeouts import Timeouts
from consensus.wal import EndHeight, Received, Sent, TimeoutFired, WriteAheadLog
from consensus.wal_replay import replay
from consensus.wal_signer import JournaledSigner
from ledger.block import Block, Commit, DuplicateVoteEvidence, Vote
from node.chain import Chain
from node.chain_types import Executed
from node.commit_off_loop import OffLoopCommitter
from node.evidence_pool import EvidencePool
from node.mempool import Mempool
from node.p2p.messages import MessageType
from node.p2p.scoring import Penalty
from node.pacing import QUIET_MS, EmptyBlockPolicy, QuietStart, StartGate, start_in_ms
from node.proposer_checks import names_round_proposer, signed_by_round_proposer
from node.runner_commit import OffLoopCommits
from node.runner_gossip import RunnerGossip
from node.runner_pacing import RoundZeroPacing
from node.runner_status import CommitListener, RunnerFailedError, RunnerStatus, now_ms
from node.stash import HEIGHTS as STASH_HEIGHTS
from node.stash import SeenVotes, Stash, Stashed
from node.timers import Timers
from node.wire import Net, Status

log = logging.getLogger(__name__)

TICK_SECONDS = 1.0
INLINE_COMMIT_TXS = 500
"""A block of at most this many txs is written on the loop: its write takes a few milliseconds,
less than a hand-off to the commit thread may wait on a loaded machine (node/commit_off_loop.py)."""


class Runner(OffLoopCommits, RoundZeroPacing, RunnerGossip):
    def __init__(
        self,
        chain: Chain,
        mempool: Mempool,
        evidence: EvidencePool,
        net: Net,
        *,
        timeouts: Timeouts,
        signer: JournaledSigner | None = None,
        wal: WriteAheadLog | None = None,
        clock_ms: Callable[[], int] = now_ms,
        start_at_once: bool = True,
        quiet_start_ms: int = QUIET_MS,
        commit_off_loop: bool = False,
    ) -> None:
        self.chain = chain
        self.mempool = mempool
        self.evidence = evidence
        self._net = net
        self._timeouts = timeouts
        self._signer = signer
        self._wal = wal
        self._clock_ms = clock_ms
        self._start_at_once = start_at_once  # False: every height waits out the interval
        self._full_block_txs = chain.params.consensus.max_block_txs
        # True (a node): a decided block is written on a thread while the loop goes on
        # (node/commit_off_loop.py); False: in the call that decided it
        self._committer = OffLoopCommitter(chain) if commit_off_loop else None
        self._committing: asyncio.Task[None] | None = None
        self._preparing: asyncio.Task[None] | None = None
        self._prepared_for = 0
        self.inline_commit_txs = INLINE_COMMIT_TXS
        self._gate = StartGate(EmptyBlockPolicy.from_params(chain.params.consensus), self._round0)
        self._quiet = QuietStart(quiet_start_ms / 1000, self._begin_now, time.monotonic)
        self._sent_early: set[bytes] = set()  # signatures of messages sent once durable
        if signer is not None:
            signer.listen(self._durable)
        self.machine = ConsensusMachine(
            chain.genesis_hash,
            chain,
            timeouts,
            signer=signer,
            synchrony=Synchrony.from_params(chain.params.consensus),
            journal=self._journal if wal is not None else None,
        )
        self._timers = Timers(self._on_timer)
        self._stash = Stash(chain.params.consensus.max_block_bytes)
        self._listeners: list[CommitListener] = []
        self._failure: asyncio.Future[None] | None = None
        self._stopped = False
        self._helped: dict[bytes, float] = {}
        self._seen = SeenVotes()
        self._marker: tuple[int, int, Step] = (0, 0, Step.NEW_HEIGHT)
        self._last_round = (0, 0)
        self.rounds_total = 0
        last = chain.last_header
        self.last_block_time_ms = last.time_ms if last else chain.genesis.genesis_time_ms

    # -- life --------------------------------------------------------------------------------

    def add_listener(self, listener: CommitListener) -> None:
        self._listeners.append(listener)

    async def run(self) -> None:
        """Start at the chain's next height (replaying the WAL) and tick until cancelled."""
        self._failure = asyncio.get_running_loop().create_future()
        try:
            self._start()
            while True:
                done, _ = await asyncio.wait({self._failure}, timeout=TICK_SECONDS)
                if done:
                    raise RunnerFailedError("consensus stopped") from self._failure.exception()
                with self._guard():
                    self._tick()
        finally:
            self.halt()

    def halt(self) -> None:
        """Take no more inputs and fire no armed timer: before the WAL closes, also for a
        runner that was never run (a node opened to sync by hand arms timers as it commits)."""
        self._stopped = True  # inputs arriving during shutdown must not arm new timers
        self._timers.cancel_all()
        self._gate.clear()
        self._quiet.clear()
        if self._committing is not None:
            self._committing.cancel()  # its write ends whole; the store waits for it at close
        if self._preparing is not None:
            self._preparing.cancel()
        if self._committer is not None:
            self._committer.close()

    def _start(self) -> None:
        height = self.chain.height + 1
        delay = (  # what is left of the interval since the last block, as after a decision
            start_in_ms(self._timeouts.new_height_ms, self.last_block_time_ms, self._clock_ms())
            if self.chain.height > 0
            else 0
        )
        if self._wal is None:
            self._apply(self.machine.on_start(height, self.chain.validators, delay_ms=delay), None)
            return
        result = replay(
            self.machine, self._wal.records(), height, self.chain.validators, delay_ms=delay
        )
        if result.fed:
            log.info("replayed %d WAL records of height %d", result.fed, height)
        for message in result.resend:
            self._emit(message)
        self._apply(result.actions, None)

    @contextlib.contextmanager
    def _guard(self) -> Iterator[None]:
        """An exception in a runner input is a runner failure: the node then stops."""
        try:
            yield
        except Exception as exc:
            self._fail(exc)

    def _fail(self, exc: BaseException) -> None:
        log.critical("consensus runner failed: %s", exc, exc_info=exc)
        if self._failure is not None and not self._failure.done():
            self._failure.set_exception(exc)

    @property
    def failed(self) -> bool:
        return self._failure is not None and self._failure.done()

    @property
    def _halted(self) -> bool:
        return self._stopped or self.failed

    def status(self) -> RunnerStatus:
        m = self.machine
        step = "commit" if m.decided else m.step.name.lower()
        return RunnerStatus(
            self.chain.height,
            m.round,
            step,
            self.last_block_time_ms,
            self.rounds_total,
            self._gate.held is not None,
        )

    def status_message(self) -> Status:
        store = self.chain.store
        return Status(store.height, store.last_block_hash or b"", self.machine.round)

    # -- inputs ------------------------------------------------------------------------------

    def on_proposal(self, peer: bytes | None, proposal: Proposal) -> None:
        if self._halted:
            return
        with self._guard():
            self._consensus(peer, proposal)

    def on_vote(self, peer: bytes | None, vote: Vote) -> None:
        if self._halted:
            return
        with self._guard():
            self._consensus(peer, vote)

    def on_evidence(self, peer: bytes, evidence: DuplicateVoteEvidence) -> None:
        if self._halted:
            return
        with self._guard():
            self._add_evidence(evidence)

    def wants_height(self, height: int) -> bool:
        """Whether a message for `height` can matter: the current height, or one the stash
        keeps. Others are dropped unread (node/router.py)."""
        current = self.machine.height
        return current <= height <= current + STASH_HEIGHTS

    def commit_synced(self, block: Block, commit: Commit) -> bool:
        """Commit a block that block sync verified (its commit and its execution)."""
        if block.header.height != self.chain.height + 1 or self._halted:
            return False
        if self._committing is not None or self._preparing is not None:
            return False  # a block is being written (the one decided), or built on the chain
        with self._guard():
            executed = self.chain.commit(block, commit)
            log.info("synced block %d (%d txs)", block.header.height, len(block.txs))
            self._committed(block, commit, executed)
        return not self.failed

    def worth_verifying(self, proposal: Proposal) -> bool:
        """True when `proposal` is for the current height and signed by its round's proposer:
        only then are its txs' signatures worth checking ahead (in the verifier threads)."""
        return signed_by_round_proposer(self.machine, proposal)

    # -- the machine -------------------------------------------------------------------------

    def _consensus(self, peer: bytes | None, message: ConsensusMessage) -> None:
        m = self.machine
        height = message.height
        if height != m.height or m.decided:
            if height > m.height:
                stashed = self._stash.add(m.height, len(self.chain.validators), peer, message)
                if stashed is Stashed.OVER_SHARE and peer is not None:
                    self._net.penalize(peer, Penalty.FLOOD, "beyond its share of the stash")
            elif height >= m.height - 1 and isinstance(message, Vote):
                # late: only ever evidence, by the machine's path (as the simulator's)
                self._apply(m.on_vote(message), peer)
            return
        if isinstance(message, Proposal) and not self._proposer_matches(peer, message):
            return
        if isinstance(message, Vote) and self._seen.seen(message, m.round + ROUND_WINDOW):
            return  # a copy (every peer relays votes): not logged again, not run again
        self._begin_now()  # if round 0 has not begun: a peer has started this height
        if isinstance(message, Vote):
            actions = m.on_vote(message)
        else:  # its timeliness is judged on this reading of the clock
            actions = m.on_proposal(message, now_ms=self._clock_ms())
        if actions:
            self._apply(actions, peer)

    def _journal(self, message: ConsensusMessage, at_ms: int | None) -> None:
        """The machine admitted `message`: into the WAL before it counts (unsynced)."""
        if self._wal is not None:
            self._wal.append(Received(message, at_ms))

    def _proposer_matches(self, peer: bytes | None, proposal: Proposal) -> bool:
        """A fresh proposal's block must name the round's proposer (who signed it) as proposer;
        a re-proposal (pol_round >= 0) carries a block proposed in an earlier round."""
        if names_round_proposer(self.machine, proposal):
            return True
        if peer is not None:
            self._net.penalize(peer, Penalty.INVALID, "proposal names another proposer")
        return False

    def _apply(self, actions: list[Action], peer: bytes | None) -> None:
        for action in actions:
            if isinstance(action, Broadcast):
                message = action.message
                if message.signature in self._sent_early:
                    self._sent_early.discard(message.signature)
                    continue
                signer = self._signer
                if self._wal is not None and (signer is None or not signer.journaled(message)):
                    self._wal.append(Sent(message), sync=True)
                self._emit(message)
            elif isinstance(action, ScheduleTimeout):
                self._timers.schedule(action.height, action.round, action.step, action.delay_ms)
            elif isinstance(action, Decide):
                self._decide(action.block, action.commit)
            elif isinstance(action, EvidenceFound):
                self._add_evidence(action.evidence)
            elif peer is not None:  # Rejected: the sender's fault
                self._net.penalize(peer, Penalty.INVALID, action.reason.value)
        self._count_rounds()

    def _count_rounds(self) -> None:
        current = (self.machine.height, self.machine.round)
        if current != self._last_round:
            if current[1] > 0:
                self.rounds_total += 1
            self._last_round = current

    def _on_timer(self, height: int, round_: int, step: Step) -> None:
        if self._halted:
            return
        with self._guard():
            m = self.machine
            if not m.timeout_matters(height, round_):
                return  # stale: the machine would ignore it, and the WAL need not hold it
            if step == Step.NEW_HEIGHT and (
                m.step != Step.NEW_HEIGHT  # round 0 began early: txs, or a peer started it
                or self._gate.hold(
                    height,
                    has_work=self._has_work(),
                    now_ms=self._clock_ms(),
                    last_block_ms=self.last_block_time_ms,
                )
            ):
                return
            if step == Step.NEW_HEIGHT:
                self._round0(height)  # logs it; may build the block off the loop first
                return
            if self._wal is not None:
                self._wal.append(TimeoutFired(height, round_, step))
            self._apply(m.on_timeout(height, round_, step), None)

    def _committed(self, block: Block, commit: Commit, executed: Executed) -> None:
        height = block.header.height
        if self._wal is not None:
            self._wal.append(EndHeight(height), sync=True)
        self.last_block_time_ms = block.header.time_ms
        self.mempool.update(
            block.txs, self.chain.state, time_ms=block.header.time_ms, changes=executed.changes
        )
        self.evidence.prune()
        log.info(
            "committed block %d (%d txs) %s",
            height,
            len(block.txs),
            block.hash().hex()[:16],
        )
        for listener in self._listeners:
            try:
                listener(block, commit, executed)
            except Exception:
                log.exception("commit listener failed")
        self._net.broadcast(MessageType.STATUS, self.status_message().encode())
        self._enter(height + 1)

    def _enter(self, height: int) -> None:
        self._timers.cancel_below(height)
        self._gate.clear()
        self._quiet.clear()
        delay = start_in_ms(self._timeouts.new_height_ms, self.last_block_time_ms, self._clock_ms())
        self._apply(self.machine.on_start(height, self.chain.validators, delay_ms=delay), None)
        if delay > 0 and self._starts_at_once():
            self._round0(height)  # txs wait: no interval (logged as the NEW_HEIGHT timeout)
        elif delay > 0 and self._waits_alone():
            self._quiet.arrived()  # what arrived during the last height: unless more comes
        self._stash.forget_below(height)
        if height in self._stash:
            asyncio.get_running_loop().call_soon(self._drain, height)

    def _drain(self, height: int) -> None:
        """The stashed messages of `height`, now the current one, run as if they arrived now."""
        for peer, message in self._stash.take(height):
            if self._halted:
                return
            with self._guard():
                self._consensus(peer, message)
