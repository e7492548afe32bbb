"""Proposal actions on splits owned by the collective: the only way such a split changes.

A collective's split is created with the collective as owner, at the id
`collective_split_id(cid, proposal id, terms, tranches)` (known once the proposal is submitted).
An update names the split's current version like a `SplitUpdate` tx; a party whose share it
lowers must consent, by a `Consent` signature carried in the action or, for an account, by voting
yes on the proposal with more than half of their ballot (a member who approves a cut has agreed
to it; a ballot mostly against it is no consent, whatever its yes part). A collective accepts
an owner transfer proposed to it with `CollectiveSplitAccept`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from ledger import codec
from ledger.codec import Fields
from ledger.collectives.model import Collective
from ledger.collectives.params import DAY, PPM
from ledger.errors import ErrorCode, TxError
from ledger.governance.actions import Action, ActionRun, register_action
from ledger.governance.ballots import Ballot, ballots
from ledger.governance.kinds import ActionTag, BinaryOption, ProposalKind
from ledger.governance.policy import Policy, register_default_policy
from ledger.hashing import tagged_digest
from ledger.splits import admin
from ledger.splits.consent import verify_consents
from ledger.splits.graph import check_payees
from ledger.splits.parties import (
    SPLIT_ID_LEN,
    Party,
    PartyKind,
)
from ledger.splits.payloads import SplitUpdateFields
from ledger.splits.records import MAX_TRANCHES, SplitTerms, Tranche, check_tranches
from ledger.splits.store import get_config
from ledger.state.context import BlockContext
from ledger.state.events import Event
from ledger.state.keys import u64
from ledger.state.view import StateView

SPLIT_ID_TAG = b"coterie/collective-split/v1"


def collective_party(cid: bytes) -> Party:
    return Party(PartyKind.COLLECTIVE, cid)


def collective_split_id(
    cid: bytes, proposal_id: int, terms: SplitTerms, tranches: tuple[Tranche, ...]
) -> bytes:
    body = codec.encode([terms.to_fields(), [t.to_fields() for t in tranches]])
    return tagged_digest(SPLIT_ID_TAG, cid + u64(proposal_id) + body)


@register_action
@dataclass(frozen=True, slots=True)
class CollectiveSplitCreate(Action):
    TAG: ClassVar[ActionTag] = ActionTag.SPLIT_CREATE
    KIND: ClassVar[ProposalKind] = ProposalKind.SPLITS
    terms: SplitTerms
    tranches: tuple[Tranche, ...] = ()

    def to_fields(self) -> list[Any]:
        return [self.terms.to_fields(), [t.to_fields() for t in self.tranches]]

    @classmethod
    def from_fields(cls, raw: object) -> CollectiveSplitCreate:
        f = Fields(raw, 2, "collective_split_create")
        terms = SplitTerms.from_fields(f.raw())
        return cls(terms, tuple(Tranche.from_fields(t) for t in f.list("tranches", MAX_TRANCHES)))

    def check(self) -> None:
        self.terms.check()
        check_tranches(self.tranches)

    def check_submit(
        self, view: StateView, ctx: BlockContext, cid: bytes, collective: Collective
    ) -> None:
        parties = [t.recipient for t in self.tranches] + list(self.terms.recipients)
        check_payees(view, bytes(SPLIT_ID_LEN), parties)

    def execute(self, view: StateView, ctx: BlockContext, run: ActionRun) -> list[Event]:
        cid = run.collective_id
        split_id = collective_split_id(cid, run.proposal_id, self.terms, self.tranches)
        return admin.create_split(
            view,
            ctx,
            split_id,
            owner=collective_party(cid),
            terms=self.terms,
            tranches=self.tranches,
        )


def consents_by_ballot(ballot: Ballot) -> bool:
    """A ballot is its voter's consent to a cut when more than half of it is yes (issue 23: a
    ballot of 1 ppm yes and 999,999 ppm no is not consent)."""
    yes = sum(ppm for option, ppm in ballot.parts() if option == BinaryOption.YES)
    return 2 * yes > PPM


@register_action
@dataclass(frozen=True, slots=True)
class CollectiveSplitUpdate(SplitUpdateFields, Action):
    TAG: ClassVar[ActionTag] = ActionTag.SPLIT_UPDATE
    KIND: ClassVar[ProposalKind] = ProposalKind.SPLITS

    @classmethod
    def from_fields(cls, raw: object) -> CollectiveSplitUpdate:
        return cls.decode(raw, "collective_split_update")

    def check(self) -> None:
        admin.check_owner_action(self.owner_action, self.new_owner)
        if self.terms is None:
            if self.consents:
                raise TxError(ErrorCode.SPLIT_CONSENT_INVALID, "consents need new terms")
            if self.owner_action is admin.OwnerAction.KEEP:
                raise TxError(ErrorCode.INVALID_ACTION, "the update changes nothing")
            return
        self.terms.check()

    def _signers(self, chain_id: str) -> frozenset[Party]:
        if self.terms is None:
            return frozenset()
        signed = verify_consents(chain_id, self.split_id, self.version, self.terms, self.consents)
        return frozenset(Party.account(a) for a in signed)

    def check_submit(
        self, view: StateView, ctx: BlockContext, cid: bytes, collective: Collective
    ) -> None:
        self._signers(ctx.params.chain_id)
        if get_config(view, self.split_id).owner != collective_party(cid):
            raise TxError(ErrorCode.UNAUTHORIZED, "the collective does not own this split")

    def execute(self, view: StateView, ctx: BlockContext, run: ActionRun) -> list[Event]:
        yes_voters = frozenset(
            Party.account(voter)
            for voter, ballot in ballots(view, run.proposal_id)
            if consents_by_ballot(ballot)
        )
        consenting = self._signers(ctx.params.chain_id) | yes_voters
        return admin.update_split(
            view,
            ctx,
            self.split_id,
            self.change(),
            authority=collective_party(run.collective_id),
            consenting=consenting,
        )


@register_action
@dataclass(frozen=True, slots=True)
class CollectiveSplitAccept(Action):
    """The collective takes over a split whose owner proposed the collective as new owner."""

    TAG: ClassVar[ActionTag] = ActionTag.SPLIT_ACCEPT
    KIND: ClassVar[ProposalKind] = ProposalKind.SPLITS
    split_id: bytes

    def to_fields(self) -> list[Any]:
        return [self.split_id]

    @classmethod
    def from_fields(cls, raw: object) -> CollectiveSplitAccept:
        f = Fields(raw, 1, "collective_split_accept")
        return cls(f.bytes("split_id", SPLIT_ID_LEN, exact=True))

    def check_submit(
        self, view: StateView, ctx: BlockContext, cid: bytes, collective: Collective
    ) -> None:
        admin.check_accept(view, self.split_id, collective_party(cid))

    def execute(self, view: StateView, ctx: BlockContext, run: ActionRun) -> list[Event]:
        return admin.accept_ownership(view, ctx, self.split_id, collective_party(run.collective_id))


register_default_policy(
    ProposalKind.SPLITS, Policy(threshold_ppm=667_000, veto_ppm=0, voting_period_ms=3 * DAY)
)
