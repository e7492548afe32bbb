"""A reward budget paid by standing: `budget` native coin from the treasury, divided among the
members in good standing in proportion to their standing now (millionths of a point, decayed),
exactly by `ledger.splits.distribution.apportion`: once by a `RewardStanding` proposal, or at the
end of every period by a schedule (`ledger.economics.reward_schedule`)."""

from __future__ import annotations

from ledger.collectives import treasury
from ledger.collectives.assets import give
from ledger.collectives.ids import NATIVE
from ledger.collectives.standing import in_good_standing
from ledger.economics import keys
from ledger.economics.reputation import standing_micro
from ledger.errors import ErrorCode, TxError
from ledger.keys import ADDRESS_LEN, Address
from ledger.splits.distribution import apportion
from ledger.state.context import BlockContext
from ledger.state.events import Event
from ledger.state.view import StateView


def reward_shares(view: StateView, cid: bytes, now_ms: int) -> list[tuple[Address, int]]:
    """(member, standing in millionths) for every member in good standing with standing > 0,
    in address order."""
    prefix = keys.STANDING + cid
    result = []
    for key, _ in view.iter_prefix(prefix):
        raw = key[len(prefix) :]
        if len(raw) != ADDRESS_LEN:
            continue
        who = Address(raw)
        micro = standing_micro(view, cid, who, now_ms)
        if micro > 0 and in_good_standing(view, cid, who, now_ms):
            result.append((who, micro))
    return result


def pay_shares(
    view: StateView, ctx: BlockContext, cid: bytes, budget: int, shares: list[tuple[Address, int]]
) -> list[tuple[Address, int]]:
    """Take `budget` from the treasury and pay it over `shares` exactly (largest remainder);
    returns (member, amount) for every member paid more than 0."""
    treasury.debit(view, cid, NATIVE, budget)
    paid = apportion(budget, [micro for _, micro in shares]).payouts
    out = []
    for (who, _), amount in zip(shares, paid, strict=True):
        if amount:
            give(view, ctx.height, who, NATIVE, amount)
            out.append((who, amount))
    return out


def pay_by_standing(
    view: StateView, ctx: BlockContext, cid: bytes, budget: int, proposal_id: int
) -> list[Event]:
    shares = reward_shares(view, cid, ctx.time_ms)
    if not shares:
        raise TxError(ErrorCode.INVALID_STATE, "no member in good standing has any standing")
    return [
        Event.of("standing_reward", proposal=proposal_id, member=who.raw, amount=amount)
        for who, amount in pay_shares(view, ctx, cid, budget, shares)
    ]
