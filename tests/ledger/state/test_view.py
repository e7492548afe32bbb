"""A view's prefix scan merges its own writes into its parent's keys lazily, in key order."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.state.reader import MemoryState
from ledger.state.view import StateView

keys = st.builds(  # keys and prefixes around the index's 1-, 9- and 21-byte buckets
    lambda head, tail: head + tail,
    st.sampled_from((b"\x01", b"\x01" * 9, b"\x01" * 21, b"\x02" * 8)),
    st.binary(max_size=3),
)
writes = st.dictionaries(keys, st.one_of(st.none(), st.binary(max_size=2)), max_size=12)


@settings(max_examples=200, deadline=None)
@given(
    st.dictionaries(keys, st.binary(max_size=2), max_size=12),
    writes,
    writes,
    st.one_of(keys, st.binary(max_size=22)),
    st.booleans(),
)
def test_a_prefix_scan_sees_exactly_the_merged_state(
    base: dict[bytes, bytes],
    first: dict[bytes, bytes | None],
    second: dict[bytes, bytes | None],
    prefix: bytes,
    scan_first: bool,
) -> None:
    view = StateView(MemoryState(base))
    view.apply(first)
    if scan_first:  # the index is built at a large view's first scan, then kept as it is written
        view.apply({b"\x09" + n.to_bytes(4, "big"): b"" for n in range(300)})
        expected_extra = {b"\x09" + n.to_bytes(4, "big"): b"" for n in range(300)}
        list(view.iter_prefix(prefix))
    else:
        expected_extra = {}
    child = view.child()
    child.apply(second)
    expected = dict(base) | expected_extra
    for layer in (first, second):
        for key, value in layer.items():
            if value is None:
                expected.pop(key, None)
            else:
                expected[key] = value
    for p in (prefix[:1], prefix, b""):
        want = sorted((k, v) for k, v in expected.items() if k.startswith(p))
        assert list(child.iter_prefix(p)) == want
    child.merge_into_parent()
    for p in (prefix[:1], prefix, b""):
        want = sorted((k, v) for k, v in expected.items() if k.startswith(p))
        assert list(view.iter_prefix(p)) == want


operations = st.lists(
    st.one_of(
        st.tuples(st.just("put"), keys, st.binary(max_size=2)),
        st.tuples(st.just("delete"), keys, st.none()),
        st.tuples(st.just("scan"), st.one_of(keys, st.binary(max_size=22)), st.none()),
    ),
    max_size=30,
)


@settings(max_examples=150, deadline=None)
@given(st.dictionaries(keys, st.binary(max_size=2), max_size=12), operations)
def test_each_width_indexed_at_its_first_scan_sees_every_write(
    base: dict[bytes, bytes], ops: list[tuple[str, bytes, bytes | None]]
) -> None:
    """A large view indexes a width (1, 9, 21 bytes) only when a scan first needs it: a scan of
    a width built late, after writes and deletes of keys of every width, sees them all."""
    bulk = {b"\x09" + n.to_bytes(4, "big"): b"" for n in range(300)}
    view = StateView(MemoryState(base))
    view.apply(bulk)
    expected = dict(base) | bulk
    for op, key, value in ops:
        if op == "put" and value is not None:
            view.put(key, value)
            expected[key] = value
        elif op == "delete":
            view.delete(key)
            expected.pop(key, None)
        else:
            want = sorted((k, v) for k, v in expected.items() if k.startswith(key))
            assert list(view.iter_prefix(key)) == want
    for prefix in (b"\x01" * 21, b"\x01" * 9, b"\x01", b"\x02" * 8, b""):
        want = sorted((k, v) for k, v in expected.items() if k.startswith(prefix))
        assert list(view.iter_prefix(prefix)) == want
