"""Running tallies: a proposal's scores kept current per ballot, so closing reads one record.

The counting rules are those of `ledger.governance.electorate`: a ballot weighs its voter's
snapshot power plus what delegators lent them, where a delegator lends (power x ppm, floored per
delegator) only while they are a member, not an expulsion target, and have not voted themselves,
and only to a delegate who is still a member, not jailed, and whose membership had not lapsed
when the vote started (fixed for the vote: a later lapse or renewal changes nothing in it).
Each of those facts is fixed at the snapshot except four, and each change is applied where it
happens, in O(1) per affected ballot:
- a ballot is cast or replaced (`record`): the voter's weight is computed once, from the
  reverse delegation index (`delegation.delegators_of`), and their old contribution replaced;
- a delegator votes directly for the first time: what they lent leaves each delegate's ballot
  (at most 16 delegates);
- someone's voting shares change during voting (an exit, a transfer, a jailing, leaving: a
  ballot counts only the snapshot power still held, issue 23 item 5; `power_changed`, called
  by `checkpoints.sync`): their own ballot, or what they lend to each delegate's ballot, is
  adjusted in every proposal of that collective in VOTING. Leaving zeroes the shares, so a
  delegator who left lends nothing;
- a delegate joins, leaves or is jailed (`standing_changed`, a roster standing hook): their
  ballot's lent part is recounted, so a delegate who left carries nothing lent to them.
A voter's own ballot also counts their weight bonus (`ledger.governance.weight_bonus`, fixed at
the snapshot), as own power: it is never lent, and it counts only while the voter holds some of
their snapshot power (it leaves with the last share and comes back with the first).
Per option the tally adds `tally.scores` of each ballot alone, so it equals the from-scratch
count exactly (sums of the same integers). The early-execution bound (own power only) is kept the
same way. Ranked choice still needs the ballots to run its rounds: closing a ranked poll reads
each ballot and its kept weight, O(ballots).
"""

from __future__ import annotations

from dataclasses import dataclass

from ledger import codec
from ledger.codec import Fields
from ledger.collectives.checkpoints import point_at, register_power_listener
from ledger.collectives.delegation import (
    carries_delegations,
    delegators_of,
    effective_delegation,
)
from ledger.collectives.params import PPM
from ledger.collectives.roster import register_standing_hook
from ledger.collectives.store import get_member
from ledger.governance import keys
from ledger.governance.ballots import Ballot, ballots, get_ballot
from ledger.governance.electorate import snapshot_power
from ledger.governance.kinds import VotingMethod
from ledger.governance.proposal import Proposal, require_proposal
from ledger.governance.tally import scores
from ledger.governance.weight_bonus import bonus, bonus_at
from ledger.keys import Address
from ledger.state.view import StateView

MAX_OPTIONS = 64


@dataclass(frozen=True, slots=True)
class RunningTally:
    scores: tuple[int, ...]  # per option: ballots weighted by own plus lent power
    direct: tuple[int, ...]  # per option: ballots weighted by own power only
    turnout: int = 0  # the sum of ballot weights
    voters: int = 0

    def encode(self) -> bytes:
        return codec.encode([list(self.scores), list(self.direct), self.turnout, self.voters])

    @classmethod
    def decode(cls, data: bytes) -> RunningTally:
        f = Fields(codec.decode(data), 4, "running_tally")
        totals = tuple(_ints(f.list("scores", MAX_OPTIONS)))
        direct = tuple(_ints(f.list("direct", MAX_OPTIONS)))
        return cls(totals, direct, f.int("turnout"), f.int("voters"))

    def add(
        self, sign: int, part: list[int], own: list[int], weight: int, voters: int
    ) -> RunningTally:
        return RunningTally(
            tuple(a + sign * b for a, b in zip(self.scores, part, strict=True)),
            tuple(a + sign * b for a, b in zip(self.direct, own, strict=True)),
            self.turnout + sign * weight,
            self.voters + voters,
        )


def _ints(items: list[object]) -> list[int]:
    if not all(isinstance(i, int) and not isinstance(i, bool) for i in items):
        raise codec.MalformedError("running_tally: expected integers")
    return [int(i) for i in items]  # type: ignore[call-overload]


def option_count(proposal: Proposal) -> int:
    return 4 if proposal.method is VotingMethod.BINARY else len(proposal.choices)


def open_tally(view: StateView, pid: int, proposal: Proposal) -> None:
    """An empty running tally for a proposal whose voting starts now, listed among the
    collective's open votes with what a power change needs to know of it."""
    zeros = (0,) * option_count(proposal)
    view.put(keys.running(pid), RunningTally(zeros, zeros).encode())
    excluded = [a.raw for a in proposal.excluded]
    shape = [proposal.kind, int(proposal.method), option_count(proposal)]
    record = codec.encode([proposal.snapshot_height, proposal.start_ms, *shape, excluded])
    view.put(keys.voting_of(proposal.collective, pid), record)


