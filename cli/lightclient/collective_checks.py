"""Check a collective's answer against proven state: its record, member count, every listed
member (record and holdings), the supply and names of its token classes, the treasury amounts
shown and one policy per proposal kind.

The policy list is complete by construction (one key per `ProposalKind` is proven: an override,
or the proven absence of one, which leaves the chain's default). The member list is complete when
its length equals the proven member count. The treasury has no count in state: the amounts shown
are proven, and so are the native coin's and the collective's own tokens' (none may be left out);
that no other collective's token is left out is not (`TREASURY_UNPROVEN`).
"""

from __future__ import annotations

from typing import Any

from cli.lightclient.checks import decode, listed, mismatch, same, u64
from cli.lightclient.errors import VerificationError
from cli.lightclient.signed import VerifiedState
from ledger.codec import MalformedError
from ledger.collectives import keys as col_keys
from ledger.collectives.ids import Asset
from ledger.collectives.model import Collective, Member
from ledger.governance.kinds import ProposalKind
from ledger.governance.policy import DEFAULT_POLICIES, Policy
from ledger.keys import Address
from node.api.views import jsonable

TREASURY_UNPROVEN = "treasury (tokens of other collectives)"
MEMBERS_UNPROVEN = "members (complete list)"


def collective_keys(cid: bytes, answer: dict[str, Any], hrp: str) -> list[bytes]:
    """The state keys behind a collective's answer: record, count, members, holdings, supply,
    treasury, and the policy key of every proposal kind."""
    classes = answer.get("classes")
    n_classes = len(classes) if isinstance(classes, list) else 0
    out = [col_keys.collective(cid), col_keys.member_count(cid)]
    out += [col_keys.supply(cid, i) for i in range(n_classes)]
    for member in listed(answer, "members"):
        raw = _member_address(hrp, member).raw
        out.append(col_keys.member(cid, raw))
        out += [col_keys.holding(cid, i, raw) for i in range(n_classes)]
    for item in listed(answer, "treasury"):
        out.append(col_keys.treasury(cid, _asset(item)))
    out += [col_keys.treasury(cid, raw) for raw in _own_assets(cid, n_classes)]
    out += [col_keys.policy(cid, kind) for kind in ProposalKind]
    return out


def _own_assets(cid: bytes, n_classes: int) -> list[bytes]:
    """The assets whose treasury balance is always proven: the native coin and the
    collective's own token classes."""
    return [b"", *(Asset(cid, i).raw for i in range(n_classes))]


def _member_address(hrp: str, member: dict[str, Any]) -> Address:
    try:
        return Address.parse(hrp, str(member.get("address")))
    except ValueError:
        raise VerificationError(f"the node lists {member.get('address')!r} as a member") from None


def _asset(item: dict[str, Any]) -> bytes:
    asset = item.get("asset")
    try:
        return b"" if asset == "native" else bytes.fromhex(str(asset))
    except ValueError:
        raise VerificationError(f"the node's treasury asset {asset!r} is not hex") from None


def check_collective(
    answer: dict[str, Any], cid: bytes, hrp: str, verified: VerifiedState
) -> tuple[set[str], list[str]]:
    """Returns the proven fields and what is shown but not proven."""
    collective = decode(Collective.decode, verified.get(col_keys.collective(cid)), "collective")
    record = jsonable(collective, hrp)
    same("collective", answer, {"id": cid.hex(), **record})
    count = u64(verified.get(col_keys.member_count(cid)))
    members = listed(answer, "members")
    same("collective", answer, {"member_count": count, "members_truncated": count > len(members)})
    if len(members) > count:
        raise mismatch("collective", "number of members listed", len(members), count)
    names = [c.name for c in collective.classes]
    for member in members:
        raw = _member_address(hrp, member).raw
        state = verified.get(col_keys.member(cid, raw))
        if state is None:
            raise VerificationError(f"{member.get('address')} is listed but is not a member")
        record_view = jsonable(decode(Member.decode, state, "member"), hrp)
        held = {
            name: u64(verified.get(col_keys.holding(cid, i, raw))) for i, name in enumerate(names)
        }
        same(f"member {member.get('address')}", member, {**record_view, "holdings": held})
    supply = [
        {
            "class": i,
            "name": c.name,
            "kind": c.kind.name,
            "supply": u64(verified.get(col_keys.supply(cid, i))),
        }
        for i, c in enumerate(collective.classes)
    ]
    same("collective", answer, {"supply": supply})
    for item in listed(answer, "treasury"):
        raw = _asset(item)
        try:
            asset = Asset.parse(raw)
        except MalformedError:
            raise VerificationError(f"the node's treasury asset {raw.hex()} is no asset") from None
        proven_item = {
            "asset": "native" if asset.is_native else asset.raw.hex(),
            "collective": asset.collective.hex() or None,
            "token_class": None if asset.is_native else asset.token_class,
            "amount": u64(verified.get(col_keys.treasury(cid, raw))),
        }
        same(f"collective's treasury {item.get('asset')}", item, proven_item)
    shown_assets = {_asset(item) for item in listed(answer, "treasury")}
    for raw in _own_assets(cid, len(collective.classes)):
        if raw not in shown_assets and u64(verified.get(col_keys.treasury(cid, raw))):
            name = "native" if raw == b"" else raw.hex()
            raise VerificationError(f"the treasury holds {name}, which the node does not list")
    same("collective", answer, {"policies": _policies(cid, hrp, verified)})
    proven = {"id", *record, "member_count", "members", "members_truncated", "supply"}
    proven |= {"treasury", "policies"}
    unproven = [TREASURY_UNPROVEN]
    if count > len(members):
        unproven.append(MEMBERS_UNPROVEN)
    return proven, unproven


def _policies(cid: bytes, hrp: str, verified: VerifiedState) -> list[dict[str, Any]]:
    """The policy of every kind, as the API lists them: an override when one is proven, else
    the chain's default (kinds with neither are left out)."""
    out = []
    for kind in ProposalKind:
        data = verified.get(col_keys.policy(cid, kind))
        policy = (
            DEFAULT_POLICIES.get(kind) if data is None else decode(Policy.decode, data, "policy")
        )
        if policy is None:
            continue
        out.append(
            {"kind": kind.name, "override": data is not None, "policy": jsonable(policy, hrp)}
        )
    return out
