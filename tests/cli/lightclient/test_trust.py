"""The trusted state's memory of verified headers (for fork detection): bounded, newest kept,
and it survives the file round trip."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from cli.lightclient import trust
from cli.lightclient.trust import TrustedState
from tests.cli.lightclient.devchain import make_genesis

GENESIS = make_genesis()


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(1, 3000), st.binary(min_size=32, max_size=32)), max_size=60))
def test_the_newest_verified_hashes_are_kept_and_recalled(
    seen: list[tuple[int, bytes]],
) -> None:
    state = TrustedState.from_genesis(GENESIS)
    last: dict[int, bytes] = {}
    for height, digest in seen:
        state = state.remembered(height, digest)
        last[height] = digest
    kept = dict(state.seen)
    assert len(kept) == len(state.seen) <= trust.MAX_SEEN
    assert [h for h, _ in state.seen] == sorted(kept)
    newest = sorted(last)[-trust.MAX_SEEN :]
    assert all(state.seen_hash(h) == last[h] for h in newest)
    assert TrustedState.from_json(state.to_json()) == state


def test_only_the_newest_thousand_are_kept() -> None:
    state = TrustedState.from_genesis(GENESIS)
    for height in range(1, trust.MAX_SEEN + 51):
        state = state.remembered(height, height.to_bytes(32, "big"))
    assert len(state.seen) == trust.MAX_SEEN
    assert state.seen_hash(50) is None and state.seen_hash(51) is not None
