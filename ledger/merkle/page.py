"""Pages: how the nodes of the binary tree are grouped for storage, four levels to a record.

The tree's hashes, and so its root and its proofs, are those of the binary tree
(ledger/merkle/node.py); a page only says where its nodes are kept. As the 16-ary nodes of Diem's
Jellyfish tree, a page holds the binary subtree below an inner node at a depth that is a multiple
of 4 (or the root, whatever it is), down four levels, with heap positions:

    position 1: the page's root (depth d)        positions 2-3: depth d+1
    positions 4-7: depth d+2                     positions 8-15: depth d+3
    positions 16-31: the leaves at depth d+4; an inner node there is the root of another page

Each entry is the node's 65-byte encoding (exactly its hash preimage). The page is stored under
its root's hash, so a million-key tree (about 21 levels) is read in about 6 pages instead of 21
nodes, and a block writes one record per changed page instead of one per changed node.

Encoding: a 4-byte little-endian bitmap (bit p: position p holds an entry; bit 0 is never set)
followed by the entries in position order.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Protocol

from ledger.hashing import HASH_LEN
from ledger.merkle.node import EMPTY, INNER_TAG, LEAF_TAG, NODE_LEN, MerkleError, sha256

PAGE_BITS = 4
SLOTS = 1 << PAGE_BITS
"""Positions from SLOTS up are the page's bottom level, four levels below its root."""
POSITIONS = 2 * SLOTS

Page = Mapping[int, bytes]
"""A page: position -> node encoding (a dict, or a `RawPage` as read from disk)."""


def _bit_table(byte_index: int) -> list[tuple[int, ...]]:
    return [tuple(8 * byte_index + b for b in range(8) if v >> b & 1) for v in range(256)]


_BITS = [_bit_table(i) for i in range(4)]
_POWERS = [1 << p for p in range(POSITIONS)]


def _below(position: int) -> tuple[int, ...]:
    out: list[int] = []
    level = [position]
    while level:
        level = [child for p in level for child in (2 * p, 2 * p + 1) if child < POSITIONS]
        out += level
    return tuple(out)


BELOW = ((), *(_below(p) for p in range(1, POSITIONS)))
"""The positions under each position, inside its page."""


def decode_page(data: bytes) -> dict[int, bytes]:
    """A page's entries; raises `MerkleError` if the bytes are not a well-formed page."""
    if len(data) < 4:
        raise MerkleError("corrupt Merkle page: too short")
    b0, b1, b2, b3 = _BITS
    positions = b0[data[0]] + b1[data[1]] + b2[data[2]] + b3[data[3]]
    if not positions or positions[0] != 1 or len(data) != 4 + NODE_LEN * len(positions):
        raise MerkleError("corrupt Merkle page: bad bitmap or length")
    entries = [data[o : o + NODE_LEN] for o in range(4, len(data), NODE_LEN)]
    return dict(zip(positions, entries, strict=True))


class RawPage(Mapping[int, bytes]):
    """A page as read: its bytes, each entry sliced out only when asked for (a walk looks at a
    few positions of a page it reads; decoding all of them cost more than the read)."""

    __slots__ = ("bitmap", "data")

    def __init__(self, data: bytes) -> None:
        if len(data) < 4:
            raise MerkleError("corrupt Merkle page: too short")
        bitmap = int.from_bytes(data[:4], "little")
        if bitmap & 3 != 2 or len(data) != 4 + NODE_LEN * bitmap.bit_count():
            raise MerkleError("corrupt Merkle page: bad bitmap or length")
        self.bitmap = bitmap
        self.data = data

    def get(self, position: int, default: bytes | None = None) -> bytes | None:  # type: ignore[override]
        if 0 <= position < POSITIONS and self.bitmap >> position & 1:
            offset = 4 + NODE_LEN * (self.bitmap & ((1 << position) - 1)).bit_count()
            return self.data[offset : offset + NODE_LEN]
        return default

    def __getitem__(self, position: int) -> bytes:
        data = self.get(position)
        if data is None:
            raise KeyError(position)
        return data

    def __contains__(self, position: object) -> bool:
        """From the bitmap alone (`Mapping`'s own would slice the entry, or raise and catch
        `KeyError` for a missing one: most of what `child_pages` asked of a page)."""
        return (
            isinstance(position, int)
            and 0 <= position < POSITIONS
            and bool(self.bitmap >> position & 1)
        )

    def __iter__(self) -> Iterator[int]:
        data = self.data
        b0, b1, b2, b3 = _BITS
        return iter(b0[data[0]] + b1[data[1]] + b2[data[2]] + b3[data[3]])

    def __len__(self) -> int:
        return self.bitmap.bit_count()


