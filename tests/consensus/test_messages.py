"""Consensus messages: golden bytes of the proposal domain and the envelope, and bounds."""

from __future__ import annotations

import dataclasses

import pytest

from consensus.messages import (
    PROPOSAL_SIGN_TAG,
    Proposal,
    Step,
    decode_message,
    encode_message,
)
from consensus.timeouts import MAX_TIMEOUT_MS, Timeouts
from consensus.wal import Received, Sent, encode_record
from ledger import codec
from ledger.block import VOTE_SIGN_TAG, Vote, VoteType
from ledger.codec import MalformedError
from ledger.genesis import ConsensusParams
from ledger.keys import Address
from ledger.tx import Transfer, TxBody
from tests.consensus.harness import GENESIS_HASH, Net, raw_vote, validator_keys

BLOCK_HASH = bytes(range(32))


def test_proposal_sign_bytes_golden() -> None:
    data = Proposal.sign_bytes_for(bytes(32), 7, 2, 1, BLOCK_HASH)
    assert data.startswith(PROPOSAL_SIGN_TAG + bytes(32))
    assert data[len(PROPOSAL_SIGN_TAG) + 32 :].hex() == (
        # [height=7, round=2, pol_round=1, block_hash(32)]
        "94070201c420000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
    )
    # no pol round is -1, and the vote domain is a different one
    assert Proposal.sign_bytes_for(bytes(32), 7, 2, -1, BLOCK_HASH).endswith(
        codec.encode([7, 2, -1, BLOCK_HASH])
    )
    assert PROPOSAL_SIGN_TAG != VOTE_SIGN_TAG


def test_envelope_round_trips_and_is_pinned() -> None:
    net = Net()
    signer_node = net.proposer(1, 0)
    block = signer_node.app.propose(1, 0)
    message = Proposal.sign_bytes_for(GENESIS_HASH, 1, 0, -1, block.hash())
    proposal = Proposal(1, 0, -1, block, signer_node.key.sign(message))
    assert decode_message(encode_message(proposal)) == proposal
    vote = raw_vote(signer_node.key, VoteType.PRECOMMIT, 3, 1, BLOCK_HASH)
    encoded = encode_message(vote)
    assert encoded[:3].hex() == "920296"  # [kind=2 (vote), [6 fields ...]]
    assert decode_message(encoded) == vote


@pytest.mark.parametrize(
    ("mutate", "reason"),
    [
        (lambda f: [3, f[1]], "kind"),
        (lambda f: [1, [f[1][0], f[1][1], f[1][1], *f[1][3:]]], "pol_round"),
        (lambda f: [1, [f[1][0], 2**31 + 1, *f[1][2:]]], "round"),
        (lambda f: [1, [2, *f[1][1:]]], "block height"),
        (lambda f: [1, [*f[1][:4], b"x" * 63]], "signature"),
    ],
)
def test_malformed_proposals_are_refused(mutate: object, reason: str) -> None:
    net = Net()
    block = net.proposer(1, 0).app.propose(1, 0)
    proposal = Proposal(1, 1, 0, block, bytes(64))
    fields = [1, proposal.to_fields()]
    with pytest.raises(MalformedError, match=reason):
        decode_message(codec.encode(mutate(fields)))  # type: ignore[operator]


@pytest.mark.parametrize(
    ("mutate", "reason"),
    [
        (lambda f: [f[0], f[1], f[1], *f[3:]], "pol_round"),
        (lambda f: [f[0], 2**31 + 1, *f[2:]], "round"),
        (lambda f: [2, *f[1:]], "block height"),
        (lambda f: [*f[:4], b"x" * 63], "signature"),
        (lambda f: f[:4], "fields|items"),
    ],
)
def test_malformed_proposals_are_refused_with_known_txs(mutate: object, reason: str) -> None:
    block = Net().proposer(1, 0).app.propose(1, 0)
    fields = Proposal(1, 1, 0, block, bytes(64)).to_fields()
    with pytest.raises(MalformedError, match=reason):
        Proposal.decode(codec.encode(mutate(fields)), known=lambda _h: None)  # type: ignore[operator]


def test_a_proposal_with_txs_is_spliced_and_reuses_known_txs() -> None:
    key = validator_keys(1)[0]
    block = Net().proposer(1, 0).app.propose(1, 0)
    txs = tuple(
        TxBody("c", key.public_key, n, 0, Transfer(Address(bytes(20)), 1)).sign(key, GENESIS_HASH)
        for n in range(3)
    )
    block = dataclasses.replace(block, txs=txs)
    proposal = Proposal(1, 2, 0, block, bytes(64))
    data = proposal.encode()
    assert data == codec.encode(proposal.to_fields())
    assert encode_message(proposal) == codec.encode([1, proposal.to_fields()])
    pool = {txs[1].hash: txs[1]}
    decoded = Proposal.decode(data, known=pool.get)
    assert decoded == proposal == Proposal.decode(data)
    assert decoded.block.txs[1] is txs[1] and decoded.block.txs[0] is not txs[0]


def test_vote_rounds_beyond_the_wire_bound_do_not_decode() -> None:
    vote = Vote(VoteType.PREVOTE, 1, 2**40, b"", validator_keys(1)[0].address, bytes(64))
    with pytest.raises(MalformedError, match="round"):
        decode_message(encode_message(vote))


def test_timeouts_grow_linearly_and_are_capped() -> None:
    t = Timeouts.from_params(ConsensusParams())
    assert [t.propose(r) for r in range(3)] == [3000, 3500, 4000]
    assert t.prevote(4) == 1000 + 4 * 500 and t.precommit(0) == 1000
    assert t.for_step(Step.NEW_HEIGHT, 9) == 1000
    assert t.for_step(Step.PROPOSE, 10**9) == MAX_TIMEOUT_MS


def test_spliced_proposal_encodings_equal_the_generic_ones() -> None:
    """Proposal and WAL encodings reuse the block's bytes; they must be the canonical ones."""
    net = Net()
    signer_node = net.proposer(1, 0)
    block = signer_node.app.propose(1, 0)
    for round_, pol_round in ((0, -1), (3, 1), (200, 150)):
        proposal = Proposal(1, round_, pol_round, block, bytes(range(64)))
        assert proposal.encode() == codec.encode(proposal.to_fields())
        assert encode_message(proposal) == codec.encode([1, proposal.to_fields()])
        assert encode_record(Sent(proposal)) == codec.encode([2, [1, proposal.to_fields()]])
        assert encode_record(Received(proposal)) == codec.encode([1, [1, proposal.to_fields()]])
