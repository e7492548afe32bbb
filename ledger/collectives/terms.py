"""What a change of membership terms does to the members already there (issue 23, item 4).

The rule is one invariant: **a member has an expiry exactly when the collective has a term**.

- Terms turned off (`membership_term_ms` to 0): every expiry is cleared; nobody lapses, and
  votes lost to an old expiry return at once (from the next snapshot).
- Terms turned on (0 to T): every member gets `now + T`, the full term a new member gets, so
  terms bind everyone, and nobody lapses by surprise before a term has run.
- A new term length (T1 to T2): expiries stay; renewals and joins use T2.
- A new `renewal_grace_ms`: every member's voting-power point is written again, so the new grace
  applies to every snapshot from this height (a point stores its `voting_until`).
- A member whose membership had lapsed under the old terms loses the delegations to them
  (`roster.end_delegate`), as a lapsed member who renews does: a lapse ends them, whichever way
  the member comes back.

Renewal therefore never meets a lifelong membership while terms are on (it refuses one, should
an older record have it), and a collective with terms is never bricked: anyone may pay anyone's
dues, and `MembershipRenew` is open to lapsed members.

Cost: such a change rewrites every member's record and point once, O(members), bounded by
`max_members`; `benchmarks/terms_bench.py` measured 480-660 ms at 10,000 members and 50-90 ms at
1,000 (the default cap) on this machine. Other parameter changes (and a grace change while terms
are off) touch no member.
"""

from __future__ import annotations

from dataclasses import replace

from ledger.collectives import checkpoints, roster
from ledger.collectives.model import Collective
from ledger.collectives.params import CollectiveParams
from ledger.collectives.standing import lapsed
from ledger.collectives.store import iter_members, put_member_record
from ledger.state.context import BlockContext
from ledger.state.view import StateView


def apply_term_change(
    view: StateView, ctx: BlockContext, cid: bytes, old: CollectiveParams, new: Collective
) -> int:
    """Bring every member in line with `new.params` after a change from `old`; returns how many
    member records changed."""
    params = new.params
    term_on, was_on = params.membership_term_ms != 0, old.membership_term_ms != 0
    if term_on == was_on and (not term_on or params.renewal_grace_ms == old.renewal_grace_ms):
        return 0  # nothing changed for members (a grace change without terms touches no one)
    changed = 0
    for who, member in list(iter_members(view, cid)):
        expires = member.expires_ms
        if not term_on:
            expires = 0
        elif not expires:
            expires = ctx.time_ms + params.membership_term_ms
        if expires != member.expires_ms:
            put_member_record(view, cid, who, replace(member, expires_ms=expires))
            changed += 1
        checkpoints.sync(view, ctx.height, cid, new, who)
        if lapsed(member, old, ctx.time_ms):  # the lapse ended what was lent to them
            roster.end_delegate(view, ctx.height, cid, who)
    return changed
