"""A block's pages are the same whether the pages it reads come raw from disk or decoded from the
node store's pinned top: the update takes different paths through the two kinds (cut bytes or
patched entries, and paths folded inside a page that is packed later), never different pages."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.merkle import MemoryNodeStore, root_of
from ledger.merkle.page import PAGE_BITS, Page, RawPage, child_pages
from ledger.merkle.tree import update_tracked
from tests.ledger.merkle.test_page import base_tree, changed_keys, pages_under, values
from tests.ledger.state_model import apply_to


class PinnedReader:
    """A memory store whose pages above `pin_depth` are read decoded, as `NodeStore` pins them."""

    def __init__(self, store: MemoryNodeStore, root: bytes, pin_depth: int) -> None:
        self.store = store
        self.pinned: dict[bytes, Page] = {}
        level = [root] if root in store.pages else []
        for _ in range(0, pin_depth, PAGE_BITS):
            below: list[bytes] = []
            for page_hash in level:
                page = RawPage(store.pages[page_hash])
                self.pinned[page_hash] = dict(page)
                below += child_pages(page).values()
            level = below

    def get_page(self, page_hash: bytes) -> Page | None:
        return self.pinned.get(page_hash) or self.store.get_page(page_hash)


blocks = st.lists(st.dictionaries(changed_keys, st.none() | values, max_size=60), max_size=2)


@settings(max_examples=25, deadline=None)
@given(blocks)
def test_pinned_and_raw_pages_give_a_block_the_same_pages_byte_for_byte(
    changes_of: list[dict[bytes, bytes | None]],
) -> None:
    """Updates, inserts, deletes and leaves rising, over no pinned page, and one, two or three
    levels of pages pinned (the third holds leaves): the same root, pages and orphans, and the
    pages of the new tree are those of a fresh build."""
    base, root = base_tree()
    store = MemoryNodeStore()
    store.pages = dict(base.pages)
    state = {b"b%d" % i: b"v" for i in range(3000)}
    for changes in changes_of:
        results = [
            update_tracked(PinnedReader(store, root, pin_depth), root, changes)
            for pin_depth in (0, 4, 8, 12)
        ]
        assert all(result == results[0] for result in results[1:])
        root, writes, orphans = results[0]
        assert orphans <= base.pages.keys() | store.pages.keys()
        store.put_all(writes)
        apply_to(state, changes)
        fresh = MemoryNodeStore()
        fresh_root, fresh_writes, _ = update_tracked(fresh, root_of({}), state)
        fresh.put_all(fresh_writes)
        assert root == fresh_root
        assert pages_under(store, root) == pages_under(fresh, fresh_root)
