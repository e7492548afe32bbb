"""Random sequences of split txs: value is conserved, nothing is distributed twice, and every
rejection names its code and changes nothing."""

from __future__ import annotations

from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.errors import ErrorCode
from ledger.keys import PrivateKey
from ledger.splits.admin import OwnerAction
from ledger.splits.consent import sign_consent
from ledger.splits.parties import Party
from ledger.splits.payloads import (
    SplitAcceptOwnership,
    SplitCreate,
    SplitDistribute,
    SplitPay,
    SplitUpdate,
)
from ledger.splits.records import RecordKind, SplitMode, SplitTerms, Tranche
from ledger.splits.store import find_config, get_config, get_ledger, payout_history
from ledger.tx import Payload
from tests.ledger.splits.conftest import (
    BRAND,
    CREATORS,
    KEEPER,
    OUTSIDER,
    Chain,
    account,
    make_genesis,
    terms_for,
)

KEYS = [*CREATORS, BRAND, KEEPER, OUTSIDER]
GENESIS = make_genesis()
CODES: Counter[ErrorCode] = Counter()

step = st.tuples(
    st.integers(0, 5),  # operation
    st.integers(0, len(KEYS) - 1),  # actor
    st.integers(0, 2**24),  # x: choices
    st.one_of(st.integers(0, 5_000), st.integers(10**12, 2**62)),  # y: amounts and shares
)


def random_terms(x: int, y: int, splits: list[bytes]) -> SplitTerms:
    holders: list[tuple[PrivateKey | Party, int]] = [
        (k, 1 + (y >> i) % 7) for i, k in enumerate(KEYS) if x >> i & 1
    ]
    if splits and x >> 9 & 1:
        holders.append((Party.split(splits[(x >> 10) % len(splits)]), 1 + y % 5))
    if not holders:
        holders = [(KEYS[x % len(KEYS)], 1)]
    mode = SplitMode.ACCRUE if x >> 12 & 1 else SplitMode.PUSH
    fee = (y % 70_000) if x >> 13 & 1 else 0  # sometimes above the cap
    return terms_for(holders, mode=mode, fee_ppm=fee)


def act(chain: Chain, splits: list[bytes], step: tuple[int, int, int, int]) -> Payload:
    op, actor, x, y = step
    key = KEYS[actor]
    target = splits[x % len(splits)] if splits else bytes(32)
    if op == 0 or not splits:
        tranches = (Tranche(account(KEYS[x % 8]), 1 + y % 900),) if x >> 14 & 1 else ()
        owner = None if x >> 15 & 1 else account(key)
        return SplitCreate(owner, random_terms(x, y, splits), tranches)
    if op == 1:
        return SplitPay(target, y if x >> 16 & 1 else y % 10_000, b"inv-%d" % (x % 3))
    if op == 2:
        return SplitDistribute(target, 0 if x >> 16 & 1 else y % 3_000)
    if op == 3:
        terms = random_terms(x >> 3, y, splits)
        version = get_config(chain.view, target).version
        signers = KEYS if x >> 17 & 1 else []
        consents = tuple(sign_consent(k, GENESIS.chain_id, target, version, terms) for k in signers)
        return SplitUpdate(target, version, terms, consents=consents)
    if op == 4:
        return SplitUpdate(
            target,
            get_config(chain.view, target).version,
            None,
            OwnerAction.PROPOSE,
            account(KEYS[y % len(KEYS)]),
        )
    return SplitAcceptOwnership(target)


@settings(max_examples=40, deadline=None)
@given(st.lists(step, min_size=1, max_size=30))
def test_value_is_conserved_and_rejections_change_nothing(
    steps: list[tuple[int, int, int, int]],
) -> None:
    chain = Chain(GENESIS)
    value = chain.total_value()
    splits: list[bytes] = []
    for one in steps:
        key = KEYS[one[1]]
        new_id = chain.next_split_id(key)
        code = chain.attempt(key, act(chain, splits, one))
        CODES[code] += 1
        if code is ErrorCode.OK and find_config(chain.view, new_id) and new_id not in splits:
            splits.append(new_id)
        assert chain.total_value() == value
        chain.advance(1_000)
    for split_id in splits:
        history = payout_history(chain.view, split_id, limit=1000)
        held = sum(r.amount for r in history if r.kind is RecordKind.RECEIVED)
        out = sum(r.amount for r in history if r.kind is RecordKind.DISTRIBUTED)
        assert held == out + get_ledger(chain.view, split_id).balance  # never paid out twice
        for record in history:
            assert sum(a for _, a in record.payouts) + record.fee == (
                record.amount if record.kind is not RecordKind.RECEIVED else 0
            )
