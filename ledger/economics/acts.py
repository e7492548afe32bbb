"""Where listed acts are recognised: the proposal finalize hook (votes cast on a decided
proposal, a proposal that passed), the close of a curation round (endorsed items), an appeal
that upheld a moderator's decision (`ledger.moderation.appeals`), and the acceptance of a funded
deliverable (`ledger.economics.deliverables`)."""

from __future__ import annotations

from ledger.economics.reputation import Act, award, get_policy
from ledger.governance import keys as gkeys
from ledger.governance.hooks import register_finalize_hook
from ledger.governance.proposal import Proposal, Status
from ledger.keys import ADDRESS_LEN, Address
from ledger.moderation.appeals import register_upheld_listener
from ledger.state.context import BlockContext
from ledger.state.events import Event
from ledger.state.keys import u64
from ledger.state.view import StateView

DECIDED = (Status.EXECUTED, Status.REJECTED, Status.VETOED)


def on_finalize(view: StateView, ctx: BlockContext, pid: int, proposal: Proposal) -> list[Event]:
    cid = proposal.collective
    if proposal.status not in DECIDED or get_policy(view, cid) is None:
        return []
    events: list[Event] = []
    prefix = gkeys.BALLOT + u64(pid)
    voters = [k[len(prefix) :] for k, _ in view.iter_prefix(prefix)]
    for voter in voters:
        if len(voter) == ADDRESS_LEN:
            events += award(view, cid, Address(voter), Act.VOTE_CAST, ctx.time_ms)
    if proposal.status is Status.EXECUTED:
        events += award(view, cid, proposal.proposer, Act.PROPOSAL_PASSED, ctx.time_ms)
    return events


def on_round_paid(
    view: StateView, ctx: BlockContext, cid: bytes, authors: list[bytes]
) -> list[Event]:
    """One ENDORSED_ITEM act per item (given as its author) that counted endorsements."""
    events: list[Event] = []
    for author in authors:
        events += award(view, cid, Address(author), Act.ENDORSED_ITEM, ctx.time_ms)
    return events


def on_moderation_upheld(
    view: StateView, ctx: BlockContext, cid: bytes, moderator: Address, appeal_id: int
) -> list[Event]:
    """The moderator whose decision a full appeal vote upheld earns MODERATION_UPHELD."""
    return award(view, cid, moderator, Act.MODERATION_UPHELD, ctx.time_ms)


register_finalize_hook(on_finalize)
register_upheld_listener(on_moderation_upheld)
