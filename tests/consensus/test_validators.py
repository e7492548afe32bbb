"""Validator sets: thresholds, weighted deterministic rotation, updates, canonical hash."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from consensus import proposer as rotation
from consensus.errors import ValidatorSetError
from consensus.validators import (
    ValidatorSet,
    ValidatorUpdate,
    apply_updates,
    next_height_set,
    updates_between,
)
from ledger import codec
from ledger.codec import MalformedError
from ledger.keys import PrivateKey

KEYS = [PrivateKey.from_secret(f"validator-{i}".encode()) for i in range(8)]


def make(*powers: int) -> ValidatorSet:
    return ValidatorSet.create((KEYS[i].public_key, p) for i, p in enumerate(powers))


def names() -> dict[bytes, str]:
    return {k.address.raw: f"k{i}" for i, k in enumerate(KEYS)}


def test_quorum_is_strictly_more_than_two_thirds() -> None:
    vals = make(1, 1, 1, 1)  # total 4: 3 is a quorum, 2 is not
    assert vals.quorum_power == 3
    assert vals.has_quorum(3) and not vals.has_quorum(2)
    assert vals.has_one_third(2) and not vals.has_one_third(1)
    vals = make(1, 1, 1)  # total 3: exactly 2/3 is not enough
    assert vals.quorum_power == 3 and not vals.has_quorum(2)
    vals = make(10, 10, 10, 70)
    assert vals.has_quorum(70 + 1) is True and vals.has_quorum(67) is True
    assert not vals.has_quorum(66)


def test_rotation_is_weighted_and_pinned() -> None:
    vals = make(1, 2, 3, 4)
    label = names()
    sequence = [label[vals.advance(h).proposer().address.raw] for h in range(10)]
    assert sequence == ["k3", "k2", "k1", "k3", "k2", "k0", "k3", "k1", "k2", "k3"]
    counts = {name: sequence.count(name) for name in set(sequence)}
    assert counts == {"k0": 1, "k1": 2, "k2": 3, "k3": 4}
    # deterministic: a set built in another order rotates the same way
    shuffled = ValidatorSet.create(
        (KEYS[i].public_key, p) for i, p in reversed(list(enumerate((1, 2, 3, 4))))
    )
    assert [shuffled.advance(h).proposer() for h in range(10)] == [
        vals.advance(h).proposer() for h in range(10)
    ]


def test_rounds_continue_the_same_weighted_sequence() -> None:
    vals = make(1, 2, 3, 4)
    by_round = [vals.proposer(r).address for r in range(10)]
    by_height = [vals.advance(h).proposer().address for h in range(10)]
    assert by_round == by_height


def test_equal_powers_rotate_in_address_order() -> None:
    vals = make(1, 1, 1, 1)
    assert [vals.proposer(r) for r in range(8)] == list(vals.validators) * 2


@settings(max_examples=60, deadline=None)
@given(
    powers=st.lists(st.integers(1, 40), min_size=1, max_size=7),
    start=st.lists(st.integers(-500, 500), min_size=7, max_size=7),
    far=st.integers(0, 5000),
)
def test_cycle_shortcut_matches_walking_step_by_step(
    powers: list[int], start: list[int], far: int
) -> None:
    prios = tuple(start[: len(powers)])
    fast = rotation.ProposerRotation(prios, tuple(powers))
    state = rotation.normalize(prios, sum(powers))
    for r in range(far + 1):
        state, picked = rotation.step(state, tuple(powers), sum(powers))
        if r in (0, far // 3, far // 2, far):
            assert fast.proposer_index(r) == picked
    assert fast.proposer_index(far) == picked


def test_a_huge_round_is_cheap() -> None:
    vals = make(3, 5, 7, 11, 13)
    rot = vals.rotation()
    rot.proposer_index(2**31)
    assert len(rot.picks) <= 4 * vals.total_power  # Brent: a few cycle lengths at most


def test_apply_updates_adds_changes_and_removes() -> None:
    vals = make(1, 1, 1, 1)
    new = apply_updates(
        vals,
        [
            ValidatorUpdate(KEYS[4].public_key, 5),
            ValidatorUpdate(KEYS[0].public_key, 0),
            ValidatorUpdate(KEYS[1].public_key, 3),
        ],
    )
    assert len(new) == 4 and new.total_power == 1 + 1 + 3 + 5
    assert KEYS[0].address not in new and new.power_of(KEYS[1].address) == 3
    assert vals.total_power == 4  # the old snapshot is untouched
    joiner = new.get(KEYS[4].address)
    assert joiner is not None and joiner.priority == min(v.priority for v in new.validators)
    assert abs(sum(v.priority for v in new.validators)) < len(new)  # centred


@pytest.mark.parametrize(
    ("updates", "reason"),
    [
        ([ValidatorUpdate(KEYS[7].public_key, 0)], "not a validator"),
        ([ValidatorUpdate(KEYS[0].public_key, 2)] * 2, "updated twice"),
        ([ValidatorUpdate(KEYS[0].public_key, -1)], "negative"),
        ([ValidatorUpdate(KEYS[i].public_key, 0) for i in range(2)], "every validator"),
        ([ValidatorUpdate(KEYS[3].public_key, 2**61)], "exceed"),
    ],
)
def test_invalid_updates_are_refused(updates: list[ValidatorUpdate], reason: str) -> None:
    with pytest.raises(ValidatorSetError, match=reason):
        apply_updates(make(1, 1), updates)


def test_hash_is_canonical_and_ignores_priorities() -> None:
    vals = make(1, 2, 3)
    assert vals.hash() == vals.advance(5).hash()
    assert vals.hash() != make(1, 2, 4).hash()
    assert vals.hash().hex() == ("ecaf10a1ea248ae9991e749e5d98b66b546ba1269ec09b5e5a92b16f4eba0375")


def test_encode_round_trip_keeps_priorities() -> None:
    vals = make(1, 2, 3).advance(7)
    assert ValidatorSet.decode(vals.encode()) == vals
    assert ValidatorSet.decode(vals.encode()).priorities == vals.priorities


def test_decode_refuses_unsorted_sets() -> None:
    vals = make(1, 2, 3)
    fields = list(reversed(vals.to_fields()))
    with pytest.raises(MalformedError, match="sorted"):
        ValidatorSet.decode(codec.encode(fields))


def test_invalid_sets_are_refused() -> None:
    with pytest.raises(ValidatorSetError, match="at least one"):
        ValidatorSet(())
    with pytest.raises(ValidatorSetError, match="power"):
        make(0)


def test_next_height_set_follows_the_ledger_records_and_keeps_the_rotation() -> None:
    vals = make(1, 2, 3)
    same = next_height_set(vals, [(v.public_key, v.power) for v in vals.validators])
    assert same == vals.advance(1)
    members = [(KEYS[0].public_key, 1), (KEYS[2].public_key, 5), (KEYS[6].public_key, 2)]
    changed = next_height_set(vals, members)
    assert {(v.public_key, v.power) for v in changed.validators} == set(members)
    assert updates_between(changed, members) == []


@settings(max_examples=40, deadline=None)
@given(
    powers=st.lists(st.integers(1, 20), min_size=1, max_size=6),
    steps=st.integers(0, 30),
    new_power=st.integers(1, 30),
)
def test_a_set_change_applies_the_updates_before_the_rotation_step_as_cometbft(
    powers: list[int], steps: int, new_power: int
) -> None:
    """Regression (issue 18): the rotation stepped first and applied the changes after, the
    reverse of CometBFT's updateState (UpdateWithChangeSet, then IncrementProposerPriority(1))."""
    vals = make(*powers).advance(steps)
    unchanged = [(v.public_key, v.power) for v in vals.validators]
    members = [*unchanged, (KEYS[7].public_key, new_power)]  # a newcomer joins
    expected = apply_updates(vals, updates_between(vals, members)).advance(1)
    assert next_height_set(vals, members) == expected
    assert next_height_set(vals, unchanged) == vals.advance(1)  # no change: one step, as before
