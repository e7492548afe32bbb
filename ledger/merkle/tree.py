"""Batched, pure updates of the sparse Merkle state tree.

The tree is binary over the 256-bit path SHA-256(key), with leaf shortcuts (as Diem's Jellyfish
tree and "compact sparse Merkle trees"): a subtree that holds one key is that key's leaf, placed
at the shallowest depth where it is alone; an empty subtree is `EMPTY`; a subtree with two or more
keys is an inner node. That shape is a function of the key set alone, so the root commits to the
key/value set whatever the order of the updates that produced it: after a delete, a lone leaf
moves back up to where it would sit in a tree built from scratch.

`update` applies a whole block's changes at once: the changed paths are sorted and walked
together from the root, so every node on a shared prefix is read, rehashed and written once per
block, not once per key. Nothing is mutated: old roots stay readable because nodes are
content-addressed and never overwritten.

The nodes are read and written by pages of four levels (ledger/merkle/page.py): the walk carries
the page a node sits in and its position there, and the new nodes are packed into pages at the
end, each changed page starting from the page it replaces.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Mapping

from ledger.merkle.batch import Batch
from ledger.merkle.node import (
    EMPTY,
    INNER_TAG,
    KEY_BITS,
    LEAF_TAG,
    NODE_LEN,
    MerkleError,
    sha256,
)
from ledger.merkle.pack import Packer
from ledger.merkle.page import (
    POSITIONS,
    MemoryNodeStore,
    NodeReader,
    Page,
    PageWrites,
    RawPage,
    encode_page,
    locate,
)

_Kind = int | None  # LEAF_TAG, INNER_TAG, or None: unknown without reading the node
_LEAF = bytes([LEAF_TAG])
_INNER = bytes([INNER_TAG])
_TOP = KEY_BITS - 1
_TAGS = (LEAF_TAG, INNER_TAG)
_Step = tuple[bytes, Page, int, int, bytes, int]
"""A node on a changed key's path: hash, page, position, offset in a raw page, the part of its
entry the path leaves (bit 1: the tag and the left hash; bit 0: the right hash), bit."""


def update(
    nodes: NodeReader, root: bytes, changes: Mapping[bytes, bytes | None]
) -> tuple[bytes, PageWrites]:
    """Apply `changes` (key -> new value, None deletes) to the tree under `root`.

    Returns the new root and the pages to store (page root hash -> encoded page, a dict). Raises
    `MerkleError` if a page under `root` is missing from `nodes` or corrupt.
    """
    new_root, writes, _ = update_tracked(nodes, root, changes)
    return new_root, writes


def update_tracked(
    nodes: NodeReader, root: bytes, changes: Mapping[bytes, bytes | None]
) -> tuple[bytes, PageWrites, set[bytes]]:
    """`update`, plus the pages of the old tree that the new one no longer holds (what a pruning
    store may delete once no root it keeps needs them)."""
    entries: list[tuple[int, bytes, bytes | None]] = []
    for key, value in changes.items():
        path = sha256(key).digest()
        vhash = None if value is None else sha256(value).digest()
        entries.append((int.from_bytes(path, "big"), path, vhash))
    if not entries:
        return root, {}, set()
    updater = _Updater(nodes)
    new_root, _ = updater.update(root, 0, None, 0, Batch.of(entries), 0, len(entries))
    pages = updater.pages(new_root)
    return new_root, pages, updater.replaced - pages.keys()


def root_of(state: Mapping[bytes, bytes]) -> bytes:
    """The root of the tree holding exactly `state`, built in memory."""
    return update(MemoryNodeStore(), EMPTY, state)[0]


class _Updater(Packer):
    __slots__ = ("nodes",)

    def __init__(self, nodes: NodeReader) -> None:
        super().__init__()
        self.nodes = nodes

    def update(  # noqa: PLR0917  # the walk's state, passed down without an object per node
        self, hash_: bytes, depth: int, page: Page | None, pos: int, batch: Batch, lo: int, hi: int
    ) -> tuple[bytes, _Kind]:
        """The new subtree at `depth` after applying batch[lo:hi] (not empty), all routed here;
        the old subtree's node is at `pos` of `page` unless it roots a page of its own."""
        if hash_ == EMPTY:
            if None in batch.values[lo:hi]:
                inserts = Batch.of(batch.inserts(lo, hi))
                return self.build_at(inserts, 0, len(inserts.ints), depth)
            return self.build_at(batch, lo, hi, depth)
        if hi - lo == 1 and batch.values[lo] is not None:
            return self._set_one(hash_, depth, page, pos, batch, lo)
        if depth >= KEY_BITS:
            raise MerkleError("Merkle tree deeper than 256 levels")
        if page is None or (data := page.get(pos)) is None:  # the root of its own page
            found = self.nodes.get_page(hash_)
            if found is None:
                raise MerkleError(f"missing Merkle node {hash_.hex()}")
            page, pos, data = found, 1, found.get(1)
        if data is None or data[0] > INNER_TAG:
            raise MerkleError(f"corrupt Merkle node {hash_.hex()}")
        if data[0] == LEAF_TAG:
            new, kind = self._update_leaf(hash_, data, depth, batch, lo=lo, hi=hi)
        else:
            new, kind = self._update(hash_, data, page, pos, depth, batch, lo, hi)
        if pos == 1 and new != hash_:
            self.replaced.add(hash_)
            self.prior[new] = page
        return new, kind

    def _set_one(  # noqa: PLR0917  # as `update`
        self, hash_: bytes, depth: int, page: Page | None, pos: int, batch: Batch, i: int
    ) -> tuple[bytes, _Kind]:
        """The one key batch[i] set (not deleted) under this node, the common case below the top
        levels: its path is walked down in a loop and the new nodes hashed back up, as nothing on
        the way can collapse. A raw page's entries are sliced out here, not through `RawPage.get`
        (this loop runs about eight times per changed key)."""
        path = batch.ints[i]
        trail: list[_Step] = []
        append = trail.append
        offset = 0
        while True:
            if hash_ == EMPTY:
                new, kind = self.build_at(batch, i, i + 1, depth)
                break
            if depth >= KEY_BITS:
                raise MerkleError("Merkle tree deeper than 256 levels")
            data: bytes | None = None
            if type(page) is RawPage:
                bitmap = page.bitmap
                if pos < POSITIONS and bitmap >> pos & 1:
                    offset = 4 + NODE_LEN * (bitmap & ((1 << pos) - 1)).bit_count()
                    data = page.data[offset : offset + NODE_LEN]
            elif page is not None:
                data = page.get(pos)
            if data is None:  # not in the page walked so far: the root of its own page
                found = self.nodes.get_page(hash_)
                if found is None:
                    raise MerkleError(f"missing Merkle node {hash_.hex()}")
                page, pos, offset = found, 1, 4
                data = found.data[4 : 4 + NODE_LEN] if type(found) is RawPage else found.get(1)
            if data is None or data[0] > INNER_TAG:
                raise MerkleError(f"corrupt Merkle node {hash_.hex()}")
            assert page is not None  # data came from it
            if data[0] == LEAF_TAG:
                if data[1:33] == batch.paths[i] and trail and pos != 1:  # its own leaf, in a page
                    vhash = batch.values[i]
                    assert vhash is not None  # _set_one only sees a set
                    encoding = data[:33] + vhash
                    new = sha256(encoding).digest()
                    if new == hash_:
                        return trail[0][0], INNER_TAG
                    bottom = (pos, offset, encoding)
                    return self._fold_up(trail, len(trail), new, bottom), INNER_TAG
                new, kind = self._update_leaf(hash_, data, depth, batch, lo=i, hi=i + 1)
                if new == hash_:
                    return (trail[0][0], INNER_TAG) if trail else (new, kind)
                if pos == 1:
                    self.replaced.add(hash_)
                    self.prior[new] = page
                break
            if (path >> (_TOP - depth)) & 1:
                append((hash_, page, pos, offset, data[:33], 1))
                hash_ = data[33:65]
                pos = 2 * pos + 1
            else:
                append((hash_, page, pos, offset, data[33:65], 0))
                hash_ = data[1:33]
                pos = 2 * pos
            depth += 1
        j = len(trail)
        if pos != 1:  # the new node sits in the last step's page: `pages` packs it from its prior
            while j:
                j -= 1
                old, at, at_pos, _, side, bit = trail[j]
                new = self._inner(side[1:], new) if bit else self._inner(new, side)
                if at_pos == 1:
                    self.replaced.add(old)
                    self.prior[new] = at
                    self.pending.append(new)
                    break
        if j == 0:
            return new, (INNER_TAG if trail else kind)
        return self._fold_up(trail, j, new, None), INNER_TAG

    def _fold_up(
        self, trail: list[_Step], j: int, new: bytes, bottom: tuple[int, int, bytes] | None
    ) -> bytes:
        """Hash the new node `new` below trail[j - 1] back up the path, and write the pages on the
        way at once: each page whose root is on the path holds no other change (the path is this
        key's alone), so it is its old page with the path's entries replaced (a raw page by
        cutting its bytes at the offsets the walk down found). `bottom` is the key's own leaf,
        changed in place in the last step's page (position, offset, entry), or None when
        `new` roots a page of its own. The page the path starts in is left to `pages`: the
        path's entries there go to `chains` under the top one, which alone goes to `writes`."""
        writes = self.writes
        paged = self.paged
        first = trail[0][1] if trail[0][2] != 1 else None  # a page `pages` packs
        page = trail[j - 1][1]  # the bottom leaf, if any, is in the last step's page too
        while page is not first:  # the pages made here, the deepest first; each ends at its root
            if type(page) is RawPage:  # its bytes cut at the path's offsets and joined again
                data = page.data
                parts: list[bytes] = []
                end: int | None = None
                if bottom is not None:
                    _, end, encoding = bottom
                    parts += (data[end + NODE_LEN :], encoding)
                while True:
                    j -= 1
                    old, _, at_pos, at_offset, side, bit = trail[j]
                    encoding = side + new if bit else _INNER + new + side
                    new = sha256(encoding).digest()
                    parts += (data[at_offset + NODE_LEN : end], encoding)
                    end = at_offset
                    if at_pos == 1:
                        break
                parts.append(data[:end])
                parts.reverse()
                paged[new] = b"".join(parts)
            else:  # a decoded page (an in-memory tree's)
                entries = dict(page)
                if bottom is not None:
                    entries[bottom[0]] = bottom[2]
                while True:
                    j -= 1
                    old, _, at_pos, _, side, bit = trail[j]
                    encoding = side + new if bit else _INNER + new + side
                    new = sha256(encoding).digest()
                    entries[at_pos] = encoding
                    if at_pos == 1:
                        break
                paged[new] = encode_page(entries)
            self.replaced.add(old)
            writes[new] = encoding  # what `_place` finds below a page it packs
            if j == 0:
                return new
            page = trail[j - 1][1]
            bottom = None
        chain = [] if bottom is None else [(bottom[0], bottom[2])]
        while j:
            j -= 1
            _, _, at_pos, _, side, bit = trail[j]
            encoding = side + new if bit else _INNER + new + side
            new = sha256(encoding).digest()
            chain.append((at_pos, encoding))
        writes[new] = encoding
        self.chains[new] = chain
        return new

    def _update(  # noqa: PLR0917  # the walk's state, passed down without an object per node
        self,
        hash_: bytes,
        data: bytes,
        page: Page,
        pos: int,
        depth: int,
        batch: Batch,
        lo: int,
        hi: int,
    ) -> tuple[bytes, _Kind]:
        """An inner node (`data`, at `pos` of `page`) with batch[lo:hi] routed below it."""
        left, right = data[1:33], data[33:65]
        ints = batch.ints
        shift = _TOP - depth
        mid = bisect_left(ints, ((ints[lo] >> shift) | 1) << shift, lo, hi)
        new_left: bytes = left
        new_right: bytes = right
        left_kind: _Kind = None
        right_kind: _Kind = None
        below = 2 * pos
        if mid > lo:
            new_left, left_kind = self.update(left, depth + 1, page, below, batch, lo, mid)
        if hi > mid:
            new_right, right_kind = self.update(right, depth + 1, page, below + 1, batch, mid, hi)
        if new_left == left and new_right == right:
            return hash_, INNER_TAG
        if EMPTY not in (new_left, new_right):
            return self._inner(new_left, new_right), INNER_TAG
        if new_left == new_right:
            return EMPTY, None
        if new_left == EMPTY:
            only, kind, only_pos = new_right, right_kind, below + 1
        else:
            only, kind, only_pos = new_left, left_kind, below
        if kind is None:  # untouched by the batch: read it where it sits
            at, at_pos = locate(self.nodes, only, page, only_pos)
            kind = at[at_pos][0]
            if kind == LEAF_TAG:
                self.leaves[only] = at[at_pos]
        if kind == LEAF_TAG:
            return only, LEAF_TAG  # a lone leaf rises to where a fresh tree would hold it
        return self._inner(new_left, new_right), INNER_TAG

    def _update_leaf(
        self, hash_: bytes, data: bytes, depth: int, batch: Batch, *, lo: int, hi: int
    ) -> tuple[bytes, _Kind]:
        """Merge the one key already here with the changes routed to the same subtree."""
        leaf_path = data[1:33]
        if hi - lo == 1 and batch.paths[lo] == leaf_path:  # the common case: that key changes
            vhash = batch.values[lo]
            if vhash is None:
                return EMPTY, None
            encoding = _LEAF + leaf_path + vhash
            leaf = sha256(encoding).digest()
            self.writes[leaf] = encoding
            return leaf, LEAF_TAG
        merged = batch.inserts(lo, hi)
        if leaf_path not in batch.paths[lo:hi]:
            if not merged:
                self.leaves[hash_] = data
                return hash_, LEAF_TAG  # only deletes of absent keys reached this leaf
            merged.append((int.from_bytes(leaf_path, "big"), leaf_path, data[33:65]))
        fresh = Batch.of(merged)
        return self.build_at(fresh, 0, len(fresh.ints), depth)

    def build_at(self, batch: Batch, lo: int, hi: int, depth: int) -> tuple[bytes, _Kind]:
        if lo == hi:
            return EMPTY, None
        return self.build(batch, lo, hi, depth), (LEAF_TAG if hi - lo == 1 else INNER_TAG)

    def build(self, batch: Batch, lo: int, hi: int, depth: int) -> bytes:
        """A fresh subtree at `depth` holding batch[lo:hi] (one or more inserts).

        Jumps straight to the depth where the paths part (the common prefix of the first and the
        last path, as they are sorted), then hashes the chain of one-sided nodes above it.
        """
        if hi - lo == 1:
            vhash = batch.values[lo]
            assert vhash is not None  # build only sees inserts
            encoding = _LEAF + batch.paths[lo] + vhash
            leaf = sha256(encoding).digest()
            self.writes[leaf] = encoding
            return leaf
        first = batch.ints[lo]
        diff = first ^ batch.ints[hi - 1]
        if diff == 0:
            raise MerkleError("two changes share one 256-bit path")
        branch = KEY_BITS - diff.bit_length()
        shift = _TOP - branch
        mid = bisect_left(batch.ints, ((first >> shift) | 1) << shift, lo, hi)
        hash_ = self._inner(
            self.build(batch, lo, mid, branch + 1), self.build(batch, mid, hi, branch + 1)
        )
        for level in range(branch - 1, depth - 1, -1):
            if (first >> (_TOP - level)) & 1:
                hash_ = self._inner(EMPTY, hash_)
            else:
                hash_ = self._inner(hash_, EMPTY)
        return hash_

    def _inner(self, left: bytes, right: bytes) -> bytes:
        encoding = _INNER + left + right
        hash_ = sha256(encoding).digest()
        self.writes[hash_] = encoding
        return hash_
