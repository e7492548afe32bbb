"""Packing a block's new binary nodes into pages (ledger/merkle/page.py), each changed page
starting from the page it replaces: the end of `update` in ledger/merkle/tree.py."""

from __future__ import annotations

from ledger.merkle.node import EMPTY, INNER_TAG, LEAF_TAG, MerkleError
from ledger.merkle.page import BELOW, SLOTS, Page, PageWrites, RawPage, decode_page, encode_page


class Packer:
    """The nodes an update made, and the pages they go into."""

    __slots__ = (
        "chains",
        "leaves",
        "paged",
        "pending",
        "prior",
        "replaced",
        "writes",
    )

    def __init__(self) -> None:
        self.writes: dict[bytes, bytes] = {}
        """New binary nodes: hash -> encoding."""
        self.replaced: set[bytes] = set()
        """Roots of old pages the new tree replaced."""
        self.prior: dict[bytes, Page] = {}
        """New node at a page root's place -> the old page that stood there."""
        self.leaves: dict[bytes, bytes] = {}
        """Old leaves that may move up a level or more (a sibling deleted)."""
        self.chains: dict[bytes, list[tuple[int, bytes]]] = {}
        """The top node of a key's path folded inside a page that `pages` packs -> the path's
        new entries in that page (position, encoding): its old path, same shape, replaced."""
        self.pending: list[bytes] = []
        """Roots of new pages to pack whose parent entry may be cut in place (not packed here)."""
        self.paged: PageWrites = {}
        """The new pages, root hash -> page: those encoded on the way up (`_fold_up` in
        ledger/merkle/tree.py), then the rest (`pages`)."""

    def pages(self, root: bytes) -> PageWrites:
        """The new tree's changed pages: page root hash -> encoded page."""
        out = self.paged
        if root in out:
            pass
        elif root in self.writes:
            self._page(root, out)
        elif root in self.leaves:  # an old leaf risen to the root: a page of its own now
            out[root] = encode_page({1: self.leaves[root]})
        for page_root in self.pending:
            if page_root not in out:
                self._page(page_root, out)
        return out

    def _page(self, root: bytes, out: PageWrites) -> None:
        prior = self.prior.get(root)
        if prior is None:
            entries: dict[int, bytes] = {}
        elif type(prior) is RawPage:  # decoded in one pass, not entry by entry
            entries = decode_page(prior.data)
        else:
            entries = dict(prior)
        self._place(entries, 1, self.writes[root], out)
        out[root] = encode_page(entries)

    def _place(self, entries: dict[int, bytes], pos: int, encoding: bytes, out: PageWrites) -> None:
        """Put a new node at `pos`; the subtrees it keeps from the old node there stay as were."""
        old = entries.get(pos)
        entries[pos] = encoding
        old_inner = old is not None and old[0] == INNER_TAG
        if encoding[0] == LEAF_TAG:
            if old_inner:
                for below in BELOW[pos]:
                    entries.pop(below, None)
            return
        for start in (1, 33):
            child = encoding[start : start + 32]
            if old_inner and child == old[start : start + 32]:  # type: ignore[index]
                continue  # the same subtree as before, in the same place
            spot = 2 * pos + (start == 33)
            child_encoding = self.writes.get(child)
            if child_encoding is not None and (spot < SLOTS or child_encoding[0] == LEAF_TAG):
                chain = self.chains.get(child)
                if chain is None:
                    self._place(entries, spot, child_encoding, out)
                else:  # one key's path, in place of the old one: the same shape
                    entries.update(chain)
                continue
            if old_inner:  # whatever stood there goes
                entries.pop(spot, None)
                for below in BELOW[spot]:
                    entries.pop(below, None)
            if child == EMPTY:
                continue
            if child_encoding is not None:
                if child not in out:  # else paged on the way up already
                    self._page(child, out)  # an inner node at the bottom roots a page of its own
                continue
            risen = self.leaves.get(child)
            if risen is None:
                raise MerkleError(f"node {child.hex()} is neither new nor a known leaf")
            entries[spot] = risen
