"""The multisig queue: m-of-n proposals execute strictly in position order, and a rejection at
the same position consumes it (Safe's nonce queue)."""

from __future__ import annotations

import pytest

from ledger.collectives.ids import NATIVE
from ledger.errors import ErrorCode, TxError
from ledger.governance.core_actions import TreasurySpend
from ledger.governance.kinds import DecisionMethod, ProposalKind
from ledger.governance.lifecycle import execute
from ledger.governance.multisig_queue import (
    MultisigReject,
    at_position,
    head,
    position,
    queue_of,
    rejection_of,
)
from ledger.governance.policy import Policy
from ledger.governance.process_txs import MultisigApprove
from ledger.governance.proposal import Status
from ledger.keys import PrivateKey
from tests.ledger.conftest import ALICE, BOB, CAROL, DAVE, ERIN, YES, Chain
from tests.ledger.treasury.conftest import Coop, balance, kinds, make_coop, proposal, submit, vote

SIGNERS = tuple(sorted((ALICE.address, BOB.address, CAROL.address), key=lambda a: a.raw))
MULTISIG = Policy(
    method=DecisionMethod.MULTISIG,
    signers=SIGNERS,
    required_approvals=2,
    grace_period_ms=0,
    expedited_period_ms=0,
)


@pytest.fixture
def safe(chain: Chain) -> Coop:
    """A collective whose spends need 2 of Alice, Bob and Carol."""
    return make_coop(chain, policies=((ProposalKind.SPEND, MULTISIG),))


def spend(safe: Coop, proposer: PrivateKey, amount: int) -> int:
    return submit(safe, [TreasurySpend(NATIVE, ERIN.address, amount)], proposer=proposer)


def approve(safe: Coop, pid: int, *signers: PrivateKey) -> list[str]:
    events = []
    for signer in signers:
        events += kinds(safe.chain.send(signer, MultisigApprove(pid)).events)
    return events


def test_positions_are_taken_in_order_and_only_the_head_executes(safe: Coop) -> None:
    chain = safe.chain
    first, second, third = spend(safe, ALICE, 1), spend(safe, BOB, 10), spend(safe, CAROL, 100)
    assert [position(chain.view, p) for p in (first, second, third)] == [0, 1, 2]
    assert queue_of(chain.view, safe.cid) == [(0, first), (1, second), (2, third)]
    before = balance(chain, ERIN)
    assert "proposal_waiting" in approve(safe, second, ALICE, BOB)
    assert proposal(safe, second).status is Status.GRACE
    assert balance(chain, ERIN) == before
    approve(safe, first, ALICE, CAROL)  # the head executes at once ...
    assert proposal(safe, first).status is Status.EXECUTED
    assert head(chain.view, safe.cid) == 1
    chain.next_block()  # ... and the one waiting behind it in the same block's end
    assert proposal(safe, second).status is Status.EXECUTED
    assert balance(chain, ERIN) == before + 11
    assert head(chain.view, safe.cid) == 2 and at_position(chain.view, safe.cid, 2) == [third]


def test_a_rejection_at_the_same_position_consumes_it(safe: Coop) -> None:
    chain = safe.chain
    first, second = spend(safe, ALICE, 1), spend(safe, BOB, 10)
    approve(safe, second, ALICE, BOB)  # waits behind the first
    receipt = chain.send(CAROL, MultisigReject(first))
    assert "rejection_opened" in kinds(receipt.events)
    rejection = rejection_of(chain.view, first)
    assert rejection is not None and position(chain.view, rejection) == 0
    assert chain.reject(CAROL, MultisigReject(first)) is ErrorCode.ALREADY_VOTED
    events = kinds(chain.send(BOB, MultisigReject(first)).events)
    assert "proposal_superseded" in events
    assert proposal(safe, first).status is Status.REJECTED
    assert proposal(safe, rejection).status is Status.EXECUTED
    assert head(chain.view, safe.cid) == 1
    before = balance(chain, ERIN)
    chain.next_block()
    assert proposal(safe, second).status is Status.EXECUTED
    assert balance(chain, ERIN) == before + 10


def test_whichever_is_decided_first_wins_the_position(safe: Coop) -> None:
    chain = safe.chain
    first = spend(safe, ALICE, 5)
    chain.send(CAROL, MultisigReject(first))
    rejection = rejection_of(chain.view, first)
    assert rejection is not None
    approve(safe, first, ALICE, CAROL)  # Carol signed both, as a Safe owner may
    assert proposal(safe, first).status is Status.EXECUTED
    assert proposal(safe, rejection).status is Status.REJECTED
    assert rejection_of(chain.view, first) is None


def test_a_position_whose_vote_lapses_frees_the_queue(safe: Coop) -> None:
    chain = safe.chain
    first, second = spend(safe, ALICE, 1), spend(safe, BOB, 10)
    approve(safe, second, ALICE, BOB)
    approve(safe, first, ALICE)  # one approval only: the first lapses at its end
    for _ in range(4):
        chain.next_block(24 * 3600 * 1000)
    assert proposal(safe, first).status is Status.REJECTED
    assert proposal(safe, second).status is Status.EXECUTED
    assert queue_of(chain.view, safe.cid) == []


def test_rejections_are_refused_where_they_make_no_sense(safe: Coop) -> None:
    chain = safe.chain
    first = spend(safe, ALICE, 1)
    assert chain.reject(DAVE, MultisigReject(first)) is ErrorCode.UNAUTHORIZED
    assert chain.reject(ALICE, MultisigReject(999)) is ErrorCode.NOT_FOUND
    chain.send(ALICE, MultisigReject(first))
    rejection = rejection_of(chain.view, first)
    assert rejection is not None
    assert chain.reject(BOB, MultisigReject(rejection)) is ErrorCode.INVALID_STATE
    approve(safe, first, BOB, CAROL)
    assert chain.reject(BOB, MultisigReject(first)) is ErrorCode.INVALID_STATE
    voted = submit(safe, [TreasurySpend(NATIVE, ERIN.address, 50_000)], proposer=BOB)
    assert proposal(safe, voted).kind == ProposalKind.SPEND_LARGE  # decided by votes
    vote(safe, voted, [ALICE], YES)
    assert chain.reject(ALICE, MultisigReject(voted)) is ErrorCode.INVALID_STATE


def test_execution_itself_refuses_a_proposal_out_of_turn_or_still_voting(safe: Coop) -> None:
    """`lifecycle.execute` is the last word, whatever scheduled it: a passed spend behind the
    head is QUEUE_OUT_OF_ORDER, a spend still collecting approvals is INVALID_STATE."""
    chain = safe.chain
    first, second = spend(safe, ALICE, 1), spend(safe, BOB, 10)
    approve(safe, second, ALICE, BOB)
    for pid, code in ((second, ErrorCode.QUEUE_OUT_OF_ORDER), (first, ErrorCode.INVALID_STATE)):
        with pytest.raises(TxError) as refused:
            execute(chain.view.child(), chain.ctx, pid, proposal(safe, pid))
        assert refused.value.code is code
