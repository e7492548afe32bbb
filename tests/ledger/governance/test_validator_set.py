"""Validator-set changes by the governing body, and removal proposals after equivocation."""

from __future__ import annotations

import pytest

from ledger.block import DuplicateVoteEvidence, Vote, VoteType
from ledger.collectives.holdings import holding
from ledger.collectives.ids import NATIVE, VALIDATORS_BODY_ID, genesis_collective_id
from ledger.collectives.membership import MembershipApply
from ledger.collectives.store import get_member
from ledger.errors import ErrorCode
from ledger.genesis import GenesisCollective
from ledger.governance.core_actions import TreasurySpend
from ledger.governance.proposal import Status, proposals_of, require_proposal
from ledger.governance.proposal_txs import ProposalSubmit
from ledger.governance.validator_set import ValidatorUpdate
from ledger.governance.vote_txs import Vote as CastVote
from ledger.keys import PrivateKey
from ledger.state import keys as skeys
from ledger.state.records import ValidatorRecord
from ledger.state.validators import active_validators, node_keys
from tests.ledger.conftest import ALICE, BOB, VALIDATOR_KEYS, YES, Chain, make_genesis, proposal_id

NEWCOMER = PrivateKey.from_secret(b"newcomer")
V0, V1, V2, V3 = VALIDATOR_KEYS


def signers(chain: Chain) -> set[bytes]:
    return {a.raw for a, _ in active_validators(chain.view)}


def test_validators_vote_in_a_validator_who_signs_from_the_derived_height(chain: Chain) -> None:
    add = ProposalSubmit(VALIDATORS_BODY_ID, (ValidatorUpdate(NEWCOMER.public_key, 10, "new"),))
    pid = proposal_id(chain.send(V0, add))
    chain.send(V0, CastVote(pid, YES))
    chain.send(V1, CastVote(pid, YES))
    assert require_proposal(chain.view, pid).status is Status.VOTING  # 20 of 40: not yet 2/3
    decided_at = chain.height
    receipt = chain.send(V2, CastVote(pid, YES))  # 30 of 40: decided, executed at once
    scheduled = [e for e in receipt.events if e.kind == "validator_update_scheduled"]
    assert scheduled[0].get("activation") == decided_at + 2
    assert require_proposal(chain.view, pid).status is Status.EXECUTED
    chain.next_block()  # block H + 1 is still signed by the old set
    assert NEWCOMER.address.raw not in signers(chain)
    chain.next_block()  # from H + 2 the newcomer signs
    assert chain.height == decided_at + 2
    assert NEWCOMER.address.raw in signers(chain)
    assert holding(chain.view, VALIDATORS_BODY_ID, 0, NEWCOMER.address) == 10  # and votes


def test_a_replacement_is_one_atomic_proposal(chain: Chain) -> None:
    swap = ProposalSubmit(
        VALIDATORS_BODY_ID,
        (ValidatorUpdate(V3.public_key, 0), ValidatorUpdate(NEWCOMER.public_key, 10, "new")),
    )
    pid = proposal_id(chain.send(V0, swap))
    for key in (V0, V1, V2):
        chain.send(key, CastVote(pid, YES))
    chain.next_block()
    chain.next_block()
    assert signers(chain) == {k.address.raw for k in (V0, V1, V2, NEWCOMER)}
    assert get_member(chain.view, VALIDATORS_BODY_ID, V3.address) is None


def test_only_the_governing_body_changes_validators_and_it_decides_nothing_else(
    chain: Chain,
) -> None:
    cid = chain.create_collective(ALICE, [(ALICE, (1, 0))])
    add = ProposalSubmit(cid, (ValidatorUpdate(NEWCOMER.public_key, 10),))
    assert chain.reject(ALICE, add) is ErrorCode.UNAUTHORIZED
    spend = ProposalSubmit(VALIDATORS_BODY_ID, (TreasurySpend(NATIVE, V0.address, 1),))
    assert chain.reject(V0, spend) is ErrorCode.UNAUTHORIZED
    apply = MembershipApply(VALIDATORS_BODY_ID, ((0, 1),), NATIVE, 0, "")
    assert chain.reject(ALICE, apply) is ErrorCode.ADMISSION_CLOSED


def double_vote(chain: Chain, key: PrivateKey, height: int) -> DuplicateVoteEvidence:
    def vote(block_hash: bytes) -> Vote:
        sign_bytes = Vote.sign_bytes_for(
            chain.genesis_hash, VoteType.PREVOTE, height, 0, block_hash
        )
        return Vote(VoteType.PREVOTE, height, 0, block_hash, key.address, key.sign(sign_bytes))

    a, b = vote(b"\x01" * 32), vote(b"\x02" * 32)
    return DuplicateVoteEvidence(*sorted((a, b), key=lambda v: v.block_hash))


def test_equivocation_opens_a_removal_vote_once(chain: Chain) -> None:
    chain.next_block()
    chain.next_block(evidence=[double_vote(chain, V3, 1)])
    chain.next_block()  # the end of the block with the evidence opened the case
    (pid,) = proposals_of(chain.view, VALIDATORS_BODY_ID)
    removal = require_proposal(chain.view, pid)
    assert removal.status is Status.VOTING
    assert removal.actions == (ValidatorUpdate(V3.public_key, 0, "v3"),)
    chain.next_block(evidence=[double_vote(chain, V3, 2)])
    chain.next_block()
    assert proposals_of(chain.view, VALIDATORS_BODY_ID) == [pid]  # one case per offender
    for key in (V0, V1, V2):
        chain.send(key, CastVote(pid, YES))
    chain.next_block()
    chain.next_block()
    assert V3.address.raw not in signers(chain)


