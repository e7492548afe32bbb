"""A reward budget paid by standing at the end of every period, with no proposal per period.

A `RewardSchedule` action (a SPEND) sets, per collective, `budget` native coin per period of
`period_s` seconds (budget 0 stops it). The schedule is one record and one entry in a due index
ordered by time (`REWARD_DUE`, as curation rounds' `ROUND_DUE`): each block reads only the head of
that index, so nothing is done per block per member. In the first block whose time reaches a
period's end, the budget leaves the treasury and is divided among the members in good standing
by their standing at that moment (`standing_rewards.reward_shares`, millionths of a point,
decayed), exactly, by the split rule `apportion` (largest remainder by time to the next unit;
every period is a fresh division, since the shares change each period: nothing is carried and
nothing is left over). Then the next period is scheduled.

A period pays nothing, and says so in a `standing_reward_skipped` event, when the treasury holds
less than the budget (`reason` "treasury") or no member in good standing has any standing
(`reason` "no standing"); the budget stays in the treasury, and the next period is scheduled.
A chain that was stopped for several periods pays one period when it resumes, not the missed
ones (the next end is the first one after the block's time).
"""

from __future__ import annotations

from dataclasses import dataclass

from ledger import codec
from ledger.codec import Fields
from ledger.collectives import treasury
from ledger.collectives.ids import NATIVE
from ledger.economics import keys
from ledger.economics.standing_rewards import pay_shares, reward_shares
from ledger.errors import TxError
from ledger.state.context import BlockContext
from ledger.state.events import Event
from ledger.state.handlers import register_end_block
from ledger.state.reader import StateReader
from ledger.state.view import StateView

MIN_PERIOD_S = 24 * 3600
MAX_PERIOD_S = 366 * 24 * 3600


@dataclass(frozen=True, slots=True)
class RewardSchedule:
    budget: int
    period_s: int
    due_ms: int  # the end of the current period
    proposal_id: int  # the proposal that set it

    def encode(self) -> bytes:
        return codec.encode([self.budget, self.period_s, self.due_ms, self.proposal_id])

    @classmethod
    def decode(cls, data: bytes) -> RewardSchedule:
        f = Fields(codec.decode(data), 4, "reward_schedule")
        return cls(f.int("budget"), f.int("period_s"), f.int("due_ms"), f.int("proposal_id"))


def get_schedule(view: StateReader, cid: bytes) -> RewardSchedule | None:
    data = view.get(keys.reward_schedule(cid))
    return None if data is None else RewardSchedule.decode(data)


def set_schedule(
    view: StateView, cid: bytes, budget: int, period_s: int, *, now_ms: int, proposal_id: int
) -> Event:
    """Replace the collective's schedule (budget 0: stop it); the first period starts now."""
    old = get_schedule(view, cid)
    if old is not None:
        view.delete(keys.reward_due(old.due_ms, cid))
    if budget == 0:
        view.delete(keys.reward_schedule(cid))
        return Event.of("reward_schedule_stopped", collective=cid, proposal=proposal_id)
    schedule = RewardSchedule(budget, period_s, now_ms + period_s * 1000, proposal_id)
    view.put(keys.reward_schedule(cid), schedule.encode())
    view.put(keys.reward_due(schedule.due_ms, cid), b"")
    return Event.of(
        "reward_schedule_set",
        collective=cid,
        budget=budget,
        period_s=period_s,
        due_ms=schedule.due_ms,
    )


def pay_period(
    view: StateView, ctx: BlockContext, cid: bytes, schedule: RewardSchedule
) -> list[Event]:
    """Pay one period's budget by standing (or skip it, saying why), then schedule the next."""
    now, period_ms = ctx.time_ms, schedule.period_s * 1000
    view.delete(keys.reward_due(schedule.due_ms, cid))
    due = schedule.due_ms + period_ms * (1 + (now - schedule.due_ms) // period_ms)
    view.put(
        keys.reward_schedule(cid),
        RewardSchedule(schedule.budget, schedule.period_s, due, schedule.proposal_id).encode(),
    )
    view.put(keys.reward_due(due, cid), b"")
    budget = schedule.budget
    held = treasury.balance(view, cid, NATIVE)
    shares = reward_shares(view, cid, now)
    reason = "treasury" if held < budget else "no standing" if not shares else ""
    if reason:
        return [
            Event.of(
                "standing_reward_skipped", collective=cid, budget=budget, held=held, reason=reason
            )
        ]
    events = [
        Event.of("standing_reward", collective=cid, member=who.raw, amount=amount)
        for who, amount in pay_shares(view, ctx, cid, budget, shares)
    ]
    events.append(
        Event.of("standing_reward_paid", collective=cid, amount=budget, members=len(shares))
    )
    return events


def pay_due_rewards(view: StateView, ctx: BlockContext) -> list[Event]:
    due = []
    for key, _ in view.iter_prefix(keys.REWARD_DUE):
        if int.from_bytes(key[1:9], "big") > ctx.time_ms:
            break
        due.append(key[9:])
    events: list[Event] = []
    for cid in due:
        schedule = get_schedule(view, cid)
        if schedule is None:  # never: stopping a schedule removes its due entry
            continue
        child = view.child()
        try:
            events += pay_period(child, ctx, cid, schedule)
        except TxError as error:  # a bug, not a rule: never let it invalidate the block
            events.append(
                Event.of("standing_reward_failed", collective=cid, reason=error.message[:200])
            )
            continue
        child.merge_into_parent()
    return events


register_end_block("standing_rewards", pay_due_rewards)
