"""Compare a node's JSON answer with the state values proven for it.

The API's JSON views are built from state records with `node.api.views.jsonable`; the proven
record, viewed the same way, must give the same fields. Whatever the answer shows that is not a
proven key (a live tally, a pending nonce) is left out of the check and said so by the caller.
"""

from __future__ import annotations

from typing import Any

from cli.lightclient.client import VerifiedState
from cli.lightclient.errors import VerificationError
from consensus.validators import ValidatorSet
from ledger.codec import MalformedError
from ledger.collectives import keys as col_keys
from ledger.collectives.model import Collective
from ledger.content.records import ContentRecord
from ledger.governance.kinds import ProposalKind
from ledger.governance.policy import DEFAULT_POLICIES, Policy
from ledger.governance.proposal import Proposal
from ledger.keys import Address
from ledger.splits.records import SplitConfig
from ledger.state import keys
from ledger.state.records import Account
from node.api.splits import party_view
from node.api.views import jsonable


def _mismatch(what: str, field: str, shown: Any, proven: Any) -> VerificationError:
    return VerificationError(
        f"the node's {what} says {field} = {shown!r}, but the proven state holds {proven!r}"
    )


def _same(what: str, answer: dict[str, Any], proven: dict[str, Any]) -> None:
    for field, value in proven.items():
        if answer.get(field) != value:
            raise _mismatch(what, field, answer.get(field), value)


def _decode(decoder: Any, data: bytes | None, what: str) -> Any:
    if data is None:
        raise VerificationError(f"the proof shows that the {what} does not exist")
    try:
        return decoder(data)
    except (MalformedError, ValueError) as exc:
        raise VerificationError(f"the proven {what} does not decode: {exc}") from exc


def _u64(data: bytes | None) -> int:
    return 0 if data is None else int.from_bytes(data, "big")


def check_account(answer: dict[str, Any], address: Address, verified: VerifiedState) -> None:
    data = verified.get(keys.account(address.raw))
    account = Account() if data is None else _decode(Account.decode, data, "account")
    proven = {"exists": data is not None, "balance": account.balance, "nonce": account.nonce}
    _same("account", answer, proven)


def check_validators(answer: dict[str, Any], hrp: str, verified: VerifiedState) -> ValidatorSet:
    """The proven set that signs the next height; the answer's list must hold the same."""
    key = keys.chain_meta(b"validator_set")
    validators: ValidatorSet = _decode(ValidatorSet.decode, verified.get(key), "validator set")
    proven = sorted(
        (v.address.to_text(hrp), v.public_key.hex(), v.power) for v in validators.validators
    )
    listed = answer.get("validators")
    shown = sorted(
        (v.get("address"), v.get("public_key"), v.get("power"))
        for v in (listed if isinstance(listed, list) else [])
        if isinstance(v, dict)
    )
    if shown != proven:
        raise _mismatch("validator list", "validators", shown, proven)
    return validators


def collective_keys(cid: bytes, answer: dict[str, Any], hrp: str) -> list[bytes]:
    """The state keys behind a collective's answer: record, count, members, holdings, supply,
    treasury."""
    classes = answer.get("classes")
    n_classes = len(classes) if isinstance(classes, list) else 0
    out = [col_keys.collective(cid), col_keys.member_count(cid)]
    out += [col_keys.supply(cid, i) for i in range(n_classes)]
    for member in _list(answer, "members"):
        raw = Address.parse(hrp, str(member.get("address"))).raw
        out.append(col_keys.member(cid, raw))
        out += [col_keys.holding(cid, i, raw) for i in range(n_classes)]
    for item in _list(answer, "treasury"):
        asset = item.get("asset")
        out.append(col_keys.treasury(cid, b"" if asset == "native" else bytes.fromhex(str(asset))))
    out += [col_keys.policy(cid, _kind(p.get("kind"))) for p in _list(answer, "policies")]
    return out