def test_a_named_collective_can_govern_the_validator_set() -> None:
    guild = GenesisCollective("Stewards", "", ((ALICE.address, 3, 0), (BOB.address, 1, 0)))
    cid = genesis_collective_id(0)
    chain = Chain(make_genesis([guild], governing_body=cid.hex()))
    chain.next_block()
    add = ProposalSubmit(cid, (ValidatorUpdate(NEWCOMER.public_key, 10, "new"),))
    pid = proposal_id(chain.send(ALICE, add))
    chain.send(ALICE, CastVote(pid, YES))
    assert require_proposal(chain.view, pid).status is Status.EXECUTED
    chain.next_block()
    chain.next_block()
    assert NEWCOMER.address.raw in signers(chain)


def test_a_validator_does_not_vote_on_its_own_removal(chain: Chain) -> None:
    remove = ProposalSubmit(VALIDATORS_BODY_ID, (ValidatorUpdate(V3.public_key, 0),))
    pid = proposal_id(chain.send(V0, remove))
    assert require_proposal(chain.view, pid).total_power == 30
    assert chain.reject(V3, CastVote(pid, YES)) is ErrorCode.UNAUTHORIZED


NEWCOMER_NODE = PrivateKey.from_secret(b"newcomer-node").public_key
ADD_NEWCOMER = ValidatorUpdate(NEWCOMER.public_key, 10, "new", NEWCOMER_NODE)


def record_of(chain: Chain, key: PrivateKey) -> ValidatorRecord:
    data = chain.view.get(skeys.validator(key.address.raw))
    assert data is not None
    return ValidatorRecord.decode(data)


def decide(chain: Chain, update: ValidatorUpdate, voters: tuple[PrivateKey, ...]) -> int:
    """Submit a one-action validator proposal and vote it through (executes at once)."""
    pid = proposal_id(chain.send(V0, ProposalSubmit(VALIDATORS_BODY_ID, (update,))))
    for key in voters:
        chain.send(key, CastVote(pid, YES))
    assert require_proposal(chain.view, pid).status is Status.EXECUTED
    return pid


def activate(chain: Chain) -> None:
    chain.next_block()
    chain.next_block()


def test_a_voted_in_validator_brings_its_node_key_which_nodes_allow_before_it_signs(
    chain: Chain,
) -> None:
    pid = decide(chain, ADD_NEWCOMER, (V0, V1, V2))
    assert require_proposal(chain.view, pid).actions == (ADD_NEWCOMER,)  # kept the node key
    assert NEWCOMER_NODE in node_keys(chain.view)  # scheduled: may connect before it signs
    assert NEWCOMER.address.raw not in signers(chain)
    activate(chain)
    assert record_of(chain, NEWCOMER).node_key == NEWCOMER_NODE
    assert NEWCOMER_NODE in node_keys(chain.view)


def test_a_power_change_keeps_the_node_key_and_a_removal_drops_it(chain: Chain) -> None:
    decide(chain, ADD_NEWCOMER, (V0, V1, V2))
    activate(chain)
    change = ValidatorUpdate(NEWCOMER.public_key, 20, "new")  # no node key: keep the one on record
    decide(chain, change, (V0, V1, V2, NEWCOMER))
    activate(chain)
    expected = ValidatorRecord(NEWCOMER.public_key, 20, "new", NEWCOMER_NODE)
    assert record_of(chain, NEWCOMER) == expected
    decide(chain, ValidatorUpdate(NEWCOMER.public_key, 0), (V0, V1, V2))
    assert NEWCOMER_NODE in node_keys(chain.view)  # still a validator until the removal activates
    activate(chain)
    assert NEWCOMER.address.raw not in signers(chain)
    assert NEWCOMER_NODE not in node_keys(chain.view)


def test_a_new_node_key_replaces_the_old_one_when_the_change_activates(chain: Chain) -> None:
    decide(chain, ADD_NEWCOMER, (V0, V1, V2))
    activate(chain)
    rotated = bytes([7]) * 32
    decide(chain, ValidatorUpdate(NEWCOMER.public_key, 10, "new", rotated), (V0, V1, V2, NEWCOMER))
    assert {NEWCOMER_NODE, rotated} <= node_keys(chain.view)  # both until the change activates
    activate(chain)
    assert rotated in node_keys(chain.view) and NEWCOMER_NODE not in node_keys(chain.view)


@pytest.mark.parametrize(
    "update",
    [
        ValidatorUpdate(NEWCOMER.public_key, 10, "new", b"short"),
        ValidatorUpdate(V3.public_key, 0, "", NEWCOMER_NODE),  # a removal carries no node key
    ],
)
def test_a_bad_node_key_in_an_update_is_refused(chain: Chain, update: ValidatorUpdate) -> None:
    submit = ProposalSubmit(VALIDATORS_BODY_ID, (update,))
    assert chain.reject(V0, submit) is ErrorCode.INVALID_ACTION