def end_voting(view: StateView, pid: int, proposal: Proposal) -> None:
    """The proposal left VOTING: membership changes no longer touch its tally."""
    view.delete(keys.voting_of(proposal.collective, pid))


def open_vote_snapshots(view: StateView, cid: bytes) -> set[int]:
    """The snapshot heights of the collective's proposals whose tally can still change (in
    VOTING, or revealing secret ballots): what a per-snapshot record must be kept for."""
    prefix = keys.VOTING_OF + cid
    return {
        Fields(codec.decode(value), 6, "open_vote").int("snapshot_height")
        for _, value in view.iter_prefix(prefix)
    }


def running_tally(view: StateView, pid: int, proposal: Proposal) -> RunningTally:
    data = view.get(keys.running(pid))
    if data is None:
        zeros = (0,) * option_count(proposal)
        return RunningTally(zeros, zeros)
    return RunningTally.decode(data)


def cast_weight(view: StateView, pid: int, voter: Address) -> tuple[int, int] | None:
    """(weight, own power) the voter's ballot counts with now; None if they have not voted."""
    data = view.get(keys.cast(pid, voter.raw))
    if data is None:
        return None
    f = Fields(codec.decode(data), 2, "cast")
    return f.int("weight"), f.int("own")


def lent(view: StateView, pid: int, proposal: Proposal, delegator: Address, to: Address) -> int:
    """What `delegator` lends `to` on this proposal right now (0 once they vote or leave)."""
    if delegator in proposal.excluded or get_ballot(view, pid, delegator) is not None:
        return 0
    return _lent_unless_voted(view, proposal, delegator, to)


