"""Creating and governing a split: create, update by the owner, two-step owner transfer.

Every function takes the acting `authority` as a party rather than a tx sender, so the same rules
serve a tx signed by an account and, later, a proposal action executed for a collective: a split
owned by a collective can only ever match a collective authority, so it changes only by proposal.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

from ledger.errors import ErrorCode, TxError
from ledger.splits.consent import harmed_parties, missing_consents
from ledger.splits.distribution import zero_carries
from ledger.splits.graph import check_party_exists, check_payees
from ledger.splits.parties import Party, PartyKind
from ledger.splits.records import SplitConfig, SplitLedger, SplitTerms, Tranche, check_tranches
from ledger.splits.store import (
    find_config,
    get_config,
    get_ledger,
    index_parties,
    put_config,
    put_ledger,
)
from ledger.state.context import BlockContext
from ledger.state.events import Event
from ledger.state.view import StateView

OWNER_KINDS = (PartyKind.ACCOUNT, PartyKind.COLLECTIVE)


class OwnerAction(IntEnum):
    KEEP = 0
    PROPOSE = 1  # name a pending owner, who must accept
    CANCEL = 2  # withdraw the pending transfer
    RENOUNCE = 3  # drop the owner: the split becomes immutable forever


@dataclass(frozen=True, slots=True)
class SplitChange:
    """What an update asks for: new terms (None: unchanged) and an owner action, against the
    split's current `version`."""

    version: int
    terms: SplitTerms | None
    action: OwnerAction = OwnerAction.KEEP
    new_owner: Party | None = None


def check_owner_shape(owner: Party | None) -> None:
    if owner is None:
        return
    if owner.kind not in OWNER_KINDS:
        raise TxError(ErrorCode.SPLIT_BAD_OWNER, "an owner is an account or a collective")
    problem = owner.shape_error()
    if problem:
        raise TxError(ErrorCode.SPLIT_BAD_OWNER, problem)


def check_owner_action(action: OwnerAction, new_owner: Party | None) -> None:
    if (action is OwnerAction.PROPOSE) != (new_owner is not None):
        raise TxError(ErrorCode.SPLIT_BAD_OWNER, "a new owner is named exactly when proposed")
    check_owner_shape(new_owner)


def check_create(
    view: StateView,
    split_id: bytes,
    owner: Party | None,
    terms: SplitTerms,
    tranches: tuple[Tranche, ...],
) -> None:
    terms.check()
    check_tranches(tranches)
    check_owner_shape(owner)
    if find_config(view, split_id) is not None:
        raise TxError(ErrorCode.ALREADY_EXISTS, f"split {split_id.hex()} exists")
    if owner is not None:
        check_party_exists(view, owner)
    config = SplitConfig(owner, None, terms, tranches, 0, 0)
    check_payees(view, split_id, config.parties())


def create_split(
    view: StateView,
    ctx: BlockContext,
    split_id: bytes,
    *,
    owner: Party | None,
    terms: SplitTerms,
    tranches: tuple[Tranche, ...] = (),
) -> list[Event]:
    check_create(view, split_id, owner, terms, tranches)
    config = SplitConfig(owner, None, terms, tranches, 0, ctx.height)
    put_config(view, split_id, config)
    ledger = SplitLedger(0, zero_carries(len(terms.shares)), (0,) * len(tranches))
    put_ledger(view, split_id, ledger)
    index_parties(view, split_id, config, present=True)
    return [
        Event.of(
            "split_created",
            split=split_id,
            owner=b"" if owner is None else owner.id,
            recipients=len(terms.recipients),
            tranches=len(tranches),
            total=terms.total,
            fee_ppm=terms.fee_ppm,
            mode=int(terms.mode),
        )
    ]


