"""Merkle root of an ordered list of hashes (transactions, evidence in a block).

RFC 6962 shape: leaves and inner nodes are hashed with different prefixes so that a leaf can never
pose as an inner node; an odd node at the end of a level is promoted unchanged. The empty list's
root is 32 zero bytes.
"""

from __future__ import annotations

import hashlib

from ledger.hashing import ZERO_HASH

_LEAF = b"\x00"
_INNER = b"\x01"


def merkle_list_root(leaves: list[bytes]) -> bytes:
    if not leaves:
        return ZERO_HASH
    level = [hashlib.sha256(_LEAF + leaf).digest() for leaf in leaves]
    while len(level) > 1:
        nxt = [
            hashlib.sha256(_INNER + level[i] + level[i + 1]).digest()
            for i in range(0, len(level) - 1, 2)
        ]
        if len(level) % 2:
            nxt.append(level[-1])
        level = nxt
    return level[0]
