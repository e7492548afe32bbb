"""The stash of messages for later heights stays bounded, in count and bytes, whatever peers
send, and a peer that goes beyond its share is told so (the runner charges it)."""

from __future__ import annotations

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from consensus.messages import Proposal
from ledger.block import Block, Header, Vote, VoteType
from ledger.keys import Address
from node.stash import (
    PROPOSALS,
    PROPOSALS_PER_PEER,
    VOTES_PER_VALIDATOR,
    Stash,
    Stashed,
    message_bytes,
)

ANYONE = Address(bytes(20))
_serial = itertools.count(1)


def _signature() -> bytes:
    return next(_serial).to_bytes(64, "big")  # every junk message different


def vote(height: int, round_: int = 0) -> Vote:
    return Vote(VoteType.PREVOTE, height, round_, b"", ANYONE, _signature())


def proposal(height: int, round_: int) -> Proposal:
    h32 = bytes(32)
    header = Header("c", height, 1, h32, h32, h32, h32, h32, h32, h32, ANYONE)
    return Proposal(height, round_, -1, Block(header, (), (), None), _signature())


def test_only_the_next_heights_and_a_bounded_number_per_height() -> None:
    stash = Stash()
    for height in (4, 5, 8, 9):  # at height 5: only 6 and 7 are kept
        assert stash.add(5, 4, None, vote(height)) is Stashed.IGNORED
    assert 4 not in stash and 5 not in stash and 8 not in stash
    for peer in (b"a", b"b", b"c"):
        for round_ in range(4 * VOTES_PER_VALIDATOR):
            stash.add(5, 4, peer, vote(6, round_))
    for peer in (b"a", b"b", b"c"):
        for round_ in range(PROPOSALS + 5):
            stash.add(5, 4, peer, proposal(6, round_))
    held = stash.take(6)
    assert sum(isinstance(m, Proposal) for _, m in held) == PROPOSALS
    assert sum(isinstance(m, Vote) for _, m in held) == 4 * VOTES_PER_VALIDATOR
    assert 6 not in stash and stash.take(6) == []
    stash.add(5, 4, None, vote(7))
    stash.forget_below(8)
    assert 7 not in stash and stash.bytes == 0 and stash.count() == 0


def test_one_peers_junk_for_a_later_height_leaves_room_for_the_real_proposal() -> None:
    """Issue 14: stashed proposals are not verified yet, so a Byzantine peer could fill every
    slot of the next height with junk; it gets `PROPOSALS_PER_PEER` of them."""
    stash = Stash()
    outcomes = [stash.add(5, 4, b"byzantine", proposal(6, r)) for r in range(10)]
    assert outcomes.count(Stashed.OVER_SHARE) == 10 - PROPOSALS_PER_PEER
    assert stash.add(5, 4, b"honest", proposal(6, 0)) is Stashed.KEPT
    held = stash.take(6)
    assert [peer for peer, _ in held].count(b"byzantine") == PROPOSALS_PER_PEER
    assert (b"honest", held[-1][1]) == held[-1]


def test_a_copy_is_kept_once_and_costs_nothing() -> None:
    stash = Stash()
    real = proposal(6, 0)
    assert stash.add(5, 4, b"a", real) is Stashed.KEPT
    for _ in range(5):  # retransmissions and relays of the same message
        assert stash.add(5, 4, b"a", real) is Stashed.IGNORED
    assert stash.count() == 1


def test_junk_votes_from_one_peer_take_half_a_heights_vote_slots() -> None:
    stash = Stash()
    outcomes = [stash.add(5, 4, b"byzantine", vote(6, r)) for r in range(4 * VOTES_PER_VALIDATOR)]
    assert outcomes.count(Stashed.KEPT) == 2 * VOTES_PER_VALIDATOR
    assert set(outcomes[2 * VOTES_PER_VALIDATOR :]) == {Stashed.OVER_SHARE}
    assert stash.add(5, 4, b"honest", vote(6)) is Stashed.KEPT


BLOCK = 1000  # a small largest block, so that byte shares bite before slot counts


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from([b"a", b"b", b"c", None]), st.integers(4, 9), st.booleans()),
        max_size=150,
    )
)
def test_whatever_peers_send_the_stash_stays_within_its_caps(
    steps: list[tuple[bytes | None, int, bool]],
) -> None:
    stash = Stash(max_block_bytes=BLOCK)
    current = 5
    for peer, height, is_proposal in steps:
        msg = proposal(height, 0) if is_proposal else vote(height)
        before = stash.peer_bytes(peer)
        outcome = stash.add(current, 2, peer, msg)
        if outcome is Stashed.KEPT:
            assert stash.peer_bytes(peer) == before + message_bytes(msg)
        assert stash.bytes <= stash.bytes_cap
        assert all(stash.peer_bytes(p) <= stash.peer_bytes_cap for p in (b"a", b"b", b"c", None))
        assert stash.count() <= 2 * (PROPOSALS + 2 * VOTES_PER_VALIDATOR)
    total = sum(message_bytes(m) for h in (6, 7) for _, m in stash.take(h))
    assert total <= stash.bytes_cap and stash.bytes == 0


def test_a_peer_gets_at_most_its_share_of_bytes_over_all_heights() -> None:
    stash = Stash(max_block_bytes=BLOCK)
    size = message_bytes(proposal(6, 0))
    kept = [stash.add(5, 4, b"byzantine", proposal(h, r)) for h in (6, 7) for r in (0, 1)]
    assert kept.count(Stashed.KEPT) == stash.peer_bytes_cap // size < 4
    assert Stashed.OVER_SHARE in kept
