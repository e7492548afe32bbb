"""Splits owned by a collective: created, changed and taken over only by proposal."""

from __future__ import annotations

from ledger.errors import ErrorCode
from ledger.governance.actions_splits import (
    CollectiveSplitAccept,
    CollectiveSplitCreate,
    CollectiveSplitUpdate,
    collective_party,
    collective_split_id,
)
from ledger.governance.ballots import Ballot
from ledger.governance.kinds import BinaryOption
from ledger.governance.proposal import Status
from ledger.governance.proposal_txs import ProposalSubmit
from ledger.splits.admin import OwnerAction
from ledger.splits.consent import sign_consent
from ledger.splits.parties import Party
from ledger.splits.payloads import SplitCreate, SplitPay, SplitUpdate
from ledger.splits.store import get_config, split_id_for, splits_owned_by
from tests.ledger.conftest import ALICE, BOB, CAROL, DAVE, ERIN
from tests.ledger.treasury.conftest import (
    Coop,
    balance,
    enact,
    kinds,
    proposal,
    settle,
    submit,
    terms,
    vote,
)

SHARES = terms([(ALICE, 1), (BOB, 1), (CAROL, 1)])


def create(coop: Coop) -> bytes:
    pid, events = enact(coop, [CollectiveSplitCreate(SHARES)])
    assert proposal(coop, pid).status is Status.EXECUTED, events
    split_id = collective_split_id(coop.cid, pid, SHARES, ())
    assert get_config(coop.chain.view, split_id).owner == collective_party(coop.cid)
    return split_id


def test_a_collective_creates_a_split_it_owns_by_proposal(coop: Coop) -> None:
    split_id = create(coop)
    assert splits_owned_by(coop.chain.view, collective_party(coop.cid)) == [split_id]
    before = balance(coop.chain, CAROL)
    coop.chain.send(ERIN, SplitPay(split_id, 300))
    assert balance(coop.chain, CAROL) - before == 100


def test_no_account_can_change_it_directly(coop: Coop) -> None:
    split_id = create(coop)
    update = SplitUpdate(split_id, 0, terms([(ALICE, 1)]))
    for key in (ALICE, BOB, DAVE):
        assert coop.chain.reject(key, update) is ErrorCode.UNAUTHORIZED


def test_a_cut_needs_the_harmed_members_yes_or_signature(coop: Coop) -> None:
    chain = coop.chain
    split_id = create(coop)
    fewer = terms([(ALICE, 2), (BOB, 1), (CAROL, 1)])  # Bob and Carol lose
    pid, events = enact(coop, [CollectiveSplitUpdate(split_id, 0, fewer)])  # Alice, Bob vote
    failed = [e for e in events if e.kind == "proposal_execution_failed"]
    assert failed and failed[0].get("code") == ErrorCode.SPLIT_CONSENT_MISSING
    assert proposal(coop, pid).status is Status.EXPIRED
    assert get_config(chain.view, split_id).version == 0
    consent = sign_consent(CAROL, chain.genesis.chain_id, split_id, 0, fewer)
    action = CollectiveSplitUpdate(split_id, 0, fewer, consents=(consent,))
    pid, events = enact(coop, [action])
    assert proposal(coop, pid).status is Status.EXECUTED, events
    assert get_config(chain.view, split_id).terms == fewer
    back = terms([(ALICE, 1), (BOB, 1), (CAROL, 1)])  # Alice loses; her yes vote consents
    pid, _ = enact(coop, [CollectiveSplitUpdate(split_id, 1, back)])
    assert proposal(coop, pid).status is Status.EXECUTED


def test_a_stale_version_or_a_bad_consent_is_refused(coop: Coop) -> None:
    chain = coop.chain
    split_id = create(coop)
    more = terms([(ALICE, 1), (BOB, 1), (CAROL, 1), (DAVE, 1)])
    wrong = sign_consent(CAROL, "another-chain", split_id, 0, more)
    bad = ProposalSubmit(coop.cid, (CollectiveSplitUpdate(split_id, 0, more, consents=(wrong,)),))
    assert chain.reject(ALICE, bad) is ErrorCode.SPLIT_CONSENT_INVALID
    pid = submit(coop, [CollectiveSplitUpdate(split_id, 5, more)])
    vote(coop, pid, [ALICE, BOB, CAROL])
    events = settle(coop, pid)
    failed = [e for e in events if e.kind == "proposal_execution_failed"]
    assert failed and failed[0].get("code") == ErrorCode.SPLIT_STALE_VERSION
    not_ours = split_id_for(DAVE.address, chain.nonces.get(DAVE.public_key, 0))
    chain.send(DAVE, SplitCreate(Party.account(DAVE.address), terms([(DAVE, 1)])))
    foreign = ProposalSubmit(coop.cid, (CollectiveSplitUpdate(not_ours, 0, more),))
    assert chain.reject(ALICE, foreign) is ErrorCode.UNAUTHORIZED


def test_a_collective_takes_over_a_split_offered_to_it(coop: Coop) -> None:
    chain = coop.chain
    split_id = split_id_for(DAVE.address, chain.nonces.get(DAVE.public_key, 0))
    chain.send(DAVE, SplitCreate(Party.account(DAVE.address), terms([(DAVE, 1), (ERIN, 1)])))
    accept = ProposalSubmit(coop.cid, (CollectiveSplitAccept(split_id),))
    assert chain.reject(ALICE, accept) is ErrorCode.SPLIT_NO_PENDING_OWNER
    chain.send(
        DAVE, SplitUpdate(split_id, 0, None, OwnerAction.PROPOSE, collective_party(coop.cid))
    )
    pid, events = enact(coop, [CollectiveSplitAccept(split_id)])
    assert "split_owner_changed" in kinds(events)
    assert get_config(chain.view, split_id).owner == collective_party(coop.cid)
    assert proposal(coop, pid).status is Status.EXECUTED


def test_a_mostly_no_ballot_is_no_consent_to_a_cut(coop: Coop) -> None:
    """Consent by ballot needs more than half of the voter's own ballot on yes."""
    chain = coop.chain
    split_id = create(coop)
    cut = terms([(ALICE, 2), (BOB, 2), (CAROL, 1)])  # Carol 1/3 -> 1/5
    pid = submit(coop, [CollectiveSplitUpdate(split_id, 0, cut)])
    vote(coop, pid, [ALICE, BOB])
    grudging = Ballot((BinaryOption.YES, BinaryOption.NO), (1, 999_999))
    vote(coop, pid, [CAROL], grudging)
    events = settle(coop, pid)
    failed = [e for e in events if e.kind == "proposal_execution_failed"]
    assert failed and failed[0].get("code") == ErrorCode.SPLIT_CONSENT_MISSING
    assert get_config(chain.view, split_id).version == 0
    pid = submit(coop, [CollectiveSplitUpdate(split_id, 0, cut)])
    vote(coop, pid, [ALICE, BOB])
    vote(coop, pid, [CAROL], Ballot((BinaryOption.YES, BinaryOption.NO), (500_001, 499_999)))
    settle(coop, pid)
    assert get_config(chain.view, split_id).terms == cut
