"""Standing as voting weight, when the collective's reputation policy says so.

A member's ballot gains

    bonus = min(floor(standing_micro x vote_weight_ppm / (10^6 x 10^6)), max_vote_bonus)

voting shares, where standing_micro is their standing in millionths of a point decayed to the
moment the vote opens (one floor, on the exact product: a member with 7.9 points and 1 share per
point gains 7). Only a member who held voting shares at the proposal's snapshot has a bonus.

Guards:
- frozen at the opening: the first vote a collective opens in a block computes every bonus from
  the standing then (a scan of the members with standing, in that block only) and stores them
  under the snapshot height; later ballots read them. Standing earned after the vote opened, or
  decay while it runs, cannot swing it; all votes opened in one block share one table, which is
  deleted once no vote that uses it can still change its tally (`sweep`);
- not transferable: the bonus counts on the member's own ballot and is never lent through a
  delegation (`ledger.governance.weight_bonus`);
- backed: like shares, it counts only while the voter still holds some of their snapshot power
  (a voter who exits or is jailed during the vote takes it with them);
- farming is bounded twice: acts earn at most the policy's `daily_cap` points a day, and no
  standing buys more than `max_vote_bonus` shares of weight;
- the total power of the vote (quorum, early execution, optimistic rejection) includes the
  bonuses, so a bonus can never count more than the whole electorate.
"""

from __future__ import annotations

from ledger import codec
from ledger.codec import Fields
from ledger.collectives.checkpoints import point_at
from ledger.collectives.params import PPM
from ledger.collectives.store import get_member
from ledger.economics import keys
from ledger.economics.reputation import MICRO, ReputationPolicy, get_policy, standing_micro
from ledger.governance.hooks import register_finalize_hook
from ledger.governance.proposal import Proposal
from ledger.governance.running import open_vote_snapshots
from ledger.governance.weight_bonus import register_weight_bonus
from ledger.keys import ADDRESS_LEN, Address
from ledger.state.context import BlockContext
from ledger.state.events import Event
from ledger.state.keys import u64
from ledger.state.view import StateView


def bonus_for(policy: ReputationPolicy, micro: int) -> int:
    """The voting shares `micro` millionths of a point of standing add to a ballot."""
    return min(micro * policy.vote_weight_ppm // (MICRO * PPM), policy.max_vote_bonus)


def _freeze(view: StateView, proposal: Proposal) -> int:
    """Compute and store the bonuses of the proposal's snapshot, once; returns their sum."""
    cid, height = proposal.collective, proposal.snapshot_height
    marker = keys.vote_bonus_total(cid, height)
    data = view.get(marker)
    if data is not None:
        return int(Fields(codec.decode(data), 1, "vote_bonus_total").int("total"))
    policy = get_policy(view, cid)
    if policy is None or not policy.vote_weight_ppm:
        return 0  # nothing stored: `hold_bonuses` keeps a same-block policy change out
    sweep(view, cid, keep=height)
    total = 0
    prefix = keys.STANDING + cid
    for key, _ in list(view.iter_prefix(prefix)):
        raw = key[len(prefix) :]
        if len(raw) != ADDRESS_LEN:
            continue
        who = Address(raw)
        if get_member(view, cid, who) is None:
            continue
        if not point_at(view, cid, who, height).at(proposal.start_ms):
            continue
        extra = bonus_for(policy, standing_micro(view, cid, who, proposal.start_ms))
        if extra:
            view.put(keys.vote_bonus_table(cid, height) + raw, u64(extra))
            total += extra
    view.put(marker, codec.encode([total]))
    return total


def sweep(view: StateView, cid: bytes, keep: int | None = None) -> None:
    """Delete the collective's bonus tables that no open vote uses (nor `keep`): O(tables +
    open votes), and each table's records once."""
    in_use = open_vote_snapshots(view, cid)
    if keep is not None:
        in_use.add(keep)
    prefix = keys.VOTE_BONUS_TOTAL + cid
    for key, _ in list(view.iter_prefix(prefix)):
        rest = key[len(prefix) :]
        if len(rest) != 8 or int.from_bytes(rest, "big") in in_use:
            continue
        view.delete(key)
        table = keys.vote_bonus_table(cid, int.from_bytes(rest, "big"))
        for record, _ in list(view.iter_prefix(table)):
            if len(record) == len(table) + ADDRESS_LEN:
                view.delete(record)


def on_finalize(view: StateView, ctx: BlockContext, pid: int, proposal: Proposal) -> list[Event]:
    """A proposal ended: its bonus table goes unless another open vote still uses it."""
    sweep(view, proposal.collective)
    return []


def hold_bonuses(view: StateView, cid: bytes, height: int) -> None:
    """A reputation policy changes in block `height`: votes opened in this block keep the
    bonuses they had (none, if none was frozen yet), so the change weighs votes from the next
    block on and no ballot of this block counts a bonus its vote's total left out."""
    marker = keys.vote_bonus_total(cid, max(height - 1, 0))
    if view.get(marker) is None:
        view.put(marker, codec.encode([0]))


def frozen_bonus(view: StateView, cid: bytes, snapshot_height: int, who: Address) -> int:
    """`who`'s bonus on a vote of `cid` with this snapshot (0 when none was frozen)."""
    data = view.get(keys.vote_bonus_table(cid, snapshot_height) + who.raw)
    return 0 if data is None else int.from_bytes(data, "big")


register_weight_bonus(frozen_bonus, _freeze)
register_finalize_hook(on_finalize)
