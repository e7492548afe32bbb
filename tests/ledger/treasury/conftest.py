"""A funded collective and the helpers that take proposals through to execution, shared by the
treasury, streams, holders, allocation, multisig-queue and moderation tests."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pytest

from ledger.collectives.ids import NATIVE
from ledger.collectives.model import ClassKind, TokenClass
from ledger.collectives.params import DAY
from ledger.collectives.treasury_deposit import TreasuryDeposit
from ledger.governance.actions import Action
from ledger.governance.ballots import Ballot
from ledger.governance.kinds import VotingMethod
from ledger.governance.policy import Policy
from ledger.governance.proposal import Proposal, require_proposal
from ledger.governance.proposal_txs import ProposalSubmit
from ledger.governance.vote_txs import Vote
from ledger.keys import PrivateKey
from ledger.splits.parties import Party
from ledger.splits.records import SplitTerms
from ledger.state.accounts import get_account
from ledger.state.events import Event
from tests.ledger.conftest import ALICE, BOB, CAROL, ERIN, YES, Chain, proposal_id

CLASSES = (
    TokenClass("shares", ClassKind.SHARES),
    TokenClass("loot", ClassKind.LOOT, transferable=True, members_only=False),
    TokenClass("badge", ClassKind.BADGE),
)
FUNDS = 100_000


@dataclass
class Coop:
    """A collective of Alice (10 shares), Bob (10) and Carol (5) with `FUNDS` in its treasury."""

    chain: Chain
    cid: bytes


def make_coop(chain: Chain, policies: tuple[tuple[int, Policy], ...] = ()) -> Coop:
    cid = chain.create_collective(
        ALICE,
        [(ALICE, (10, 4, 1)), (BOB, (10, 0, 1)), (CAROL, (5, 2, 1))],
        classes=CLASSES,
        policies=policies,
        name="Pixel Collective",
    )
    chain.send(ERIN, TreasuryDeposit(cid, NATIVE, FUNDS, "seed money"))
    chain.next_block()
    return Coop(chain, cid)


@pytest.fixture
def coop(chain: Chain) -> Coop:
    return make_coop(chain)


def submit(
    coop: Coop,
    actions: Sequence[Action],
    *,
    proposer: PrivateKey = ALICE,
    method: VotingMethod = VotingMethod.BINARY,
    choices: tuple[str, ...] = (),
) -> int:
    receipt = coop.chain.send(
        proposer, ProposalSubmit(coop.cid, tuple(actions), method, choices, False, "")
    )
    return proposal_id(receipt)


def vote(coop: Coop, pid: int, voters: Sequence[PrivateKey], ballot: Ballot = YES) -> None:
    for voter in voters:
        coop.chain.send(voter, Vote(pid, ballot))


def settle(coop: Coop, pid: int, max_days: int = 30) -> list[Event]:
    """Advance a day at a time until the proposal is final; returns every block event seen."""
    events: list[Event] = []
    for _ in range(max_days):
        if require_proposal(coop.chain.view, pid).status.is_final:
            return events
        events += coop.chain.next_block(DAY)
    raise AssertionError(f"proposal {pid} is not final after {max_days} days")


def enact(
    coop: Coop, actions: Sequence[Action], voters: Sequence[PrivateKey] = (ALICE, BOB)
) -> tuple[int, list[Event]]:
    """Submit, vote yes, and wait until the proposal is final (executed if the votes carry it)."""
    pid = submit(coop, actions)
    vote(coop, pid, voters)
    return pid, settle(coop, pid)


def proposal(coop: Coop, pid: int) -> Proposal:
    return require_proposal(coop.chain.view, pid)


def kinds(events: Sequence[Event]) -> list[str]:
    return [e.kind for e in events]


def terms(holders: Sequence[tuple[PrivateKey | Party, int]], **options: object) -> SplitTerms:
    """Split terms for (key or party, share) pairs in any order, sorted as the rules require."""
    pairs = sorted(
        (h if isinstance(h, Party) else Party.account(h.address), share) for h, share in holders
    )
    return SplitTerms(
        tuple(p for p, _ in pairs),
        tuple(s for _, s in pairs),
        sum(s for _, s in pairs),
        **options,  # type: ignore[arg-type]
    )


def balance(chain: Chain, key: PrivateKey) -> int:
    return get_account(chain.view, key.address).balance
