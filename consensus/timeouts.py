"""Round timeouts: linear in the round (base + delta * round), capped, from `ConsensusParams`.

Linear growth (CometBFT's scheme) rather than doubling: Besu's doubling timers reached "round 10,
expires in 4096 seconds" in production (besu #7642). The cap keeps a long outage from producing
absurd waits; it is safe because a validator behind in rounds also jumps ahead on f + 1 votes of a
later round, so laggards never depend on growing timers alone. The cap is the genesis parameter
`timeout_cap_ms` (60 s by default), which genesis parsing checks against the base timeouts, the
block interval and the time a full block (`max_block_bytes`) takes at 1 MB/s: a chain with 64 MB
blocks on slow links needs a cap above the time such a block takes to arrive, or no round would
ever last long enough to carry one.
"""

from __future__ import annotations

from dataclasses import dataclass

from consensus.messages import Step
from ledger.genesis import ConsensusParams

MAX_TIMEOUT_MS = 60_000


@dataclass(frozen=True, slots=True)
class Timeouts:
    propose_ms: int
    propose_delta_ms: int
    prevote_ms: int
    prevote_delta_ms: int
    precommit_ms: int
    precommit_delta_ms: int
    new_height_ms: int  # the wait between a decision and round 0 of the next height
    cap_ms: int = MAX_TIMEOUT_MS

    @classmethod
    def from_params(cls, params: ConsensusParams) -> Timeouts:
        return cls(
            propose_ms=params.timeout_propose_ms,
            propose_delta_ms=params.timeout_propose_delta_ms,
            prevote_ms=params.timeout_prevote_ms,
            prevote_delta_ms=params.timeout_prevote_delta_ms,
            precommit_ms=params.timeout_precommit_ms,
            precommit_delta_ms=params.timeout_precommit_delta_ms,
            new_height_ms=params.block_interval_ms,
            cap_ms=params.timeout_cap_ms,
        )

    def _linear(self, base: int, delta: int, round_: int) -> int:
        return min(self.cap_ms, base + delta * round_)

    def propose(self, round_: int) -> int:
        return self._linear(self.propose_ms, self.propose_delta_ms, round_)

    def prevote(self, round_: int) -> int:
        return self._linear(self.prevote_ms, self.prevote_delta_ms, round_)

    def precommit(self, round_: int) -> int:
        return self._linear(self.precommit_ms, self.precommit_delta_ms, round_)

    def for_step(self, step: Step, round_: int) -> int:
        if step == Step.PROPOSE:
            return self.propose(round_)
        if step == Step.PREVOTE:
            return self.prevote(round_)
        if step == Step.PRECOMMIT:
            return self.precommit(round_)
        return min(self.cap_ms, self.new_height_ms)