def encode_page(page: Page) -> bytes:
    positions = sorted(page)
    bitmap = sum(map(_POWERS.__getitem__, positions))  # distinct positions: the sum is the OR
    return bitmap.to_bytes(4, "little") + b"".join(map(page.__getitem__, positions))


def child_pages(page: Page) -> dict[int, bytes]:
    """The pages directly below this one: bottom position -> page root hash."""
    if isinstance(page, RawPage):
        return _raw_child_pages(page.bitmap, page.data)
    out: dict[int, bytes] = {}
    get = page.get
    for position in range(SLOTS // 2, SLOTS):
        data = get(position)
        if data is None or data[0] != INNER_TAG:
            continue
        slot = 2 * position
        left, right = data[1:33], data[33:65]
        if left != EMPTY and slot not in page:
            out[slot] = left
        if right != EMPTY and slot + 1 not in page:
            out[slot + 1] = right
    return out


def _raw_child_pages(bitmap: int, data: bytes) -> dict[int, bytes]:
    """`child_pages` of a page as stored, read off its bitmap and bytes (a block's commit asks
    it of every new top page: `NodeStore.new_pinned`)."""
    out: dict[int, bytes] = {}
    for position in range(SLOTS // 2, SLOTS):
        if not bitmap >> position & 1:
            continue
        offset = 4 + NODE_LEN * (bitmap & ((1 << position) - 1)).bit_count()
        if data[offset] != INNER_TAG:
            continue
        slot = 2 * position
        if not bitmap >> slot & 1 and (left := data[offset + 1 : offset + 33]) != EMPTY:
            out[slot] = left
        if not bitmap >> (slot + 1) & 1 and (right := data[offset + 33 : offset + 65]) != EMPTY:
            out[slot + 1] = right
    return out


PageWrites = dict[bytes, bytes]
"""The pages a block writes (page root hash -> encoded page). The node store pins the new top
pages as these very bytes (`RawPage`), so nothing is decoded again for it."""


def check_page(root: bytes, page: Page) -> None:
    """Every entry hashes to the hash its parent names, and nothing else is there.

    Raises `MerkleError`. Costs a hash per entry: run on pages read at open and for proofs; an
    update checks only the root entry of each page it reads (`NodeStore.get_page`).
    """
    seen = 0
    stack = [(1, root)]
    while stack:
        position, expected = stack.pop()
        data = page.get(position)
        if data is None:
            if position < SLOTS:
                raise MerkleError(f"corrupt Merkle page {root.hex()}: position {position} missing")
            continue  # another page's root
        seen += 1
        if len(data) != NODE_LEN or sha256(data).digest() != expected:
            raise MerkleError(f"corrupt Merkle page {root.hex()}: position {position}")
        if data[0] == INNER_TAG:
            if position < SLOTS:
                for side in (0, 1):
                    child = data[1 + HASH_LEN * side : 1 + HASH_LEN * (side + 1)]
                    if child != EMPTY:
                        stack.append((2 * position + side, child))
            elif position != 1:
                raise MerkleError(f"corrupt Merkle page {root.hex()}: inner node at the bottom")
        elif data[0] != LEAF_TAG:
            raise MerkleError(f"corrupt Merkle page {root.hex()}: bad tag")
    if seen != len(page):
        raise MerkleError(f"corrupt Merkle page {root.hex()}: stray entries")


class NodeReader(Protocol):
    """Where pages are read from: the LevelDB node store, or a dict in tests."""

    def get_page(self, page_hash: bytes) -> Page | None:
        """The decoded page whose root node has this hash, or None."""
        ...


class MemoryNodeStore:
    """A dict of encoded pages: for building trees in memory (genesis, tests, benchmarks)."""

    def __init__(self) -> None:
        self.pages: dict[bytes, bytes] = {}

    def get_page(self, page_hash: bytes) -> Page | None:
        data = self.pages.get(page_hash)
        return None if data is None else RawPage(data)

    def put_all(self, writes: dict[bytes, bytes]) -> None:
        self.pages.update(writes)


def locate(nodes: NodeReader, hash_: bytes, page: Page | None, position: int) -> tuple[Page, int]:
    """Where the node `hash_` is: at `position` of `page` (its parent's page) if it is stored
    there, else the root of its own page. Raises `MerkleError` if missing or malformed."""
    if page is not None:
        data = page.get(position)
        if data is not None:
            if data[0] not in (LEAF_TAG, INNER_TAG):
                raise MerkleError(f"corrupt Merkle node {hash_.hex()}")
            return page, position
    found = nodes.get_page(hash_)
    if found is None:
        raise MerkleError(f"missing Merkle node {hash_.hex()}")
    data = found.get(1)
    if data is None or data[0] not in (LEAF_TAG, INNER_TAG):
        raise MerkleError(f"corrupt Merkle node {hash_.hex()}")
    return found, 1
