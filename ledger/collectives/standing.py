"""Good standing: who may use a member's rights right now.

A member in good standing is a current member who is not jailed and whose membership has not
lapsed (issue 23). Voting power, roles, allowances, proposing, sponsoring, moderating and
anchoring content for a collective all need it; only exits (ragequit, ragekick) and renewal are
open to members who are not. A membership lapses at `expires_ms + renewal_grace_ms` while the
collective has a membership term; a collective without a term (term 0) has no lapses at all.
"""

from __future__ import annotations

from ledger.collectives.model import Member
from ledger.collectives.params import CollectiveParams
from ledger.collectives.store import get_member, require_collective
from ledger.errors import ErrorCode, TxError
from ledger.keys import Address
from ledger.state.view import StateView


def voting_until(member: Member, params: CollectiveParams) -> int:
    """When the member's rights lapse (ms); 0 means never."""
    if not member.expires_ms or not params.membership_term_ms:
        return 0
    return member.expires_ms + params.renewal_grace_ms


def lapsed(member: Member, params: CollectiveParams, now_ms: int) -> bool:
    until = voting_until(member, params)
    return until != 0 and now_ms >= until


def require_active_member(view: StateView, cid: bytes, who: Address, now_ms: int) -> Member:
    """The member record of `who` in good standing, or `NOT_MEMBER` / `JAILED` /
    `MEMBERSHIP_LAPSED`."""
    member = get_member(view, cid, who)
    if member is None:
        raise TxError(ErrorCode.NOT_MEMBER, f"{who!r} is not a member")
    if member.jailed:
        raise TxError(ErrorCode.JAILED, f"{who!r} is jailed")
    if lapsed(member, require_collective(view, cid).params, now_ms):
        raise TxError(ErrorCode.MEMBERSHIP_LAPSED, f"{who!r} let the membership lapse")
    return member


def in_good_standing(view: StateView, cid: bytes, who: Address, now_ms: int) -> bool:
    try:
        require_active_member(view, cid, who, now_ms)
    except TxError:
        return False
    return True
