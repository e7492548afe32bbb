"""The end-block hook that settles curation rounds: in the first block whose time reaches a
round's end, its budget is paid exactly (`ledger.economics.curation`) or, when no eligible
endorsement counts, returned to the treasury.

At the close an endorsement still counts only if its endorser is in good standing and its
content has not been hidden or removed by moderation (a removed item earns nothing, and a member
expelled during the round loses its endorsements). The hook never raises: each round settles in
a child view, and a round that cannot settle (a bug, not a rule) stays open and is reported.
"""

from __future__ import annotations

from ledger import codec
from ledger.codec import Fields
from ledger.collectives import treasury
from ledger.collectives.assets import give
from ledger.collectives.ids import NATIVE
from ledger.collectives.standing import in_good_standing
from ledger.content.records import CONTENT_HASH_LEN, ModerationAction
from ledger.content.store import get_content, latest_moderation
from ledger.economics import acts, curation, keys, matching
from ledger.economics.curation import Endorsement, payouts
from ledger.economics.rounds import Round, RoundStatus, put_round, require_round, settled
from ledger.errors import TxError
from ledger.keys import ADDRESS_LEN, Address
from ledger.state.context import BlockContext
from ledger.state.events import Event
from ledger.state.handlers import register_end_block
from ledger.state.reader import StateReader
from ledger.state.view import StateView

HIDDEN = (ModerationAction.HIDE, ModerationAction.REMOVE)


def counted_endorsements(
    view: StateView, round_id: int, record: Round, now_ms: int
) -> list[Endorsement]:
    """The round's endorsements that still count now."""
    prefix = keys.endorsements_of(round_id)
    result = []
    for key, value in view.iter_prefix(prefix):
        rest = key[len(prefix) :]
        content_hash, endorser = rest[:CONTENT_HASH_LEN], rest[CONTENT_HASH_LEN:]
        if len(endorser) != ADDRESS_LEN:
            continue
        content = get_content(view, content_hash)
        if content is None or _hidden(view, content_hash):
            continue
        if not in_good_standing(view, record.collective, Address(endorser), now_ms):
            continue
        f = Fields(codec.decode(value), 2, "endorsement")
        seq, weight = f.int("seq"), f.int("weight")
        result.append(Endorsement(content_hash, content.author.raw, endorser, weight, seq))
    return result


def _hidden(view: StateReader, content_hash: bytes) -> bool:
    decision = latest_moderation(view, content_hash)
    return decision is not None and decision.action in HIDDEN


def settle(view: StateView, ctx: BlockContext, round_id: int) -> list[Event]:
    record = require_round(view, round_id)
    view.delete(keys.round_due(record.end_ms, round_id))
    terms = record.terms
    counted = counted_endorsements(view, round_id, record, ctx.time_ms)
    paid = payouts(terms.budget, counted, terms.curator_ppm, terms.early)
    if not paid:
        treasury.credit(view, record.collective, NATIVE, terms.budget)
        put_round(view, round_id, settled(record, RoundStatus.REFUNDED, 0))
        return [Event.of("round_refunded", round=round_id, amount=terms.budget)]
    events = []
    for who, amount in paid:
        give(view, ctx.height, Address(who), NATIVE, amount)
        events.append(Event.of("round_payout", round=round_id, to=who, amount=amount))
    total = sum(amount for _, amount in paid)
    put_round(view, round_id, settled(record, RoundStatus.PAID, total))
    events.append(Event.of("round_paid", round=round_id, amount=total, recipients=len(paid)))
    items = {e.content_hash: e.author for e in curation.counted(counted)}
    return events + acts.on_round_paid(
        view, ctx, record.collective, [items[h] for h in sorted(items)]
    )


def close_due_rounds(view: StateView, ctx: BlockContext) -> list[Event]:
    due = []
    for key, _ in view.iter_prefix(keys.ROUND_DUE):
        end_ms = int.from_bytes(key[1:9], "big")
        if end_ms > ctx.time_ms:
            break
        due.append(int.from_bytes(key[9:17], "big"))
    events: list[Event] = []
    for round_id in due:
        child = view.child()
        try:
            events += settle(child, ctx, round_id)
        except TxError as error:  # a bug, not a rule: never let it invalidate the block
            events.append(
                Event.of("round_close_failed", round=round_id, reason=error.message[:200])
            )
            continue
        child.merge_into_parent()
    return events


def close_due_matchings(view: StateView, ctx: BlockContext) -> list[Event]:
    due = []
    for key, _ in view.iter_prefix(keys.MATCHING_DUE):
        if int.from_bytes(key[1:9], "big") > ctx.time_ms:
            break
        due.append(int.from_bytes(key[9:17], "big"))
    events: list[Event] = []
    for round_id in due:
        child = view.child()
        try:
            events += matching.settle(child, ctx, round_id)
        except TxError as error:  # a bug, not a rule: never let it invalidate the block
            events.append(
                Event.of("matching_close_failed", round=round_id, reason=error.message[:200])
            )
            continue
        child.merge_into_parent()
    return events


register_end_block("curation_rounds", close_due_rounds)
register_end_block("matching_rounds", close_due_matchings)
