"""Proposer-based timestamps (CometBFT v1.0's PBTS): is a proposal's time "timely"?

A block's time is the time its proposer's clock read when it built the block. Honest validators
prevote a fresh proposal (pol_round = -1) only if that time lies within

    [received - precision - message_delay(round), received + precision]

where `received` is the validator's own clock when the proposal reached its machine. `precision`
bounds the difference between correct validators' clocks, `message_delay` bounds how long a
proposal takes to arrive. A re-proposal carrying a proof-of-lock (pol_round >= 0) keeps the time
it was first proposed with and is not checked again: +2/3 prevoted it, so more than 1/3 honest
validators found it timely then. `valid(v)` stays deterministic (it checks only that the time is
above the previous block's); timeliness is a per-node judgement made once, on receipt, and logged
with the proposal in the WAL so a replay judges the same way.

So an honest-built or honest-accepted block's time is never more than `precision` ahead of some
honest clock, and a Byzantine proposer cannot move chain time into the future: a far-future
stamp is prevoted nil by every honest validator, which take over in the next round.

`message_delay` grows by a tenth of itself per round (CometBFT multiplies it by 1.1 per round):
if the parameter is set too low for the network, later rounds still accept honest proposals and
the chain stays live. The future bound (`precision`) never grows.
"""

from __future__ import annotations

from dataclasses import dataclass

from ledger.genesis import ConsensusParams


@dataclass(frozen=True, slots=True)
class Synchrony:
    precision_ms: int = 505
    message_delay_ms: int = 15_000

    @classmethod
    def from_params(cls, params: ConsensusParams) -> Synchrony:
        return cls(params.synchrony_precision_ms, params.synchrony_message_delay_ms)

    def message_delay(self, round_: int) -> int:
        """The message delay allowed in `round_`: linear growth, a tenth per round."""
        return self.message_delay_ms + self.message_delay_ms * min(round_, 1000) // 10

    def timely(self, block_time_ms: int, received_ms: int, round_: int) -> bool:
        """True when a proposal of `round_` stamped `block_time_ms`, received at local time
        `received_ms`, is neither too far in the future nor too old."""
        earliest = received_ms - self.precision_ms - self.message_delay(round_)
        return earliest <= block_time_ms <= received_ms + self.precision_ms
