"""The empty-block policy and the gate that holds round 0."""

from __future__ import annotations

import asyncio

from node.pacing import (
    WAIT_FOREVER,
    WAKE_FACTOR,
    EmptyBlockPolicy,
    StartGate,
    start_in_ms,
    wake_in_ms,
)


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
    assert EmptyBlockPolicy.starts_at_once(has_work=True, proposer=True)
    assert not EmptyBlockPolicy.starts_at_once(has_work=False, proposer=True)
    assert not EmptyBlockPolicy.starts_at_once(has_work=True, proposer=False)
    assert not EmptyBlockPolicy.starts_at_once(has_work=False, proposer=False)


def test_a_woken_height_waits_as_long_as_the_last_one_took_at_most_the_interval() -> None:
    """One validator's height runs on the loop from proposal to commit: without this bound each
    client request became a block of its own under load (a third of the throughput lost)."""
    # the last height took 50 ms (10_000 -> 10_050): round 0 not before 10_150
    assert WAKE_FACTOR == 2
    assert wake_in_ms(began_ms=10_000, decided_ms=10_050, now_ms=10_060, cap_ms=1000) == 90
    assert wake_in_ms(began_ms=10_000, decided_ms=10_050, now_ms=10_150, cap_ms=1000) == 0
    assert wake_in_ms(began_ms=10_000, decided_ms=10_050, now_ms=12_000, cap_ms=1000) == 0
    # a height that took rounds of timeouts: never longer than the interval
    assert wake_in_ms(began_ms=0, decided_ms=30_000, now_ms=30_001, cap_ms=1000) == 1000
    assert wake_in_ms(began_ms=0, decided_ms=0, now_ms=5, cap_ms=1000) == 0  # the first height


async def test_a_gate_armed_soon_begins_once_and_clear_disarms_it() -> None:
    started: list[int] = []
    gate = StartGate(EmptyBlockPolicy(True, 1000), started.append)
    gate.soon(3, 20)
    gate.soon(3, 500)  # armed already: the first arming stands
    await asyncio.sleep(0.1)
    assert started == [3]
    gate.soon(4, 20)
    gate.clear()
    await asyncio.sleep(0.1)
    assert started == [3]
