"""`coterie query ...`: read accounts, collectives, proposals, splits, content, validators, blocks
and txs from a node, optionally verified (--verify) by the light client (cli/lightclient)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from cli import queryfmt as fmt
from cli.commands.query_chain import block, light_status, stream, tx
from cli.commands.query_proofs import (
    payouts_of,
    proven_holdings,
    verify_proposals,
    verify_split,
)
from cli.lightclient import VerificationError, checks, collective_checks
from cli.lightclient import proposals as proposal_checks
from cli.options import parse_hash
from cli.querycontext import (
    QueryContext,
    QueryGroup,
    context,
    emit,
    mark,
    now_ms,
    query_options,
    single_key_answer,
    verify_option,
)
from cli.refs import PROPOSAL_NUMBER, collective_id
from ledger.collectives import keys as col_keys
from ledger.governance import keys as gov_keys
from ledger.state import keys

MAX_COLLECTIVES_SCANNED = 100
HOLDINGS_UNPROVEN = "holdings (which collectives exist: the node's list)"
SPLIT_PAID_UNPROVEN = "paid (from the payout history)"


@click.group(cls=QueryGroup)
def query() -> None:
    """Read chain state from a node; --verify trusts only the validators from genesis."""


query.add_command(block)
query.add_command(tx)
query.add_command(light_status)
query.add_command(stream)


# -- account ---------------------------------------------------------------------------------


def _collectives(q: QueryContext) -> list[dict[str, Any]]:
    listed: list[dict[str, Any]] = q.get("/v1/collectives").get("collectives", [])
    return listed[:MAX_COLLECTIVES_SCANNED]


def _holding_keys(q: QueryContext, raw: bytes) -> list[tuple[dict[str, Any], str, bytes]]:
    """(collective, class name, holding key) for every class of every collective (bounded)."""
    out = []
    for item in _collectives(q):
        collective = q.get(f"/v1/collectives/{item['id']}")
        cid = bytes.fromhex(item["id"])
        for index, cls in enumerate(collective.get("classes", [])):
            out.append((item, cls["name"], col_keys.holding(cid, index, raw)))
    return out


@query.command("account")
@click.argument("who", metavar="ADDRESS|NAME")
@query_options
@verify_option
def account(
    *, who: str, node_url: str, output: str, home: Path, genesis_path: Path | None, verify: bool
) -> None:
    """Balance, nonce and token holdings of an account (an address or a key name)."""
    q = context(node_url, output, home, genesis_path)
    if verify:
        q.genesis()
    address = q.address(who)
    text = address.to_text(q.hrp())
    answer = q.get(f"/v1/accounts/{text}" + ("?proof=true" if verify else ""))
    account_key = keys.account(address.raw)
    values: dict[bytes, bytes | None] = {}
    if verify:
        with q.light() as light:
            verified = light.verify_bundle(answer.pop("proof", None), [account_key])
            proven = checks.check_account(answer, address, q.hrp(), verified)
            holdings, values = proven_holdings(light, _collectives(q), address.raw)
        proven.add("holdings")  # each amount, class and name is proven; the collectives listed not
        mark(answer, verified, proven, [HOLDINGS_UNPROVEN])
    elif holdings := _holding_keys(q, address.raw):
        bundle = q.node.post("/v1/proofs", {"keys": [k.hex() for _, _, k in holdings]})
        values = {bytes.fromhex(e["key"]): _raw(e["value"]) for e in bundle["entries"]}
    answer["holdings"] = []
    note = answer.pop("verified", None)
    for item, class_name, key in holdings:
        value = values.get(key)
        amount = 0 if value is None else int.from_bytes(value, "big")
        if amount:
            answer["holdings"].append(
                {
                    "collective": item["id"],
                    "collective_name": item["name"],
                    "class": class_name,
                    "amount": amount,
                }
            )
    if note is not None:
        answer["verified"] = note
    emit(q, answer, fmt.account_text(answer))


def _raw(value: str | None) -> bytes | None:
    return None if value is None else bytes.fromhex(value)


# -- collective ------------------------------------------------------------------------------


def _collective_id(q: QueryContext, text: str) -> bytes:
    """The 40-hex id, or the exact name of one collective (as the tx commands take)."""
    return collective_id(q.node, text)


@query.command("collective")
@click.argument("collective_id", metavar="ID|NAME")
@query_options
@verify_option
def collective(
    *,
    collective_id: str,
    node_url: str,
    output: str,
    home: Path,
    genesis_path: Path | None,
    verify: bool,
) -> None:
    """Members with their holdings, token supply, treasury and policies of a collective.

    With --verify the record, member count, every listed member and holding, the supply and the
    treasury are proven; the policies shown for kinds without an override are chain defaults.
    """
    q = context(node_url, output, home, genesis_path)
    cid = _collective_id(q, collective_id)
    answer = q.get(f"/v1/collectives/{cid.hex()}")
    if verify:
        with q.light() as light:
            for _attempt in range(5):
                hrp = q.hrp()
                verified = light.prove(
                    collective_checks.collective_keys(cid, _raw_assets(answer), hrp)
                )
                if verified.height == answer.get("height"):
                    break
                answer = q.get(f"/v1/collectives/{cid.hex()}")  # a block landed in between
            else:
                raise VerificationError("the chain moved on during every attempt; try again")
            proven, unproven = collective_checks.check_collective(
                _raw_assets(answer), cid, hrp, verified
            )
    listed = q.get(f"/v1/collectives/{cid.hex()}/streams").get("streams", [])
    answer["streams"] = [  # the node's list (not proven): each by the id `query stream` takes
        {k: s.get(k) for k in ("recipient", "asset", "status", "total", "claimed")}
        | {"stream": s["id"]}
        for s in listed
    ]
    if verify:
        mark(answer, verified, proven, unproven)  # `streams` is listed as unverified
    emit(q, answer, fmt.collective_text(answer, q.native_coin()))


def _raw_assets(answer: dict[str, Any]) -> dict[str, Any]:
    """The answer with treasury assets as the light client's checks read them (the id and the
    class index as one hex run); the API shows `COLLECTIVE/CLASS`, which must agree with the
    entry's own `collective` and `token_class` (those are what is proven)."""
    treasury = []
    for item in answer.get("treasury") or []:
        if item.get("asset") == "native":
            treasury.append(item)
            continue
        cid, index = str(item.get("collective")), int(item.get("token_class") or 0)
        if item.get("asset") != f"{cid}/{index}" or not 0 <= index < 256:
            raise VerificationError(f"treasury asset {item.get('asset')!r} is not {cid}/{index}")
        treasury.append({**item, "asset": cid + bytes([index]).hex()})
    return {**answer, "treasury": treasury}


