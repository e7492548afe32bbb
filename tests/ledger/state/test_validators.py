"""Validator-set changes activate at a height derived from the chain; evidence is recorded once."""

from __future__ import annotations

import dataclasses

import pytest

from ledger import codec
from ledger.block import MAX_VALIDATORS, DuplicateVoteEvidence, Vote, VoteType
from ledger.codec import MalformedError
from ledger.errors import ErrorCode, TxError
from ledger.genesis import Genesis
from ledger.keys import PrivateKey
from ledger.state import keys as skeys
from ledger.state.context import BlockContext
from ledger.state.executor import Mode, execute_block
from ledger.state.reader import MemoryState
from ledger.state.records import ValidatorRecord
from ledger.state.validators import (
    BlockRuleError,
    active_validators,
    node_keys,
    schedule_update,
)
from ledger.state.view import StateView
from tests.ledger.state.conftest import VALIDATOR_KEYS

NEWCOMER = PrivateKey.from_secret(b"newcomer")


def context(genesis: Genesis, height: int, **extra: object) -> BlockContext:
    ctx = BlockContext(
        genesis.params, genesis.hash(), height, height * 1000, VALIDATOR_KEYS[0].address
    )
    return dataclasses.replace(ctx, **extra)  # type: ignore[arg-type]


def run_block(state: MemoryState, ctx: BlockContext) -> None:
    state.apply(execute_block(state, ctx, [], Mode.VALIDATE).changes)


def test_a_validator_added_at_h_signs_from_h_plus_2(genesis: Genesis, state: MemoryState) -> None:
    view = StateView(state)
    activation = schedule_update(
        view, context(genesis, 5), ValidatorRecord(NEWCOMER.public_key, 7, "new")
    )
    assert activation == 7
    state.apply(view.changes())
    run_block(state, context(genesis, 5))
    assert (
        len(active_validators(StateView(state))) == 4
    )  # not yet: block 6 is signed by the old set
    run_block(state, context(genesis, 6))
    addresses = [a for a, _ in active_validators(StateView(state))]
    assert NEWCOMER.address in addresses and len(addresses) == 5


def test_removal_needs_an_existing_validator_and_keeps_one(
    genesis: Genesis, state: MemoryState
) -> None:
    view = StateView(state)
    with pytest.raises(TxError):
        schedule_update(view, context(genesis, 1), ValidatorRecord(NEWCOMER.public_key, 0, ""))
    for key in VALIDATOR_KEYS:
        schedule_update(view, context(genesis, 1), ValidatorRecord(key.public_key, 0, ""))
    state.apply(view.changes())
    run_block(state, context(genesis, 2))
    assert len(active_validators(StateView(state))) == 1


def double_vote(key: PrivateKey, genesis: Genesis, height: int = 3) -> DuplicateVoteEvidence:
    def vote(block_hash: bytes) -> Vote:
        sign_bytes = Vote.sign_bytes_for(genesis.hash(), VoteType.PREVOTE, height, 0, block_hash)
        return Vote(VoteType.PREVOTE, height, 0, block_hash, key.address, key.sign(sign_bytes))

    return DuplicateVoteEvidence(vote(b"\x01" * 32), vote(b"\x02" * 32))


def test_equivocation_evidence_is_recorded_once(genesis: Genesis, state: MemoryState) -> None:
    evidence = double_vote(VALIDATOR_KEYS[2], genesis)
    result = execute_block(state, context(genesis, 4, evidence=(evidence,)), [], Mode.VALIDATE)
    kinds = [e.kind for e in result.block_events]
    assert kinds.count("evidence") == 1  # governance then opens a removal proposal
    state.apply(result.changes)
    with pytest.raises(BlockRuleError, match="already recorded"):
        execute_block(state, context(genesis, 5, evidence=(evidence,)), [], Mode.VALIDATE)


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (lambda g: double_vote(NEWCOMER, g), "not a validator at height 3"),
        (lambda g: double_vote(VALIDATOR_KEYS[0], g, height=9), "height"),
        (
            lambda g: DuplicateVoteEvidence(
                double_vote(VALIDATOR_KEYS[0], g).vote_a, double_vote(VALIDATOR_KEYS[0], g).vote_a
            ),
            "same block",
        ),
        (
            lambda g: DuplicateVoteEvidence(
                double_vote(VALIDATOR_KEYS[0], g).vote_a,
                dataclasses.replace(double_vote(VALIDATOR_KEYS[0], g).vote_b, signature=bytes(64)),
            ),
            "signature",
        ),
    ],
)
def test_bad_evidence_invalidates_the_block(
    genesis: Genesis, state: MemoryState, make: object, reason: str
) -> None:
    evidence = make(genesis)  # type: ignore[operator]
    with pytest.raises(BlockRuleError, match=reason):
        execute_block(state, context(genesis, 5, evidence=(evidence,)), [], Mode.VALIDATE)


