"""Check a node's proposals against their proven records, and a collective's list of proposals
for completeness.

Everything the API derives from a proposal's record alone (`node.api.governance.record_view`:
status, deadlines, `final`, `next_deadline`, the kind and every action) is recomputed from the
proven record and compared field by field. What the node computes from other keys (the live
tally, the number of ballots) is not proven and is said so (`unverified`).

A list is complete when, besides each listed record, the proofs show that no other proposal id
below the proven `NEXT_ID` counter belongs to the collective (absence proofs of its index keys
`by_collective(cid, id)`): an emptied or shortened list is refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise
from typing import Any

from cli.lightclient.checks import same
from cli.lightclient.errors import VerificationError
from cli.lightclient.signed import VerifiedState
from ledger.codec import MalformedError
from ledger.governance import keys as gov_keys
from ledger.governance.proposal import Proposal
from node.api.governance import record_view

NODE_COMPUTED = ("live_tally", "ballots_cast")
"""Proposal fields the node computes from ballots (no state key holds them)."""

MAX_PROOF_KEYS = 1000  # what one POST /v1/proofs accepts (node.api.lightclient)


def check_proposal(answer: dict[str, Any], hrp: str, pid: int, data: bytes | None) -> set[str]:
    """Compare every record-derived field shown with the proven record; returns their names."""
    if data is None:
        raise VerificationError(f"the proof shows that proposal {pid} does not exist")
    try:
        proposal = Proposal.decode(data)
    except (MalformedError, ValueError) as exc:
        raise VerificationError(f"the proven proposal {pid} does not decode: {exc}") from exc
    proven = record_view(pid, proposal, hrp)
    same(f"proposal {pid}", answer, proven)
    return set(proven)


def listed_ids(answer: dict[str, Any]) -> list[int]:
    """The ids of a listed page, which must be distinct and newest first."""
    items = answer.get("proposals")
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise VerificationError("the node's proposals are not a list of objects")
    ids = [i.get("id") for i in items]
    if not all(isinstance(i, int) and not isinstance(i, bool) and i >= 0 for i in ids):
        raise VerificationError("a proposal id in the node's list is not a number")
    if any(a <= b for a, b in pairwise(ids)):
        raise VerificationError("the node's proposals are not distinct and newest first")
    return [int(i) for i in ids]


@dataclass(frozen=True)
class ListPlan:
    """The keys that prove one page of a collective's proposals, given the `NEXT_ID` counter
    the plan assumes (checked against the proven one)."""

    cid: bytes
    ids: list[int]
    next_id: int
    full_page: bool

    @property
    def gap(self) -> list[int]:
        """The ids between the page's oldest (or 1) and NEXT_ID the page does not list."""
        floor = self.ids[-1] + 1 if self.full_page and self.ids else 1
        listed = set(self.ids)
        return [p for p in range(floor, self.next_id) if p not in listed]

    @property
    def complete_provable(self) -> bool:
        return len(self.keys()) <= MAX_PROOF_KEYS

    def keys(self, with_gap: bool = True) -> list[bytes]:
        out = [gov_keys.NEXT_ID]
        out += [gov_keys.proposal(p) for p in self.ids]
        out += [gov_keys.by_collective(self.cid, p) for p in self.ids]
        if with_gap:
            out += [gov_keys.by_collective(self.cid, p) for p in self.gap]
        return out


def proven_next_id(verified: VerifiedState) -> int:
    data = verified.get(gov_keys.NEXT_ID)
    return 1 if data is None else int.from_bytes(data, "big")


def check_list(
    answer: dict[str, Any], hrp: str, plan: ListPlan, verified: VerifiedState, complete: bool
) -> None:
    """Every listed record, that each belongs to the collective, and (when `complete`) that no
    proposal of the collective is left out of the page."""
    for item, pid in zip(answer["proposals"], plan.ids, strict=True):
        check_proposal(item, hrp, pid, verified.get(gov_keys.proposal(pid)))
        if verified.get(gov_keys.by_collective(plan.cid, pid)) is None:
            raise VerificationError(f"proposal {pid} is listed but is not the collective's")
    if not complete:
        return
    for pid in plan.gap:
        if verified.get(gov_keys.by_collective(plan.cid, pid)) is not None:
            raise VerificationError(
                f"proposal {pid} of the collective is missing from the node's list"
            )
