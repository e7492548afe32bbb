"""What the split machine (test_split_machine.py) checks: every final payee's expected share of
every split, recomputed from the split records independently of the consent rule, must not fall
without that payee's consent.

A payee's expected share of a split is the fraction of one unit paid into it that reaches the
payee, fee included: a direct payment pays no keeper fee in PUSH mode and the split's fee in
ACCRUE mode; a nested split is credited and later distributed by a keeper, so it always pays its
fee. Nested splits are followed through to the final payees (accounts and collectives).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from fractions import Fraction

from ledger.collectives.params import PPM
from ledger.governance.actions_splits import CollectiveSplitUpdate, collective_party
from ledger.governance.ballots import ballots
from ledger.governance.kinds import BinaryOption
from ledger.governance.proposal import require_proposal
from ledger.splits.parties import Party, PartyKind
from ledger.splits.records import SplitMode
from ledger.splits.store import find_config
from ledger.state.events import Event
from ledger.state.reader import StateReader

Shares = dict[bytes, dict[Party, Fraction]]  # split id -> final payee -> expected share


def expected_shares(view: StateReader, split_ids: Iterable[bytes]) -> Shares:
    memo: dict[bytes, dict[Party, Fraction]] = {}
    return {sid: _reach(view, sid, memo, direct=True) for sid in split_ids}


def _reach(
    view: StateReader, sid: bytes, memo: dict[bytes, dict[Party, Fraction]], *, direct: bool
) -> dict[Party, Fraction]:
    key = sid if direct else b"n" + sid
    if key in memo:
        return memo[key]
    config = find_config(view, sid)
    assert config is not None and not config.tranches, "the machine makes plain splits only"
    terms = config.terms
    fee = terms.fee_ppm if terms.mode is SplitMode.ACCRUE or not direct else 0
    keep = Fraction(PPM - fee, PPM)
    out: dict[Party, Fraction] = {}
    for party, share in zip(terms.recipients, terms.shares, strict=True):
        part = keep * Fraction(share, terms.total)
        if party.kind is PartyKind.SPLIT:
            for payee, nested in _reach(view, party.id, memo, direct=False).items():
                out[payee] = out.get(payee, Fraction(0)) + part * nested
        else:
            out[party] = out.get(party, Fraction(0)) + part
    memo[key] = out
    return out


def check_no_share_fell_without_consent(
    before: Shares, after: Shares, consenting: frozenset[Party], what: str
) -> None:
    for sid, was in before.items():
        now = after.get(sid, {})
        for payee, share in was.items():
            fell = now.get(payee, Fraction(0)) < share
            assert not fell or payee in consenting, (
                f"{what}: {payee!r}'s expected share of split {sid.hex()[:8]} fell from "
                f"{share} to {now.get(payee, 0)} without its consent (consenting: "
                f"{sorted(consenting)})"
            )


def majority_yes(view: StateReader, pid: int) -> frozenset[Party]:
    """Voters whose ballot is more than half yes (recomputed here, not the ledger's rule)."""
    out = set()
    for voter, ballot in ballots(view, pid):
        yes = sum(ppm for option, ppm in ballot.parts() if option == BinaryOption.YES)
        if yes * 2 > PPM:
            out.add(Party.account(voter))
    return frozenset(out)


def block_consents(
    view: StateReader, events: Sequence[Event], signers: dict[int, frozenset[Party]]
) -> frozenset[Party]:
    """Who consented to the split updates the block's executed proposals made: the collective
    itself, the consent signatures carried in the action, and the voters mostly for it."""
    out: set[Party] = set()
    for event in events:
        if event.kind != "proposal_executed":
            continue
        pid = int(event.get("proposal") or 0)
        p = require_proposal(view, pid)
        if any(isinstance(a, CollectiveSplitUpdate) for a in p.actions):
            out |= {collective_party(p.collective)} | signers.get(pid, frozenset())
            out |= majority_yes(view, pid)
    return frozenset(out)


class Moderation:
    """The machine's own model of what each content's moderation is (item 10): a moderator
    cannot act again on content while an appeal of an earlier act on it is open, and an appeal
    that wins restores what was in force before the act it reverses (RESTORE at first)."""

    def __init__(self) -> None:
        self.in_force: dict[bytes, int] = {}  # content -> action in force
        self.before: dict[int, tuple[bytes, int]] = {}  # appeal -> (content, action before)
        self.open: set[int] = set()

    def check(self, events: Sequence[Event]) -> None:
        for e in events:
            if e.kind == "moderated":
                content, action = e.get("content"), e.get("action")
                assert isinstance(content, bytes) and isinstance(action, int)
                open_on_it = [p for p in self.open if self.before[p][0] == content]
                assert not open_on_it, f"a moderator acted again while appeal {open_on_it} is open"
                appeal = int(e.get("appeal") or 0)
                self.before[appeal] = (content, self.in_force.get(content, 3))
                self.open.add(appeal)
                self.in_force[content] = action
            elif e.kind == "moderation_reversed":
                pid, action = int(e.get("proposal") or 0), e.get("action")
                content, was = self.before[pid]
                assert action == was, f"appeal {pid} reversed to {action}, {was} was in force"
                self.in_force[content] = int(action)
            elif e.kind == "proposal_finalized":
                self.open.discard(int(e.get("proposal") or 0))  # its reversal may follow


def created_splits(events: Sequence[Event]) -> list[bytes]:
    return [e.get("split") for e in events if e.kind == "split_created"]  # type: ignore[misc]
