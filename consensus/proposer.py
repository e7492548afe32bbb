"""Weighted round-robin proposer selection: CometBFT's proposer-priority algorithm, in integers.

Every validator carries a priority. One selection step adds each validator's power to its priority,
picks the highest priority (ties go to the lower address, i.e. the earlier validator in the
address-sorted set) and subtracts the total power from the one picked. Over `total_power` steps each
validator is picked about `power` times, spread evenly (spec/consensus/proposer-selection.md).
Before a run of steps the priorities are rescaled so that their spread is at most twice the total
power, then centred on their average (`normalize`), exactly as CometBFT's
`IncrementProposerPriority` does.

Convention: a `ValidatorSet` for height h holds the priorities *before* h's first selection; the
proposer of (h, round) is the pick of step `round + 1`, and the set for h + 1 is the set advanced by
one step (then updated). So the proposer of round 0 rotates by height and later rounds continue the
same weighted sequence.

The sequence of priority vectors is eventually periodic (period at most the total power, found in
practice within twice the total power): `ProposerRotation` detects the cycle with Brent's method so
that a large round costs at most about 2 * total_power steps once, not `round` steps.
"""

from __future__ import annotations

Priorities = tuple[int, ...]

PRIORITY_WINDOW_FACTOR = 2
# Stop recording the sequence after this many steps when no cycle shows up (huge powers): the
# rotation then walks to the asked round without memory, so its memory stays bounded.
MAX_RECORDED_STEPS = 1 << 16


def _trunc_div(a: int, b: int) -> int:
    """Integer division rounding toward zero, as Go's `/` (b > 0)."""
    q = abs(a) // b
    return q if a >= 0 else -q


def normalize(priorities: Priorities, total_power: int) -> Priorities:
    """Rescale the spread to at most 2 * total_power, then subtract the (floored) average."""
    if not priorities:
        return priorities
    diff_max = PRIORITY_WINDOW_FACTOR * total_power
    diff = max(priorities) - min(priorities)
    values = list(priorities)
    if diff_max > 0 and diff > diff_max:
        ratio = (diff + diff_max - 1) // diff_max
        values = [_trunc_div(p, ratio) for p in values]
    average = sum(values) // len(values)
    return tuple(p - average for p in values)


def step(
    priorities: Priorities, powers: tuple[int, ...], total_power: int
) -> tuple[Priorities, int]:
    """One selection: returns the new priorities and the index of the validator picked."""
    raised = [p + w for p, w in zip(priorities, powers, strict=True)]
    best = 0
    for i in range(1, len(raised)):
        if raised[i] > raised[best]:  # strict: ties keep the lower index (lower address)
            best = i
    raised[best] -= total_power
    return tuple(raised), best


def advance(priorities: Priorities, powers: tuple[int, ...], steps: int) -> Priorities:
    """Priorities after `normalize` and `steps` selection steps."""
    total = sum(powers)
    current = normalize(priorities, total)
    for _ in range(steps):
        current, _picked = step(current, powers, total)
    return current


class ProposerRotation:
    """The proposer index for every round of one height, computed lazily and cached.

    `picks[k]` is the index picked by step k + 1, i.e. the proposer of round k. Once the priority
    vector repeats (Brent's cycle detection, O(1) extra memory per step), later rounds are read
    from the cycle instead of computed.
    """

    __slots__ = (
        "_cycle_len",
        "_cycle_start",
        "_far",
        "_lam",
        "_power_of_two",
        "_powers",
        "_saved",
        "_saved_at",
        "_state",
        "_total",
        "picks",
    )

    def __init__(self, priorities: Priorities, powers: tuple[int, ...]) -> None:
        if not powers:
            raise ValueError("a rotation needs at least one validator")
        self._powers = powers
        self._total = sum(powers)
        self._state = normalize(priorities, self._total)
        self.picks: list[int] = []
        self._saved = self._state  # Brent: the state at the last power-of-two step
        self._saved_at = 0
        self._power_of_two = 1
        self._lam = 0
        self._cycle_start = -1  # round at which the periodic part starts, once known
        self._cycle_len = 0
        self._far: tuple[int, int] = (-1, 0)  # the last (round, pick) found past the record

    def proposer_index(self, round_: int) -> int:
        if round_ < 0:
            raise ValueError("round must be >= 0")
        if self._cycle_len and round_ >= self._cycle_start:
            return self.picks[self._cycle_start + (round_ - self._cycle_start) % self._cycle_len]
        while len(self.picks) <= round_:
            if len(self.picks) >= MAX_RECORDED_STEPS:
                return self._walk_unrecorded(round_)
            self._state, picked = step(self._state, self._powers, self._total)
            self.picks.append(picked)
            if self._detect_cycle():
                return self.proposer_index(round_)
        return self.picks[round_]

    def _detect_cycle(self) -> bool:
        """Brent's method over the priority vectors; True once the cycle is known."""
        steps_done = len(self.picks)
        self._lam += 1
        if self._state == self._saved:
            # state(steps_done) == state(saved_at): picks repeat with period lam from saved_at on
            self._cycle_start = self._saved_at
            self._cycle_len = self._lam
            return True
        if self._lam == self._power_of_two:
            self._saved = self._state
            self._saved_at = steps_done
            self._power_of_two *= 2
            self._lam = 0
        return False

    def _walk_unrecorded(self, round_: int) -> int:
        if self._far[0] == round_:
            return self._far[1]
        state = self._state
        picked = self.picks[-1]
        for _ in range(round_ - len(self.picks) + 1):
            state, picked = step(state, self._powers, self._total)
        self._far = (round_, picked)
        return picked
