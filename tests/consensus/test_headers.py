"""verify_path: a header is trusted only through every validator-set change from the anchor;
a forged header, a forged or hidden set change, or a commit by the wrong set is refused."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from consensus.commit import commit_from_votes
from consensus.errors import HeaderError
from consensus.headers import Anchor, SetChange, needed_heights, verify_path
from consensus.validators import ValidatorSet
from ledger.block import Commit, Header, VoteType
from ledger.hashing import ZERO_HASH, digest
from ledger.keys import PrivateKey
from tests.consensus.harness import GENESIS_HASH, raw_vote, validator_keys

CHAIN = "headers-test"
KEYS = validator_keys(8)
FIRST = ValidatorSet.create((k.public_key, 1) for k in KEYS[:4])  # signs 1..4
SECOND = ValidatorSet.create((k.public_key, 1) for k in KEYS[4:])  # signs 5 on
CHANGES: list[SetChange] = [(5, SECOND)]


def _keys_of(validators: ValidatorSet) -> list[PrivateKey]:
    return [k for k in KEYS if validators.get(k.address) is not None]


def _signed(height: int, *, state_root: bytes = ZERO_HASH) -> tuple[Header, Commit]:
    """Header `height` of the chain whose set changes at 5, signed by its set."""
    signers = FIRST if height < 5 else SECOND
    following = FIRST if height + 1 < 5 else SECOND
    header = Header(
        chain_id=CHAIN, height=height, time_ms=height, prev_block_hash=digest(bytes([height])),
        last_commit_hash=ZERO_HASH, tx_root=ZERO_HASH, evidence_root=ZERO_HASH,
        state_root=state_root, validators_hash=signers.hash(),
        next_validators_hash=following.hash(), proposer=KEYS[0].address,
    )  # fmt: skip
    return header, _commit(header, signers)


def _commit(header: Header, signers: ValidatorSet) -> Commit:
    votes = [
        raw_vote(k, VoteType.PRECOMMIT, header.height, 0, header.hash())
        for k in _keys_of(signers)[:3]
    ]
    return commit_from_votes(header.height, 0, header.hash(), votes)


def _verify(
    signed: dict[int, tuple[Header, Commit]], target: int, changes: list[SetChange] = CHANGES
) -> Header:
    header, _ = verify_path(
        Anchor(0, FIRST), changes, signed, target, chain_id=CHAIN, genesis_hash=GENESIS_HASH
    )
    return header


def test_a_header_after_a_set_change_verifies_through_the_header_before_it() -> None:
    assert needed_heights(Anchor(0, FIRST), CHANGES, 9) == [4, 9]
    header = _verify({4: _signed(4), 9: _signed(9)}, 9)
    assert header.height == 9
    assert _verify({3: _signed(3)}, 3).height == 3  # before the change: no step


@settings(max_examples=25, deadline=None)
@given(target=st.integers(1, 40), anchor=st.integers(0, 39))
def test_needed_heights_are_one_per_change_in_between_then_the_target(
    target: int, anchor: int
) -> None:
    if target <= anchor:
        with pytest.raises(HeaderError):
            needed_heights(Anchor(anchor, FIRST), CHANGES, target)
        return
    heights = needed_heights(Anchor(anchor, FIRST), CHANGES, target)
    assert heights[-1] == target and heights == sorted(set(heights))
    assert heights[:-1] == ([4] if anchor + 1 < 5 <= target else [])


def test_a_forged_state_root_is_refused_for_its_commit_does_not_sign_it() -> None:
    header, commit = _signed(9)
    forged = dataclasses.replace(header, state_root=digest(b"forged"))
    with pytest.raises(HeaderError, match="commit of header 9 does not verify") as caught:
        _verify({4: _signed(4), 9: (forged, commit)}, 9)
    assert (caught.value.height, caught.value.fault) == (9, "header")  # its sender lied


def test_a_hidden_set_change_is_refused() -> None:
    with pytest.raises(HeaderError, match="hidden validator change") as caught:
        _verify({9: _signed(9)}, 9, changes=[])
    assert caught.value.fault == "unknown"  # a forged header, or a hidden change: unsure


def test_a_forged_set_change_is_refused() -> None:
    forged = ValidatorSet.create((k.public_key, 1) for k in KEYS[1:5])
    with pytest.raises(HeaderError, match="next_validators_hash of verified header 4") as caught:
        _verify({4: _signed(4), 9: _signed(9)}, 9, changes=[(5, forged)])
    assert caught.value.fault == "set"  # a verified header says so: the list lied


def test_a_header_signed_by_the_next_set_too_early_is_refused() -> None:
    header, _ = _signed(4)
    with pytest.raises(HeaderError, match="does not verify"):
        _verify({4: (header, _commit(header, SECOND)), 9: _signed(9)}, 9)


def test_a_missing_header_or_another_chain_is_refused() -> None:
    with pytest.raises(HeaderError, match="no signed header of height 4"):
        _verify({9: _signed(9)}, 9)
    header, _ = _signed(3)
    other = dataclasses.replace(header, chain_id="other")
    with pytest.raises(HeaderError, match="of chain 'other'"):
        _verify({3: (other, _commit(other, FIRST))}, 3)