def test_a_second_pair_for_the_same_offence_is_not_recorded_again(
    genesis: Genesis, state: MemoryState
) -> None:
    first = double_vote(VALIDATOR_KEYS[1], genesis)
    key = VALIDATOR_KEYS[1]
    sign_bytes = Vote.sign_bytes_for(genesis.hash(), VoteType.PREVOTE, 3, 0, b"\x03" * 32)
    third = Vote(VoteType.PREVOTE, 3, 0, b"\x03" * 32, key.address, key.sign(sign_bytes))
    state.apply(
        execute_block(state, context(genesis, 4, evidence=(first,)), [], Mode.VALIDATE).changes
    )
    again = DuplicateVoteEvidence(first.vote_a, third)
    with pytest.raises(BlockRuleError, match="already recorded"):
        execute_block(state, context(genesis, 5, evidence=(again,)), [], Mode.VALIDATE)


NODE_KEY = PrivateKey.from_secret(b"newcomer-node").public_key


def test_a_record_without_a_node_key_keeps_its_three_field_encoding() -> None:
    plain = ValidatorRecord(NEWCOMER.public_key, 7, "new")
    assert codec.decode(plain.encode()) == [NEWCOMER.public_key, 7, "new"]
    assert ValidatorRecord.decode(plain.encode()) == plain
    with_key = ValidatorRecord(NEWCOMER.public_key, 7, "new", NODE_KEY)
    assert codec.decode(with_key.encode()) == [NEWCOMER.public_key, 7, "new", NODE_KEY]
    assert ValidatorRecord.decode(with_key.encode()) == with_key


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ([NEWCOMER.public_key, 7, "new", b"short"], "node_key: expected 32 bytes"),
        ([NEWCOMER.public_key, 7, "new", None], "node_key: expected bytes"),
        ([NEWCOMER.public_key, 7, "new", NODE_KEY, 1], "expected 3 fields"),
        ([NEWCOMER.public_key, 7], "expected 3 fields"),
        ([NEWCOMER.public_key, 2**40 + 1, "new", NODE_KEY], "power"),
    ],
)
def test_a_malformed_record_is_refused(fields: list[object], reason: str) -> None:
    with pytest.raises(MalformedError, match=reason):
        ValidatorRecord.decode(codec.encode(fields))  # type: ignore[arg-type]


def test_node_keys_follow_the_active_set_and_the_scheduled_changes(
    genesis: Genesis, state: MemoryState
) -> None:
    assert node_keys(state) == frozenset()  # this genesis records no node keys
    view = StateView(state)
    record = ValidatorRecord(NEWCOMER.public_key, 7, "new", NODE_KEY)
    schedule_update(view, context(genesis, 5), record)
    state.apply(view.changes())
    assert node_keys(state) == {NODE_KEY}  # allowed from the decision on
    run_block(state, context(genesis, 5))
    run_block(state, context(genesis, 6))
    assert node_keys(state) == {NODE_KEY}
    view = StateView(state)
    schedule_update(view, context(genesis, 7), ValidatorRecord(NEWCOMER.public_key, 0, ""))
    state.apply(view.changes())
    assert node_keys(state) == {NODE_KEY}  # it still signs until the removal activates
    run_block(state, context(genesis, 7))
    run_block(state, context(genesis, 8))
    assert node_keys(state) == frozenset()


