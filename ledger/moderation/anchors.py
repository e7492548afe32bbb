"""The membership check for anchoring content in a collective (`ledger.content.hooks`).

An author may anchor content in a collective only while a member who is not jailed; anchoring
without a collective stays open to anyone.
"""

from __future__ import annotations

from ledger.collectives import keys as ckeys
from ledger.collectives.ids import COLLECTIVE_ID_LEN
from ledger.collectives.model import Member
from ledger.content.hooks import register_membership_check
from ledger.keys import Address
from ledger.state.reader import StateReader


def anchor_membership(view: StateReader, collective: bytes, author: Address) -> str | None:
    """None when `author` may anchor content in `collective`, else why not."""
    if len(collective) != COLLECTIVE_ID_LEN or view.get(ckeys.collective(collective)) is None:
        return f"no collective {collective.hex()}"
    data = view.get(ckeys.member(collective, author.raw))
    if data is None:
        return "the author is not a member of this collective"
    if Member.decode(data).jailed:
        return "a jailed member cannot anchor content in the collective"
    return None


register_membership_check(anchor_membership)
