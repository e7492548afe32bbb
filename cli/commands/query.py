"""`coterie query ...`: read accounts, collectives, proposals, splits, content, validators, blocks
and txs from a node, optionally verified (--verify) by the light client (cli/lightclient)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from cli import queryfmt as fmt
from cli.commands.query_chain import block, light_status, stream, tx
from cli.lightclient import LightClient, VerificationError, VerifiedState, checks
from cli.options import parse_hash
from cli.querycontext import (
    QueryContext,
    QueryGroup,
    context,
    emit,
    mark,
    now_ms,
    query_options,
    verify_option,
)
from cli.refs import PROPOSAL_NUMBER, collective_id
from ledger.collectives import keys as col_keys
from ledger.content import keys as content_keys
from ledger.governance import keys as gov_keys
from ledger.splits import keys as split_keys
from ledger.state import keys

MAX_COLLECTIVES_SCANNED = 100
VALIDATOR_SET_KEY = keys.chain_meta(b"validator_set")


@click.group(cls=QueryGroup)
def query() -> None:
    """Read chain state from a node; --verify trusts only the validators from genesis."""


query.add_command(block)
query.add_command(tx)
query.add_command(light_status)
query.add_command(stream)


# -- account ---------------------------------------------------------------------------------


def _holding_keys(q: QueryContext, raw: bytes) -> list[tuple[dict[str, Any], str, bytes]]:
    """(collective, class name, holding key) for every class of every collective (bounded)."""
    listed = q.get("/v1/collectives").get("collectives", [])[:MAX_COLLECTIVES_SCANNED]
    out = []
    for item in listed:
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
    holdings = _holding_keys(q, address.raw)
    account_key = keys.account(address.raw)
    values: dict[bytes, bytes | None] = {}
    if verify:
        with q.light() as light:
            verified = light.verify_bundle(answer.pop("proof", None), [account_key])
            checks.check_account(answer, address, verified)
            if holdings:
                values = light.prove([k for _, _, k in holdings]).values
        mark(answer, verified)
    elif holdings:
        bundle = q.node.post("/v1/proofs", {"keys": [k.hex() for _, _, k in holdings]})
        values = {bytes.fromhex(e["key"]): _raw(e["value"]) for e in bundle["entries"]}
    answer["holdings"] = []
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
                verified = light.prove(checks.collective_keys(cid, _raw_assets(answer), hrp))
                if verified.height == answer.get("height"):
                    break
                answer = q.get(f"/v1/collectives/{cid.hex()}")  # a block landed in between
            else:
                raise VerificationError("the chain moved on during every attempt; try again")
            checks.check_collective(_raw_assets(answer), cid, hrp, verified)
        mark(answer, verified)
    listed = q.get(f"/v1/collectives/{cid.hex()}/streams").get("streams", [])
    answer["streams"] = [  # the node's list (not proven): each by the id `query stream` takes
        {k: s.get(k) for k in ("recipient", "asset", "status", "total", "claimed")}
        | {"stream": s["id"]}
        for s in listed
    ]
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
    answer = q.get("/v1/validators" + ("?proof=true" if verify else ""))
    if verify:
        with q.light() as light:
            verified = light.verify_bundle(answer.pop("proof", None), [VALIDATOR_SET_KEY])
            checks.check_validators(answer, q.hrp(), verified)
        mark(answer, verified)
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
    if verify and answer.get("proposals"):
        with q.light() as light:
            verified = _verify_proposals(q, light, answer, path)
        mark(answer, verified)
    emit(q, answer, fmt.proposals_text(answer, now_ms()))


def _verify_proposals(
    q: QueryContext, light: LightClient, answer: dict[str, Any], path: str
) -> VerifiedState:
    """Prove every listed record; asks again when a block changed one in between."""
    hrp = q.hrp()
    for attempt in range(5):
        items = answer.get("proposals") or []
        wanted = [gov_keys.proposal(int(p["id"])) for p in items]
        verified = light.prove(wanted)
        try:
            for item, key in zip(items, wanted, strict=True):
                checks.check_proposal(item, hrp, verified.get(key))
        except VerificationError:
            if attempt == 4:
                raise
            answer.clear()
            answer.update(q.get(path))
            continue
        return verified
    raise VerificationError("the chain moved on during every attempt; try again")


def _single(q: QueryContext, answer: dict[str, Any], key: bytes, check: Any, verify: bool) -> None:
    """Verify a single-key answer (its ?proof=true bundle) with `check(answer, hrp, value)`."""
    if not verify:
        return
    with q.light() as light:
        verified = light.verify_bundle(answer.pop("proof", None), [key])
        check(answer, q.hrp(), verified.get(key))
    mark(answer, verified)


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
    if verify:
        q.genesis()
    answer = q.get(f"/v1/proposals/{proposal_id}" + ("?proof=true" if verify else ""))
    _single(q, answer, gov_keys.proposal(proposal_id), checks.check_proposal, verify)
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
    answer = q.get(f"/v1/splits/{sid.hex()}" + ("?proof=true" if verify else ""))
    _single(q, answer, split_keys.config(sid), checks.check_split, verify)
    payouts: list[dict[str, Any]] = []
    cursor: int | None = 0
    while cursor is not None and len(payouts) < 10_000:
        page = q.get(f"/v1/splits/{sid.hex()}/payouts?from_seq={cursor}&limit=1000")
        payouts += page.get("payouts", [])
        cursor = page.get("next_seq")
    answer["paid"] = _paid(payouts)
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
    answer = q.get(f"/v1/content/{chash.hex()}" + ("?proof=true" if verify else ""))
    _single(q, answer, content_keys.record(chash), checks.check_content, verify)
    emit(q, answer, fmt.content_text(answer, now_ms()))