# -- validators ------------------------------------------------------------------------------


@query.command("validators")
@query_options
@verify_option
def validators(
    *, node_url: str, output: str, home: Path, genesis_path: Path | None, verify: bool
) -> None:
    """The active validator set, with power and signing counters."""
    q = context(node_url, output, home, genesis_path)
    answer = q.get("/v1/validators")
    if verify:
        with q.light() as light:
            for _attempt in range(5):
                verified = light.prove(checks.validator_keys(answer, q.hrp()))
                if verified.height == answer.get("height"):
                    break
                answer = q.get("/v1/validators")  # a block landed in between
            else:
                raise VerificationError("the chain moved on during every attempt; try again")
            _set, proven, unproven = checks.check_validators(answer, q.hrp(), verified)
        mark(answer, verified, proven, unproven)
    emit(q, answer, fmt.validators_text(answer))


# -- proposals -------------------------------------------------------------------------------


@query.command("proposals")
@click.argument("collective_id", metavar="ID|NAME")
@click.option("--limit", type=click.IntRange(1, 1000), default=50, show_default=True)
@query_options
@verify_option
def proposals(
    *,
    collective_id: str,
    limit: int,
    node_url: str,
    output: str,
    home: Path,
    genesis_path: Path | None,
    verify: bool,
) -> None:
    """A collective's proposals, newest first, with live tallies and time left.

    --verify proves each listed proposal's record (not that the list is complete, nor the live
    tallies, which the node computes from the ballots).
    """
    q = context(node_url, output, home, genesis_path)
    cid = _collective_id(q, collective_id)
    path = f"/v1/collectives/{cid.hex()}/proposals?limit={limit}"
    answer = q.get(path)
    if verify:
        with q.light() as light:
            verified, complete = verify_proposals(
                q, light, answer=answer, path=path, cid=cid, limit=limit
            )
        unverified = [f"proposals[].{f}" for f in proposal_checks.NODE_COMPUTED]
        if not complete:
            unverified.append("proposals (complete list)")
        mark(answer, verified, ("collective", "proposals", "next_before"), unverified)
    emit(q, answer, fmt.proposals_text(answer, now_ms()))