def _kind(name: Any) -> ProposalKind:
    try:
        return ProposalKind[str(name)]
    except KeyError:
        raise VerificationError(f"the node shows a policy of unknown kind {name!r}") from None


def _list(answer: dict[str, Any], name: str) -> list[dict[str, Any]]:
    items = answer.get(name)
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise VerificationError(f"the node's {name} are not a list of objects")
    return items


def check_collective(answer: dict[str, Any], cid: bytes, hrp: str, verified: VerifiedState) -> None:
    collective = _decode(Collective.decode, verified.get(col_keys.collective(cid)), "collective")
    _same("collective", answer, jsonable(collective, hrp))
    count = _u64(verified.get(col_keys.member_count(cid)))
    members = _list(answer, "members")
    _same("collective", answer, {"member_count": count})
    if not answer.get("members_truncated") and len(members) != count:
        raise _mismatch("collective", "number of members listed", len(members), count)
    names = [c.name for c in collective.classes]
    for member in members:
        raw = Address.parse(hrp, str(member.get("address"))).raw
        if verified.get(col_keys.member(cid, raw)) is None:
            raise VerificationError(f"{member.get('address')} is listed but is not a member")
        held = {
            name: _u64(verified.get(col_keys.holding(cid, i, raw))) for i, name in enumerate(names)
        }
        if member.get("holdings") != held:
            raise _mismatch(
                "collective", f"holdings of {member.get('address')}", member.get("holdings"), held
            )
    for i, item in enumerate(_list(answer, "supply")):
        proven_supply = _u64(verified.get(col_keys.supply(cid, i)))
        if item.get("supply") != proven_supply:
            raise _mismatch("collective", f"supply of class {i}", item.get("supply"), proven_supply)
    for item in _list(answer, "treasury"):
        asset = item.get("asset")
        raw_asset = b"" if asset == "native" else bytes.fromhex(str(asset))
        amount = _u64(verified.get(col_keys.treasury(cid, raw_asset)))
        if item.get("amount") != amount:
            raise _mismatch("collective", f"treasury {asset}", item.get("amount"), amount)
    for item in _list(answer, "policies"):
        kind = _kind(item.get("kind"))
        data = verified.get(col_keys.policy(cid, kind))
        policy = (
            DEFAULT_POLICIES.get(kind) if data is None else _decode(Policy.decode, data, "policy")
        )
        if policy is None:
            raise VerificationError(f"the node shows a policy for {kind.name}, which has none")
        proven = {"override": data is not None, "policy": jsonable(policy, hrp)}
        _same(f"collective's {kind.name} policy", item, proven)


PROPOSAL_VIEW_FIELDS = ("kind", "actions")  # shown differently than the record's own view


def check_proposal(answer: dict[str, Any], hrp: str, data: bytes | None) -> None:
    proposal = _decode(Proposal.decode, data, "proposal")
    proven = {k: v for k, v in jsonable(proposal, hrp).items() if k not in PROPOSAL_VIEW_FIELDS}
    _same("proposal", answer, proven)
    if answer.get("kind_number") != proposal.kind:
        raise _mismatch("proposal", "kind", answer.get("kind_number"), proposal.kind)


def check_split(answer: dict[str, Any], hrp: str, data: bytes | None) -> None:
    config = _decode(SplitConfig.decode, data, "split")
    terms = config.terms
    proven = {
        "recipients": [
            {"party": party_view(p, hrp), "share": s}
            for p, s in zip(terms.recipients, terms.shares, strict=True)
        ],
        "total_shares": terms.total,
        "fee_ppm": terms.fee_ppm,
        "mode": terms.mode.name,
        "version": config.version,
        "owner": party_view(config.owner, hrp) if config.owner else None,
    }
    _same("split", answer, proven)


def check_content(answer: dict[str, Any], hrp: str, data: bytes | None) -> None:
    record = _decode(ContentRecord.decode, data, "content record")
    _same("content", answer, jsonable(record, hrp))