def write_scheduled(view: StateView, activation: int, keys: list[PrivateKey]) -> None:
    for key in keys:
        record = ValidatorRecord(key.public_key, 1, "")
        view.put(skeys.validator_update(activation, key.address.raw), record.encode())


def test_governance_cannot_schedule_a_set_larger_than_consensus_accepts(
    genesis: Genesis, state: MemoryState
) -> None:
    """Regression (issue 18): the ledger let the active set grow past MAX_VALIDATORS; consensus
    then refused the set in propose and valid(v), and every node stopped at the same height."""
    view = StateView(state)
    room = MAX_VALIDATORS - len(active_validators(view))
    ctx = context(genesis, 1)
    keys = [PrivateKey.from_secret(b"crowd-%d" % i) for i in range(room + 1)]
    write_scheduled(view, 3, keys[: room - 1])  # as earlier proposals would have
    schedule_update(view, ctx, ValidatorRecord(keys[room - 1].public_key, 1, ""))
    with pytest.raises(TxError) as refused:
        schedule_update(view, ctx, ValidatorRecord(keys[room].public_key, 1, ""))
    assert refused.value.code == ErrorCode.LIMIT_REACHED
    # a removal scheduled first makes room again
    schedule_update(view, ctx, ValidatorRecord(VALIDATOR_KEYS[1].public_key, 0, ""))
    schedule_update(view, ctx, ValidatorRecord(keys[room].public_key, 1, ""))
    state.apply(view.changes())
    run_block(state, context(genesis, 2))
    assert len(active_validators(StateView(state))) == MAX_VALIDATORS


def test_an_over_cap_update_already_scheduled_is_refused_when_it_would_activate(
    genesis: Genesis, state: MemoryState
) -> None:
    """A chain that scheduled updates before the cap was checked: activation refuses the one
    that would break the cap instead of handing consensus a set it cannot use."""
    view = StateView(state)
    room = MAX_VALIDATORS - len(active_validators(view))
    crowd = [PrivateKey.from_secret(b"crowd-%d" % i) for i in range(room + 1)]
    write_scheduled(view, 3, crowd)  # as a ledger without the check would have
    state.apply(view.changes())
    result = execute_block(state, context(genesis, 2), [], Mode.VALIDATE)
    state.apply(result.changes)
    assert len(active_validators(StateView(state))) == MAX_VALIDATORS
    assert [e.kind for e in result.block_events].count("validator_update_refused") == 1


def test_a_validator_that_double_signs_then_leaves_is_still_convicted(
    genesis: Genesis, state: MemoryState
) -> None:
    """Regression (issue 18): evidence was judged against today's set, so leaving the set
    right after a double-sign escaped punishment."""
    offender = VALIDATOR_KEYS[2]
    evidence = double_vote(offender, genesis, height=3)
    view = StateView(state)
    schedule_update(view, context(genesis, 3), ValidatorRecord(offender.public_key, 0, ""))
    state.apply(view.changes())
    for height in (3, 4):  # the removal activates at 5
        run_block(state, context(genesis, height))
    assert offender.address not in [a for a, _ in active_validators(StateView(state))]
    result = execute_block(state, context(genesis, 6, evidence=(evidence,)), [], Mode.VALIDATE)
    assert [e.kind for e in result.block_events].count("evidence") == 1


def test_a_key_that_joined_later_is_not_convicted_for_votes_before_it_joined(
    genesis: Genesis, state: MemoryState
) -> None:
    view = StateView(state)
    schedule_update(view, context(genesis, 3), ValidatorRecord(NEWCOMER.public_key, 5, "new"))
    state.apply(view.changes())
    for height in (3, 4):
        run_block(state, context(genesis, height))
    assert NEWCOMER.address in [a for a, _ in active_validators(StateView(state))]
    early = double_vote(NEWCOMER, genesis, height=4)  # signed while it was no validator
    with pytest.raises(BlockRuleError, match="not a validator at height 4"):
        execute_block(state, context(genesis, 6, evidence=(early,)), [], Mode.VALIDATE)
    late = double_vote(NEWCOMER, genesis, height=5)  # its first height in the set
    result = execute_block(state, context(genesis, 6, evidence=(late,)), [], Mode.VALIDATE)
    assert [e.kind for e in result.block_events].count("evidence") == 1
