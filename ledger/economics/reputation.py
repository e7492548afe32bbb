"""Participation rewards: standing a member earns in a collective by listed acts, decaying with a
half-life. Not transferable (no tx moves it), per collective, and lazy (no per-block work).

The acts and where they are recognised:
- VOTE_CAST: a ballot on a proposal that was decided (executed, rejected or vetoed; a ballot on
  a cancelled or expired proposal earns nothing), credited when the proposal is finalised;
- PROPOSAL_PASSED: the proposer of an executed proposal;
- ENDORSED_ITEM: the author of each item that counted endorsements in a paid curation round;
- DELIVERABLE_ACCEPTED: the recipient of a funded spend or stream whose deliverable the
  collective accepted by proposal (`ledger.economics.deliverables`), once per funded item;
- MODERATION_UPHELD: the moderator whose act was appealed (the objection forced a full vote) and
  stood (`ledger.economics.acts.on_moderation_upheld`).

Whether standing weighs votes is the policy's `vote_weight_ppm` and `max_vote_bonus`
(`ledger.economics.vote_weight`).

Reward farming by cheap acts (votes on trivial proposals, spam anchors) is bounded by the
policy's `daily_cap`: a member earns at most that many points per UTC day in a collective, and
spam anchors earn nothing unless other vetted members endorse them. Points are kept in millionths
(`MICRO`) so decay does not round small standings to zero at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from typing import Any

from ledger import codec
from ledger.codec import Fields
from ledger.economics import keys
from ledger.economics.decay import decayed
from ledger.errors import ErrorCode, TxError
from ledger.keys import Address
from ledger.state.events import Event
from ledger.state.reader import StateReader
from ledger.state.view import StateView

MICRO = 1_000_000
DAY_MS = 24 * 3600 * 1000
MAX_POINTS = 10_000  # per act
MAX_HALF_LIFE_S = 10 * 366 * 24 * 3600
MAX_VOTE_WEIGHT_PPM = 1_000_000_000  # 1,000 voting shares per point at most
MAX_VOTE_BONUS = 10**12


class Act(IntEnum):
    """Acts that earn standing (stable numbers)."""

    VOTE_CAST = 0
    PROPOSAL_PASSED = 1
    ENDORSED_ITEM = 2
    DELIVERABLE_ACCEPTED = 3
    MODERATION_UPHELD = 4


@dataclass(frozen=True, slots=True)
class ReputationPolicy:
    """Points per act, the half-life, the daily cap, and how standing weighs votes: a member's
    ballot gains min(floor(standing x vote_weight_ppm / 10^6), max_vote_bonus) voting shares
    (standing in points as of the vote's opening; 0 = standing does not weigh votes)."""

    vote_cast: int
    proposal_passed: int
    endorsed_item: int
    half_life_s: int
    daily_cap: int
    deliverable_accepted: int = 0
    moderation_upheld: int = 0
    vote_weight_ppm: int = 0
    max_vote_bonus: int = 0

    def _acts(self) -> tuple[int, ...]:
        return (
            self.vote_cast,
            self.proposal_passed,
            self.endorsed_item,
            self.deliverable_accepted,
            self.moderation_upheld,
        )

    def points(self, act: Act) -> int:
        return self._acts()[act]

    def check(self) -> None:
        if any(not 0 <= p <= MAX_POINTS for p in self._acts()):
            raise TxError(ErrorCode.INVALID_ACTION, f"an act earns 0 to {MAX_POINTS} points")
        if not 3600 <= self.half_life_s <= MAX_HALF_LIFE_S:
            raise TxError(ErrorCode.INVALID_ACTION, "the half-life is 1 hour to 10 years")
        if not 0 <= self.daily_cap <= 100 * MAX_POINTS:
            raise TxError(ErrorCode.INVALID_ACTION, "the daily cap is 0 to 1000000 points")
        if not 0 <= self.vote_weight_ppm <= MAX_VOTE_WEIGHT_PPM:
            raise TxError(ErrorCode.INVALID_ACTION, "the vote weight is 0 to 10^9 ppm per point")
        if not 0 <= self.max_vote_bonus <= MAX_VOTE_BONUS:
            raise TxError(ErrorCode.INVALID_ACTION, "the vote bonus cap is 0 to 10^12 shares")
        if bool(self.vote_weight_ppm) != bool(self.max_vote_bonus):
            raise TxError(
                ErrorCode.INVALID_ACTION, "a vote weight needs a bonus cap and a cap a weight"
            )

    def to_fields(self) -> list[Any]:
        acts = self._acts()
        head = [*acts[:3], self.half_life_s, self.daily_cap]
        return [*head, *acts[3:], self.vote_weight_ppm, self.max_vote_bonus]

    @classmethod
    def from_fields(cls, raw: object) -> ReputationPolicy:
        f = Fields(raw, 9, "reputation_policy")
        return cls(
            f.int("vote_cast", 0, MAX_POINTS),
            f.int("proposal_passed", 0, MAX_POINTS),
            f.int("endorsed_item", 0, MAX_POINTS),
            f.int("half_life_s", 0, MAX_HALF_LIFE_S),
            f.int("daily_cap", 0, 100 * MAX_POINTS),
            f.int("deliverable_accepted", 0, MAX_POINTS),
            f.int("moderation_upheld", 0, MAX_POINTS),
            f.int("vote_weight_ppm", 0, MAX_VOTE_WEIGHT_PPM),
            f.int("max_vote_bonus", 0, MAX_VOTE_BONUS),
        )


@dataclass(frozen=True, slots=True)
class Standing:
    micro: int = 0  # as of `as_of_ms`
    as_of_ms: int = 0
    day: int = 0  # the UTC day `earned_today` counts
    earned_today: int = 0  # points

    def encode(self) -> bytes:
        return codec.encode([self.micro, self.as_of_ms, self.day, self.earned_today])

    @classmethod
    def decode(cls, data: bytes) -> Standing:
        f = Fields(codec.decode(data), 4, "standing")
        return cls(f.int("micro"), f.int("as_of_ms"), f.int("day"), f.int("earned_today"))


def get_policy(view: StateReader, cid: bytes) -> ReputationPolicy | None:
    data = view.get(keys.reputation_policy(cid))
    return None if data is None else ReputationPolicy.from_fields(codec.decode(data))


def set_policy(view: StateView, cid: bytes, policy: ReputationPolicy) -> None:
    policy.check()
    view.put(keys.reputation_policy(cid), codec.encode(policy.to_fields()))


def get_standing(view: StateReader, cid: bytes, who: Address) -> Standing:
    data = view.get(keys.standing(cid, who.raw))
    return Standing() if data is None else Standing.decode(data)


def standing_micro(view: StateReader, cid: bytes, who: Address, now_ms: int) -> int:
    """`who`'s standing in `cid` at `now_ms`, in millionths of a point, decayed."""
    policy = get_policy(view, cid)
    stored = get_standing(view, cid, who)
    if policy is None or stored.micro == 0:
        return stored.micro
    return decayed(stored.micro, max(0, now_ms - stored.as_of_ms), policy.half_life_s * 1000)


def standing_points(view: StateReader, cid: bytes, who: Address, now_ms: int) -> int:
    return standing_micro(view, cid, who, now_ms) // MICRO


def award(view: StateView, cid: bytes, who: Address, act: Act, now_ms: int) -> list[Event]:
    """Credit `who` the policy's points for `act` (within the daily cap); no policy: nothing."""
    policy = get_policy(view, cid)
    if policy is None:
        return []
    stored = get_standing(view, cid, who)
    day = now_ms // DAY_MS
    earned = stored.earned_today if stored.day == day else 0
    points = min(policy.points(act), policy.daily_cap - earned)
    if points <= 0:
        return []
    micro = standing_micro(view, cid, who, now_ms) + points * MICRO
    view.put(keys.standing(cid, who.raw), Standing(micro, now_ms, day, earned + points).encode())
    return [
        Event.of("standing_earned", collective=cid, member=who.raw, act=int(act), points=points)
    ]
