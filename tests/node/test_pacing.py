"""The empty-block policy and the gate that holds round 0."""

from __future__ import annotations

import asyncio
import itertools

from node.pacing import WAIT_FOREVER, EmptyBlockPolicy, QuietStart, StartGate, start_in_ms


def test_policy() -> None:
    every_second = EmptyBlockPolicy(create_empty_blocks=True, empty_block_interval_ms=1000)
    assert every_second.wait_ms(has_work=True, now_ms=0, last_block_ms=0) == 0
    assert every_second.wait_ms(has_work=False, now_ms=1500, last_block_ms=1000) == 500
    assert every_second.wait_ms(has_work=False, now_ms=2500, last_block_ms=1000) == 0
    never = EmptyBlockPolicy(create_empty_blocks=False, empty_block_interval_ms=1000)
    assert never.wait_ms(has_work=False, now_ms=10**9, last_block_ms=0) == WAIT_FOREVER
    assert never.wait_ms(has_work=True, now_ms=0, last_block_ms=0) == 0


async def test_gate_releases_on_its_timer_or_when_asked() -> None:
    started: list[int] = []
    gate = StartGate(EmptyBlockPolicy(True, 50), started.append)
    assert not gate.hold(5, has_work=True, now_ms=0, last_block_ms=0)
    assert gate.hold(5, has_work=False, now_ms=1000, last_block_ms=1000)
    assert gate.held == 5
    await asyncio.sleep(0.1)
    assert started == [5]
    assert not gate.hold(7, has_work=True, now_ms=0, last_block_ms=0)
    forever = StartGate(EmptyBlockPolicy(False, 50), started.append)
    assert forever.hold(6, has_work=False, now_ms=0, last_block_ms=0)
    await asyncio.sleep(0.1)
    assert started == [5]
    forever.release()
    forever.release()  # once only
    assert started == [5, 6]


def test_round_0_starts_an_interval_after_the_last_block_started() -> None:
    assert start_in_ms(1000, last_block_ms=10_000, now_ms=10_400) == 600  # 400 ms of work
    assert (
        start_in_ms(1000, last_block_ms=10_000, now_ms=11_700) == 1
    )  # work took longer: the gate still runs
    assert start_in_ms(1000, last_block_ms=10_000, now_ms=9_000) == 1000  # clock behind
    assert start_in_ms(0, last_block_ms=10_000, now_ms=10_000) == 0


def test_txs_waiting_at_a_decision_begin_the_next_height_at_once_on_its_proposer() -> None:
    """The rule of issue 17: no interval when txs wait; an empty height waits for the timer;
    a node that does not propose waits for the proposal (or the timer), not its own txs."""
    for has_work, proposer, alone, full in itertools.product([False, True], repeat=4):
        starts = EmptyBlockPolicy.starts_at_once(
            has_work=has_work, proposer=proposer, decides_alone=alone, full_block=full
        )
        assert starts == (has_work and proposer and (not alone or full))


async def test_quiet_start_begins_after_a_pause_but_not_after_a_busy_loop() -> None:
    """`QuietStart` (node/pacing.py): started `quiet` after the last arrival; a timer that fired
    more than twice late (the loop was busy, arrivals could not be seen) waits again."""
    now = [100.0]
    started: list[float] = []
    quiet = QuietStart(0.1, lambda: started.append(now[0]), lambda: now[0])
    quiet.arrived()
    now[0] += 0.15  # due, a little late
    quiet.due()
    assert started == [100.15] and not quiet.armed
    quiet.arrived()
    now[0] += 0.5  # the loop was busy far past the pause
    quiet.due()
    assert started == [100.15] and quiet.armed  # waits again from now
    now[0] += 0.1
    quiet.due()
    assert started == [100.15, 100.75]
    quiet.arrived()
    quiet.clear()
    assert not quiet.armed
