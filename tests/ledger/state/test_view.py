"""A view's prefix scan merges its own writes into its parent's keys lazily, in key order."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.state.reader import MemoryState
from ledger.state.view import StateView

keys = st.binary(min_size=1, max_size=3)
writes = st.dictionaries(keys, st.one_of(st.none(), st.binary(max_size=2)), max_size=12)


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(keys, st.binary(max_size=2), max_size=12), writes, writes, keys)
def test_a_prefix_scan_sees_exactly_the_merged_state(
    base: dict[bytes, bytes],
    first: dict[bytes, bytes | None],
    second: dict[bytes, bytes | None],
    prefix: bytes,
) -> None:
    view = StateView(MemoryState(base))
    view.apply(first)
    child = view.child()
    child.apply(second)
    expected = dict(base)
    for layer in (first, second):
        for key, value in layer.items():
            if value is None:
                expected.pop(key, None)
            else:
                expected[key] = value
    for p in (prefix[:1], prefix, b""):
        want = sorted((k, v) for k, v in expected.items() if k.startswith(p))
        assert list(child.iter_prefix(p)) == want
