"""The stash of messages for later heights stays bounded whatever peers send."""

from __future__ import annotations

from consensus.messages import Proposal
from ledger.block import Block, Header, Vote, VoteType
from ledger.keys import Address
from node.stash import PROPOSALS, PROPOSALS_PER_PEER, VOTES_PER_VALIDATOR, Stash

ANYONE = Address(bytes(20))


def vote(height: int, round_: int = 0) -> Vote:
    return Vote(VoteType.PREVOTE, height, round_, b"", ANYONE, bytes(64))


def proposal(height: int, round_: int) -> Proposal:
    h32 = bytes(32)
    header = Header("c", height, 1, h32, h32, h32, h32, h32, h32, h32, ANYONE)
    return Proposal(height, round_, -1, Block(header, (), (), None), bytes(64))


def test_only_the_next_heights_and_a_bounded_number_per_height() -> None:
    stash = Stash()
    for height in (4, 5, 8, 9):  # at height 5: only 6 and 7 are kept
        stash.add(5, 4, None, vote(height))
    assert 4 not in stash and 5 not in stash and 8 not in stash
    for round_ in range(4 * VOTES_PER_VALIDATOR + 10):
        stash.add(5, 4, None, vote(6, round_))
    for peer in (b"a", b"b", b"c"):
        for round_ in range(PROPOSALS + 5):
            stash.add(5, 4, peer, proposal(6, round_))
    held = stash.take(6)
    assert sum(isinstance(m, Proposal) for _, m in held) == PROPOSALS
    assert sum(isinstance(m, Vote) for _, m in held) == 4 * VOTES_PER_VALIDATOR
    assert 6 not in stash and stash.take(6) == []
    stash.add(5, 4, None, vote(7))
    stash.forget_below(8)
    assert 7 not in stash


def test_one_peers_junk_for_a_later_height_leaves_room_for_the_real_proposal() -> None:
    """Issue 14: stashed proposals are not verified yet, so a Byzantine peer could fill every
    slot of the next height with junk; it gets `PROPOSALS_PER_PEER` of them."""
    stash = Stash()
    for round_ in range(10):
        stash.add(5, 4, b"byzantine", proposal(6, round_))
    stash.add(5, 4, b"honest", proposal(6, 0))
    held = stash.take(6)
    assert [peer for peer, _ in held].count(b"byzantine") == PROPOSALS_PER_PEER
    assert (b"honest", held[-1][1]) == held[-1]