def check_update(
    view: StateView,
    ctx: BlockContext,
    split_id: bytes,
    change: SplitChange,
    *,
    authority: Party,
    consenting: frozenset[Party] = frozenset(),
) -> SplitConfig:
    """The current config if `authority` may make `change` now; raises otherwise.

    `consenting` names the parties that agreed to the new terms (signers of the tx's consents,
    or, for a proposal, the collectives that approved it); the authority always consents.
    """
    version, terms, action, new_owner = (
        change.version,
        change.terms,
        change.action,
        change.new_owner,
    )
    check_owner_action(action, new_owner)
    config = get_config(view, split_id)
    if config.owner is None:
        raise TxError(ErrorCode.SPLIT_IMMUTABLE, "the split has no owner and never changes")
    if authority != config.owner:
        raise TxError(ErrorCode.UNAUTHORIZED, "only the split's owner may update it")
    if version != config.version:
        raise TxError(
            ErrorCode.SPLIT_STALE_VERSION,
            f"update is for version {version}; the split is at {config.version}",
        )
    if terms is not None:
        terms.check()
        if ctx.time_ms < config.terms.locked_until_ms:
            raise TxError(
                ErrorCode.SPLIT_LOCKED, f"terms locked until {config.terms.locked_until_ms} ms"
            )
        check_payees(
            view, split_id, SplitConfig(None, None, terms, config.tranches, 0, 0).parties()
        )
        missing = missing_consents(view, harmed_parties(config, terms), consenting | {authority})
        if missing:
            raise TxError(
                ErrorCode.SPLIT_CONSENT_MISSING,
                "lowered without consent: " + ", ".join(p.id.hex() for p in missing),
            )
    if action is OwnerAction.PROPOSE and new_owner is not None:
        check_party_exists(view, new_owner)
    if action is OwnerAction.CANCEL and config.pending_owner is None:
        raise TxError(ErrorCode.SPLIT_NO_PENDING_OWNER, "no owner transfer is pending")
    return config


def update_split(
    view: StateView,
    ctx: BlockContext,
    split_id: bytes,
    change: SplitChange,
    *,
    authority: Party,
    consenting: frozenset[Party] = frozenset(),
) -> list[Event]:
    config = check_update(view, ctx, split_id, change, authority=authority, consenting=consenting)
    terms, action = change.terms, change.action
    new_terms = config.terms if terms is None else terms
    owner, pending = config.owner, config.pending_owner
    if action is OwnerAction.PROPOSE:
        pending = change.new_owner
    elif action is OwnerAction.CANCEL:
        pending = None
    elif action is OwnerAction.RENOUNCE:
        owner, pending = None, None
    updated = SplitConfig(
        owner, pending, new_terms, config.tranches, config.version + 1, config.created_height
    )
    _replace(view, split_id, config, updated)
    if (new_terms.recipients, new_terms.shares) != (config.terms.recipients, config.terms.shares):
        ledger = get_ledger(view, split_id)
        fresh = SplitLedger(
            ledger.balance,
            zero_carries(len(new_terms.shares)),
            ledger.tranche_filled,
            ledger.next_seq,
        )
        put_ledger(view, split_id, fresh)
    return [
        Event.of(
            "split_updated",
            split=split_id,
            version=updated.version,
            terms_changed=int(terms is not None),
            owner_action=int(action),
            pending_owner=b"" if pending is None else pending.id,
        )
    ]


def accept_ownership(
    view: StateView, ctx: BlockContext, split_id: bytes, authority: Party
) -> list[Event]:
    config = check_accept(view, split_id, authority)
    updated = SplitConfig(
        authority, None, config.terms, config.tranches, config.version + 1, config.created_height
    )
    _replace(view, split_id, config, updated)
    return [
        Event.of(
            "split_owner_changed",
            split=split_id,
            version=updated.version,
            owner_kind=int(authority.kind),
            owner=authority.id,
        )
    ]


def check_accept(view: StateView, split_id: bytes, authority: Party) -> SplitConfig:
    config = get_config(view, split_id)
    if config.pending_owner is None:
        raise TxError(ErrorCode.SPLIT_NO_PENDING_OWNER, "no owner transfer is pending")
    if authority != config.pending_owner:
        raise TxError(ErrorCode.UNAUTHORIZED, "only the proposed owner may accept")
    return config


def _replace(view: StateView, split_id: bytes, old: SplitConfig, new: SplitConfig) -> None:
    index_parties(view, split_id, old, present=False)
    put_config(view, split_id, new)
    index_parties(view, split_id, new, present=True)
