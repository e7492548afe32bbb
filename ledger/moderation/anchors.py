"""The membership check for anchoring content in a collective (`ledger.content.hooks`).

An author may anchor content in a collective only while a member in good standing (not jailed,
membership not lapsed: issue 23); anchoring without a collective stays open to anyone.
"""

from __future__ import annotations

from ledger.collectives import keys as ckeys
from ledger.collectives.ids import COLLECTIVE_ID_LEN
from ledger.collectives.model import Collective, Member
from ledger.collectives.standing import lapsed
from ledger.content.hooks import register_membership_check
from ledger.keys import Address
from ledger.state.reader import StateReader


def anchor_membership(
    view: StateReader, collective: bytes, author: Address, now_ms: int
) -> str | None:
    """None when `author` may anchor content in `collective` at `now_ms`, else why not."""
    if len(collective) != COLLECTIVE_ID_LEN:
        return f"no collective {collective.hex()}"
    data = view.get(ckeys.collective(collective))
    if data is None:
        return f"no collective {collective.hex()}"
    member_data = view.get(ckeys.member(collective, author.raw))
    if member_data is None:
        return "the author is not a member of this collective"
    member = Member.decode(member_data)
    if member.jailed:
        return "a jailed member cannot anchor content in the collective"
    if lapsed(member, Collective.decode(data).params, now_ms):
        return "a member whose membership lapsed cannot anchor content in the collective"
    return None


register_membership_check(anchor_membership)
