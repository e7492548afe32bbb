"""`ChangedState` reads what a `StateView` holding every change of a block reads."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.state.reader import MemoryState
from ledger.state.view import StateView
from node.changed_state import ChangedState

# short keys over a few first bytes, so prefixes, overwrites and deletions meet often
keys = st.binary(min_size=1, max_size=3).map(lambda k: bytes([k[0] % 4]) + k[1:])
values = st.binary(min_size=1, max_size=4)


@settings(max_examples=200, deadline=None)
@given(
    committed=st.dictionaries(keys, values, max_size=30),
    changes=st.dictionaries(keys, st.none() | values, max_size=300),
    prefixes=st.lists(st.binary(max_size=2), min_size=1, max_size=4),
)
def test_scans_and_reads_match_a_view_holding_every_change(
    committed: dict[bytes, bytes], changes: dict[bytes, bytes | None], prefixes: list[bytes]
) -> None:
    """Up to 300 changes: past the view's indexing threshold (256 writes) too."""
    state = MemoryState(committed)
    view = StateView(state)
    for key, value in changes.items():
        if value is None:
            view.delete(key)
        else:
            view.put(key, value)
    changed = StateView(ChangedState(state, changes))
    for prefix in prefixes:
        assert list(changed.iter_prefix(prefix)) == list(view.iter_prefix(prefix))
    for key in [*committed, *changes]:
        assert changed.get(key) == view.get(key)
