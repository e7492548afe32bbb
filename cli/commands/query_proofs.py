"""The proofs behind `coterie query proposals --verify` and `query split --verify`: answers
that need several keys proven at one height, asked again when a block lands in between."""

from __future__ import annotations

from typing import Any

from cli.lightclient import LightClient, VerificationError, VerifiedState, checks
from cli.lightclient import proposals as proposal_checks
from cli.querycontext import QueryContext
from ledger.collectives import keys as col_keys
from ledger.collectives.model import Collective
from ledger.governance import keys as gov_keys
from ledger.splits import keys as split_keys


def verify_proposals(
    q: QueryContext,
    light: LightClient,
    *,
    answer: dict[str, Any],
    path: str,
    cid: bytes,
    limit: int,
) -> tuple[VerifiedState, bool]:
    """Prove every listed record and that no proposal of the collective is left out of the
    page (absence proofs up to the proven NEXT_ID); asks again when a block lands in between.
    Returns the proofs and whether completeness was proven (False: too many ids to prove)."""
    hrp = q.hrp()
    next_id = proposal_checks.proven_next_id(light.prove([gov_keys.NEXT_ID]))
    for attempt in range(5):
        if answer.get("collective") != cid.hex():
            raise VerificationError("the node listed the proposals of another collective")
        ids = proposal_checks.listed_ids(answer)
        plan = proposal_checks.ListPlan(cid, ids, next_id, full_page=len(ids) == limit)
        complete = plan.complete_provable
        verified = light.prove(plan.keys(with_gap=complete))
        proven_next = proposal_checks.proven_next_id(verified)
        try:
            if proven_next != next_id:
                raise VerificationError("a proposal was submitted between two proofs")
            proposal_checks.check_list(answer, hrp, plan, verified, complete)
            last = ids[-1] if len(ids) == limit else None
            if answer.get("next_before") != last:
                raise VerificationError("the node's next_before does not follow its list")
        except VerificationError:
            if attempt == 4:
                raise
            next_id = proven_next
            answer.clear()
            answer.update(q.get(path))
            continue
        return verified, complete
    raise VerificationError("the chain moved on during every attempt; try again")


def payouts_of(q: QueryContext, sid: bytes) -> list[dict[str, Any]]:
    payouts: list[dict[str, Any]] = []
    cursor: int | None = 0
    while cursor is not None and len(payouts) < 10_000:
        page = q.get(f"/v1/splits/{sid.hex()}/payouts?from_seq={cursor}&limit=1000")
        payouts += page.get("payouts", [])
        cursor = page.get("next_seq")
    return payouts


def verify_split(
    q: QueryContext,
    light: LightClient,
    answer: dict[str, Any],
    sid: bytes,
    payouts: list[dict[str, Any]],
) -> tuple[VerifiedState, set[str], list[dict[str, Any]], bool]:
    """Prove the config, the ledger and (up to MAX_PAYOUTS_PROVEN) every payment at one height;
    asks again when a block lands in between. Returns the proofs, the proven fields, the
    payments and whether they (and so what was paid) are proven."""
    hrp = q.hrp()
    for attempt in range(5):
        with_history = len(payouts) <= checks.MAX_PAYOUTS_PROVEN
        wanted = [split_keys.config(sid)]
        wanted += checks.payout_keys(sid, len(payouts) if with_history else 0)
        verified = light.prove(wanted)
        try:
            ledger = verified.get(split_keys.ledger(sid))
            config = verified.get(split_keys.config(sid))
            proven = checks.check_split(answer, hrp, sid, config, ledger)
            if with_history:
                checks.check_payouts(payouts, hrp, sid, verified)
            if answer.get("height") != verified.height:
                raise VerificationError("the node's split is not of the proven height")
        except VerificationError:
            if attempt == 4:
                raise
            answer.clear()
            answer.update(q.get(f"/v1/splits/{sid.hex()}"))
            payouts = payouts_of(q, sid)
            continue
        return verified, proven, payouts, with_history
    raise VerificationError("the chain moved on during every attempt; try again")


def proven_holdings(
    light: LightClient, listed: list[dict[str, Any]], raw: bytes
) -> tuple[list[tuple[dict[str, Any], str, bytes]], dict[bytes, bytes | None]]:
    """An account's holding keys in every class of the listed collectives, the classes and
    names taken from the proven collective records, and the proven holdings."""
    cids = []
    for item in listed:
        try:
            cids.append(bytes.fromhex(str(item.get("id"))))
        except ValueError:
            raise VerificationError(f"the node lists a collective id {item.get('id')!r}") from None
    if not cids:
        return [], {}
    records = light.prove([col_keys.collective(cid) for cid in cids])
    out = []
    for cid in cids:
        collective = checks.decode(
            Collective.decode, records.get(col_keys.collective(cid)), "collective"
        )
        shown = {"id": cid.hex(), "name": collective.name}
        for index, cls in enumerate(collective.classes):
            out.append((shown, cls.name, col_keys.holding(cid, index, raw)))
    values = light.prove([k for _, _, k in out]).values if out else {}
    return out, values
