"""Revenue splits (recipients, shares, balance, payouts) and content (record, moderation)."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from ledger.content import keys as content_keys
from ledger.content.records import CONTENT_HASH_LEN, ContentRecord, ModerationDecision
from ledger.content.store import get_content, latest_moderation, moderation_history
from ledger.keys import ADDRESS_LEN, Address
from ledger.splits import keys as split_keys
from ledger.splits.parties import Party, PartyKind
from ledger.splits.records import PayoutRecord, SplitConfig, SplitLedger
from ledger.splits.store import find_config, payout_history
from node.api.context import ApiContext
from node.api.errors import ApiError
from node.api.eventview import bytes_text
from node.api.keys import CONTEXT
from node.api.params import page_limit, parse_hex, query_flag, query_int
from node.api.proofs import proof_bundle
from node.api.views import jsonable

SPLIT_ID_LEN = 32


def party_view(party: Party, hrp: str) -> dict[str, Any]:
    """A payee: accounts as bech32m addresses, everything else as its hex id."""
    shown = party.address.to_text(hrp) if party.kind is PartyKind.ACCOUNT else party.id.hex()
    return {"kind": party.kind.name, "id": shown}


def split_view(ctx: ApiContext, split_id: bytes) -> dict[str, Any]:
    state = ctx.store.state
    config = find_config(state, split_id)
    if config is None:
        raise ApiError(404, "not_found", f"no split {split_id.hex()}")
    ledger_data = state.get(split_keys.ledger(split_id))
    ledger = SplitLedger.decode(ledger_data) if ledger_data else None
    return {"height": ctx.store.height, **split_record_view(split_id, config, ledger, ctx.hrp)}


def split_record_view(
    split_id: bytes, config: SplitConfig, ledger: SplitLedger | None, hrp: str
) -> dict[str, Any]:
    """Every field shown that follows from the split's config and ledger records (a light
    client recomputes it from the proven records)."""
    terms = config.terms
    recipients = [
        {"party": party_view(p, hrp), "share": s}
        for p, s in zip(terms.recipients, terms.shares, strict=True)
    ]
    return {
        "id": split_id.hex(),
        "owner": party_view(config.owner, hrp) if config.owner else None,
        "pending_owner": party_view(config.pending_owner, hrp) if config.pending_owner else None,
        "immutable": config.owner is None,
        "version": config.version,
        "created_height": config.created_height,
        "recipients": recipients,
        "total_shares": terms.total,
        "fee_ppm": terms.fee_ppm,
        "mode": terms.mode.name,
        "locked_until_ms": terms.locked_until_ms,
        "tranches": [
            {"party": party_view(t.recipient, hrp), "cap": t.cap} for t in config.tranches
        ],
        "balance": ledger.balance if ledger else 0,
        "ledger": jsonable(ledger, hrp) if ledger else None,
    }


async def get_split(request: web.Request) -> web.Response:
    ctx = request.app[CONTEXT]
    split_id = parse_hex(request.match_info["id"], "split_id", SPLIT_ID_LEN)
    out = split_view(ctx, split_id)
    if query_flag(request, "proof"):
        out["proof"] = proof_bundle(ctx, split_keys.config(split_id))
    return web.json_response(out)


def payout_view(record: PayoutRecord, hrp: str) -> dict[str, Any]:
    """One payment into a split and what each party got (a history record alone)."""
    item: dict[str, Any] = jsonable(record, hrp)
    item["source"] = party_view(record.source, hrp)
    item["invoice_ref"] = bytes_text(record.invoice_ref)
    item["payouts"] = [{"party": party_view(p, hrp), "amount": a} for p, a in record.payouts]
    return item


async def get_split_payouts(request: web.Request) -> web.Response:
    ctx = request.app[CONTEXT]
    split_id = parse_hex(request.match_info["id"], "split_id", SPLIT_ID_LEN)
    if find_config(ctx.store.state, split_id) is None:
        raise ApiError(404, "not_found", f"no split {split_id.hex()}")
    limit = page_limit(request)
    start = query_int(request, "from_seq", 0, 0, 2**63 - 1)
    records = payout_history(ctx.store.state, split_id, start, limit)
    items = [payout_view(r, ctx.hrp) for r in records]
    next_seq = records[-1].seq + 1 if len(records) == limit else None
    return web.json_response({"split": split_id.hex(), "payouts": items, "next_seq": next_seq})


def decision_view(decision: ModerationDecision, hrp: str) -> dict[str, Any]:
    """A moderation decision as a person reads it back: `proposal_id` the proposal's number
    (`query proposal` takes it), `actor` the moderator's address, or the collective's hex id
    when the collective decided by proposal (`actor_kind` says which)."""
    view: dict[str, Any] = jsonable(decision, hrp)
    pid = decision.proposal_id
    view["proposal_id"] = None if pid is None else int.from_bytes(pid, "big")
    by_collective = decision.actor == decision.collective
    view["actor_kind"] = "COLLECTIVE" if by_collective else "ACCOUNT"
    if by_collective:
        view["actor"] = decision.actor.hex()
    elif len(decision.actor) == ADDRESS_LEN:
        view["actor"] = Address(decision.actor).to_text(hrp)
    return view


def content_record_view(
    content_hash: bytes, record: ContentRecord, latest: ModerationDecision | None, hrp: str
) -> dict[str, Any]:
    """The content's record and its latest moderation decision (both single state keys)."""
    return {
        "hash": content_hash.hex(),
        **jsonable(record, hrp),
        "moderation": decision_view(latest, hrp) if latest else None,
    }


async def get_content_route(request: web.Request) -> web.Response:
    ctx = request.app[CONTEXT]
    content_hash = parse_hex(request.match_info["hash"], "content_hash", CONTENT_HASH_LEN)
    state = ctx.store.state
    record = get_content(state, content_hash)
    if record is None:
        raise ApiError(404, "not_found", f"no content anchored as {content_hash.hex()}")
    hrp = ctx.hrp
    limit = page_limit(request)
    history = moderation_history(state, content_hash, 0, limit)
    latest = latest_moderation(state, content_hash)
    out: dict[str, Any] = {
        "height": ctx.store.height,
        **content_record_view(content_hash, record, latest, hrp),
        "moderation_history": [decision_view(d, hrp) for d in history],
    }
    if query_flag(request, "proof"):
        out["proof"] = proof_bundle(ctx, content_keys.record(content_hash))
    return web.json_response(out)