def _lent_unless_voted(view: StateView, proposal: Proposal, delegator: Address, to: Address) -> int:
    cid, height = proposal.collective, proposal.snapshot_height
    if get_member(view, cid, delegator) is None:
        return 0
    if not carries_delegations(view, cid, to, height, proposal.start_ms):
        return 0
    power = snapshot_power(view, proposal, delegator)
    if power == 0:
        return 0
    splits = effective_delegation(view, cid, delegator, proposal.kind, height)
    return sum(power * ppm // PPM for delegate, ppm in splits if delegate == to)


def weight_of(view: StateView, pid: int, proposal: Proposal, voter: Address) -> int:
    """The voter's own snapshot power plus what their delegators lend them now."""
    own = snapshot_power(view, proposal, voter)
    candidates = delegators_of(view, proposal.collective, voter)
    return own + sum(lent(view, pid, proposal, d, voter) for d in candidates)


def _reweigh(
    view: StateView,
    pid: int,
    shape: tuple[VotingMethod, int],
    voter: Address,
    delta: int,
    *,
    own_delta: int = 0,
) -> None:
    """Change the weight of `voter`'s ballot by `delta`, of which `own_delta` is their own power
    (a delegator voted, or someone's held shares changed); `shape`: (method, option count)."""
    kept = cast_weight(view, pid, voter)
    ballot = get_ballot(view, pid, voter)
    if kept is None or ballot is None or delta == 0:
        return
    weight, own = kept
    method, n = shape

    def part(w: int) -> list[int]:
        return scores(method, n, [(w, ballot)])

    data = view.get(keys.running(pid))
    tally = RunningTally.decode(data) if data else RunningTally((0,) * n, (0,) * n)
    tally = tally.add(-1, part(weight), part(own), weight, 0)
    tally = tally.add(1, part(weight + delta), part(own + own_delta), weight + delta, 0)
    view.put(keys.running(pid), tally.encode())
    view.put(keys.cast(pid, voter.raw), codec.encode([weight + delta, own + own_delta]))


def _lends_to(view: StateView, proposal: Proposal, who: Address) -> list[tuple[Address, int]]:
    """(delegate, part) for everyone `who` lends to, if `who` lends at all (not voted checked)."""
    out = []
    for delegate, _ppm in effective_delegation(
        view, proposal.collective, who, proposal.kind, proposal.snapshot_height
    ):
        part = _lent_unless_voted(view, proposal, who, delegate)
        if part:
            out.append((delegate, part))
    return out


def record(
    view: StateView,
    pid: int,
    proposal: Proposal,
    voter: Address,
    ballot: Ballot,
    *,
    previous: Ballot | None,
) -> None:
    """Count `voter`'s new `ballot` (which replaces `previous`, if any; it is stored already)."""
    method, n = proposal.method, option_count(proposal)
    tally = running_tally(view, pid, proposal)
    kept = cast_weight(view, pid, voter)
    if previous is not None and kept is not None:
        weight, own = kept
        old_part, old_own = (
            scores(method, n, [(weight, previous)]),
            scores(method, n, [(own, previous)]),
        )
        tally = tally.add(-1, old_part, old_own, weight, -1)
    shares = snapshot_power(view, proposal, voter)
    extra = bonus(view, proposal, voter) if shares else 0  # own, never lent, backed by shares
    own = shares + extra
    weight = weight_of(view, pid, proposal, voter) + extra
    tally = tally.add(
        1, scores(method, n, [(weight, ballot)]), scores(method, n, [(own, ballot)]), weight, 1
    )
    view.put(keys.running(pid), tally.encode())
    view.put(keys.cast(pid, voter.raw), codec.encode([weight, own]))
    if previous is None and voter not in proposal.excluded:
        for delegate, part in _lends_to(view, proposal, voter):
            _reweigh(view, pid, (method, n), delegate, -part)


def forget_voter(view: StateView, pid: int, voter: Address) -> None:
    """Drop a voter's kept weight (their ballot is being cleared, e.g. on a restart)."""
    view.delete(keys.cast(pid, voter.raw))


def power_changed(view: StateView, cid: bytes, who: Address, old: int, new: int) -> None:
    """`who`'s voting shares went from `old` to `new`: in every proposal of `cid` in VOTING,
    their ballot (or what they lend to their delegates' ballots) counts the snapshot power they
    still hold. O(proposals of `cid` in VOTING), a few reads each (the open-vote record carries
    what this needs, so no proposal is decoded)."""
    prefix = keys.VOTING_OF + cid
    member = get_member(view, cid, who) is not None
    snapshots: dict[tuple[int, int], int] = {}  # open votes mostly share a few snapshots
    for key, value in list(view.iter_prefix(prefix)):
        pid = int.from_bytes(key[len(prefix) :], "big")
        f = Fields(codec.decode(value), 6, "open_vote")
        height, start_ms, kind = f.int("snapshot_height"), f.int("start_ms"), f.int("kind")
        shape = (VotingMethod(f.int("method", 0, max(VotingMethod))), f.int("options"))
        if who.raw in f.list("excluded", 1 << 16):
            continue
        if (height, start_ms) not in snapshots:
            snapshots[height, start_ms] = point_at(view, cid, who, height).at(start_ms)
        at_snapshot = snapshots[height, start_ms]
        before, after = min(at_snapshot, old), min(at_snapshot, new)
        if before == after:
            continue
        if cast_weight(view, pid, who) is not None:
            delta = after - before
            if (before > 0) != (after > 0):  # the bonus leaves (or comes back) with the shares
                extra = bonus_at(view, cid, height, who)
                delta += extra if after else -extra
            _reweigh(view, pid, shape, who, delta, own_delta=delta)
            continue
        if not member:
            continue
        for delegate, ppm in effective_delegation(view, cid, who, kind, height):
            if carries_delegations(view, cid, delegate, height, start_ms):
                delta = after * ppm // PPM - before * ppm // PPM
                _reweigh(view, pid, shape, delegate, delta)


def standing_changed(view: StateView, cid: bytes, who: Address) -> None:
    """`who` joined, left or was jailed: in every proposal of `cid` in VOTING where they voted,
    their ballot carries what their delegators lend them now (nothing once they left or were
    jailed: `_lent_unless_voted`). O(open votes) reads; a proposal is decoded only where `who`
    voted, and the lent part is recounted from the rule, so leaving and rejoining is exact."""
    prefix = keys.VOTING_OF + cid
    for key, _ in list(view.iter_prefix(prefix)):
        pid = int.from_bytes(key[len(prefix) :], "big")
        kept = cast_weight(view, pid, who)
        if kept is None:
            continue
        proposal = require_proposal(view, pid)
        if who in proposal.excluded:
            continue
        weight, own = kept
        now = sum(lent(view, pid, proposal, d, who) for d in delegators_of(view, cid, who))
        shape = (proposal.method, option_count(proposal))
        _reweigh(view, pid, shape, who, now - (weight - own))


def cast_votes(view: StateView, pid: int) -> list[tuple[int, Ballot]]:
    """Every ballot with the weight it counts with now, in voter order: O(ballots), for the
    rounds of a ranked-choice poll (the other methods read the running tally)."""
    out = []
    for voter, ballot in ballots(view, pid):
        kept = cast_weight(view, pid, voter)
        out.append((0 if kept is None else kept[0], ballot))
    return out


register_power_listener(power_changed)
register_standing_hook(standing_changed)