@query.command("proposal")
@click.argument("proposal_id", type=PROPOSAL_NUMBER, metavar="ID")
@query_options
@verify_option
def proposal(
    *,
    proposal_id: int,
    node_url: str,
    output: str,
    home: Path,
    genesis_path: Path | None,
    verify: bool,
) -> None:
    """A proposal: its status, live tally, deadlines (dates and time left) and actions.

    --verify proves the proposal record (status, final tally, deadlines); the live tally is the
    node's computation from the ballots.
    """
    q = context(node_url, output, home, genesis_path)
    answer = single_key_answer(
        q,
        f"/v1/proposals/{proposal_id}",
        gov_keys.proposal(proposal_id),
        verify,
        lambda shown, value: proposal_checks.check_proposal(shown, q.hrp(), proposal_id, value),
    )
    emit(q, answer, fmt.proposal_text(answer, now_ms()))


# -- splits and content ----------------------------------------------------------------------


@query.command("split")
@click.argument("split_id", metavar="ID")
@query_options
@verify_option
def split(
    *,
    split_id: str,
    node_url: str,
    output: str,
    home: Path,
    genesis_path: Path | None,
    verify: bool,
) -> None:
    """A revenue split: each recipient's share as a percentage and what it was paid."""
    q = context(node_url, output, home, genesis_path)
    if verify:
        q.genesis()
    sid = parse_hash(split_id, "split id")
    path = f"/v1/splits/{sid.hex()}"
    answer = q.get(path)
    payouts = payouts_of(q, sid)
    if verify:
        with q.light() as light:
            verified, proven, payouts, paid_proven = verify_split(q, light, answer, sid, payouts)
        unproven = [] if paid_proven else [SPLIT_PAID_UNPROVEN]
        mark(answer, verified, proven | {"paid"}, unproven)
    note = answer.pop("verified", None)
    answer["paid"] = _paid(payouts)
    if note is not None:
        answer["verified"] = note
    emit(q, answer, fmt.split_text(answer, payouts))


def _paid(payouts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    totals: dict[str, dict[str, Any]] = {}
    for record in payouts:
        for item in record.get("payouts", []):
            key = json.dumps(item.get("party"), sort_keys=True)
            entry = totals.setdefault(key, {"party": item.get("party"), "amount": 0})
            entry["amount"] += int(item.get("amount", 0))
    return list(totals.values())


@query.command("content")
@click.argument("content_hash", metavar="ID")
@query_options
@verify_option
def content(
    *,
    content_hash: str,
    node_url: str,
    output: str,
    home: Path,
    genesis_path: Path | None,
    verify: bool,
) -> None:
    """Anchored content and its moderation history (oldest first)."""
    q = context(node_url, output, home, genesis_path)
    if verify:
        q.genesis()
    chash = parse_hash(content_hash, "content id")
    path = f"/v1/content/{chash.hex()}?limit={checks.MODERATION_PAGE}"
    answer = q.get(path)
    if verify:
        hrp = q.hrp()
        with q.light() as light:
            for attempt in range(5):  # `height` is the record's: a changed answer is asked again
                shown = answer.get("moderation_history")
                count = len(shown) if isinstance(shown, list) else 0
                verified = light.prove(checks.moderation_keys(chash, count))
                try:
                    record, latest = (verified.get(k) for k in checks.moderation_keys(chash, 0))
                    proven = checks.check_content(answer, hrp, chash, record, latest)
                    whole = checks.check_moderation_history(answer, hrp, chash, verified)
                    break
                except VerificationError:
                    if attempt == 4:
                        raise
                    answer = q.get(path)
        unproven = [] if whole else ["moderation_history (complete list)"]
        mark(answer, verified, proven | {"moderation_history"}, unproven)
    emit(q, answer, fmt.content_text(answer, now_ms()))
