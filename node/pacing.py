"""When round 0 of a height begins: at once when txs wait, else the empty-block interval.

The rule, from `ConsensusParams` (docs/consensus.md, "Pacing"):

- **Txs wait: the proposer starts at once.** After a decision, when the mempool holds ready txs
  (or evidence waits to be recorded), the proposer of round 0 begins the next height immediately
  and proposes (`starts_at_once`); while a height waits, its proposer begins it on the first
  ready tx. Every node begins a waiting height when a proposal or vote of it arrives from a
  peer. A tx therefore waits only for the height in progress, never for a clock: at low load it
  is committed one consensus round trip after it reaches the proposer, and under load each block
  carries what arrived while the previous one was decided (blocks grow with the load, as a group
  commit does).
- **A validator that decides alone keeps the interval.** When this node's own power is a
  quorum (a one-validator chain) its height runs from proposal to commit in one call on the
  loop: nothing is admitted meanwhile, so no tx ever waits at its decisions, and beginning on
  the first tx made every client request a block of its own under load (120 blocks of 500 txs
  for 60,000: a third of its throughput lost; a wake-up bound of twice the last height's
  duration still lost about a tenth). Such a node paces blocks by the interval, as before: the
  rule is for chains whose heights wait for votes, during which txs arrive.
- **The others follow the proposal.** A validator that does not propose round 0 does not begin
  on its own txs: it begins when the proposal arrives (or any message of the height), else after
  the interval as below. So its propose timeout never starts earlier than the interval rule
  would start it: a proposer slow to finish committing a large block is not timed out by
  followers that began the height before it could.
- **No tx: empty blocks keep the interval.** With nothing to do the machine's NEW_HEIGHT timeout
  waits out what is left of `block_interval_ms` since the last block's time (`start_in_ms`,
  spaced start to start); then, with `create_empty_blocks`, round 0 starts once
  `empty_block_interval_ms` has passed since the last block's time (so an idle chain makes an
  empty block at most that often); with `create_empty_blocks = false` the height waits for a tx
  or evidence.

The first block is always made at once: it is the first header that commits to the genesis
state (CometBFT makes it too).

The rule is a local choice of when to begin, never a validity rule: a proposer's mempool may be
empty while a peer's is not, which is why a peer's message for the height begins it too
(CometBFT's `waitForTxs` works alike; its `timeout_commit` would still hold every height for a
fixed wait, which is the latency this rule removes).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass

from ledger.genesis import ConsensusParams

WAIT_FOREVER = -1


def start_in_ms(interval_ms: int, last_block_ms: int, now_ms: int) -> int:
    """How long after a decision round 0 of the next height starts: what is left of
    `interval_ms` since the last block's time, at most `interval_ms` (a clock behind the
    block's time waits the whole interval, never longer) and at least 1 ms, so that the
    NEW_HEIGHT timeout, and with it the empty-block gate, still runs (the machine starts round
    0 at once, without asking the gate, when the delay is 0)."""
    if interval_ms <= 0:
        return 0
    return max(1, min(interval_ms, last_block_ms + interval_ms - now_ms))


@dataclass(frozen=True, slots=True)
class EmptyBlockPolicy:
    create_empty_blocks: bool
    empty_block_interval_ms: int

    @classmethod
    def from_params(cls, params: ConsensusParams) -> EmptyBlockPolicy:
        return cls(params.create_empty_blocks, params.empty_block_interval_ms)

    @staticmethod
    def starts_at_once(
        *, has_work: bool, proposer: bool, decides_alone: bool, full_block: bool = False
    ) -> bool:
        """After a decision, or when work arrives while a height waits out the interval: True
        when round 0 begins now (this node proposes round 0, txs or evidence wait, and it needs
        other validators' votes to decide); False when it waits for the NEW_HEIGHT timeout
        (then `wait_ms`) or a peer's message."""
        return has_work and proposer and (not decides_alone or full_block)

    def wait_ms(self, *, has_work: bool, now_ms: int, last_block_ms: int) -> int:
        """0: start round 0 now; a positive number: check again after that long;
        `WAIT_FOREVER`: wait until work arrives."""
        if has_work:
            return 0
        if not self.create_empty_blocks:
            return WAIT_FOREVER
        return max(0, last_block_ms + self.empty_block_interval_ms - now_ms)


class StartGate:
    """Holds round 0 of a height while the policy says wait; `start(height)` lets it begin.

    `hold` is asked when the NEW_HEIGHT timeout fires; a held height is let go by `release`
    (work arrived, a peer started the height) or by its own re-check timer.
    """

    def __init__(self, policy: EmptyBlockPolicy, start: Callable[[int], None]) -> None:
        self._policy = policy
        self._start = start
        self.held: int | None = None
        self._timer: asyncio.TimerHandle | None = None

    def hold(self, height: int, *, has_work: bool, now_ms: int, last_block_ms: int) -> bool:
        """True when round 0 of `height` must wait; arms the re-check."""
        wait = self._policy.wait_ms(has_work=has_work, now_ms=now_ms, last_block_ms=last_block_ms)
        if wait == 0:
            return False
        self.clear()
        self.held = height
        if wait != WAIT_FOREVER:
            loop = asyncio.get_running_loop()
            self._timer = loop.call_later(wait / 1000, self._due, height)
        return True

    def _due(self, height: int) -> None:
        self._timer = None
        if self.held == height:
            self.release()

    def release(self) -> None:
        height = self.held
        self.clear()
        if height is not None:
            self._start(height)

    def clear(self) -> None:
        self.held = None
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None


QUIET_MS = 100
"""How long admissions must pause before a validator that decides alone begins a waiting height
(`[pacing] quiet_start_ms`): long enough that a client's next batch, answered in tens of ms,
re-arms it under load, short next to the block interval it saves at the end of a burst."""
MAX_QUIET_MS = 60_000


class QuietStart:
    """Begins a waiting height of a validator that decides alone once txs stop arriving.

    Such a validator waits out the interval to batch (module docstring), but at the end of a
    burst that only delays the last txs: `arrived` is called on every admission, and `quiet_s`
    after the last one `start` runs. Under load the next batch comes sooner and re-arms it. A
    timer that fires more than twice late says the loop was busy (a block's work): no admission
    could be seen meanwhile, so it waits `quiet_s` again rather than take that for a pause.
    """

    def __init__(
        self, quiet_s: float, start: Callable[[], None], clock: Callable[[], float]
    ) -> None:
        self._quiet_s = quiet_s
        self._start = start
        self._clock = clock
        self._armed_at = 0.0
        self._timer: asyncio.TimerHandle | None = None

    @property
    def armed(self) -> bool:
        return self._timer is not None

    def arrived(self) -> None:
        self.clear()
        self._armed_at = self._clock()
        self._timer = asyncio.get_running_loop().call_later(self._quiet_s, self.due)

    def due(self) -> None:
        """The timer: `start`, unless it fired so late that the loop was busy meanwhile."""
        self._timer = None
        if self._clock() - self._armed_at > 2 * self._quiet_s:
            self.arrived()
            return
        self._start()

    def clear(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
