"""`coterie bench --disk`: what a committed transfer costs on disk, by part of the database.

The database (ledger/store/schema.py) keeps one key prefix per kind of record. Before the node
first starts and again after it stopped, the bench compacts the database (LevelDB rewrites
every table: what remains is what a long-running node holds at steady state) and reads, per
prefix, the bytes of its keys and values (raw) and LevelDB's estimate of its size on disk
(compressed tables). The growth between the two readings over the committed txs is the cost of
one committed transfer, by part.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ledger.store import schema
from ledger.store.leveldb import compact_all, open_leveldb

PARTS = {
    schema.BLOCK: "blocks",
    schema.COMMIT: "commits",
    schema.BLOCK_HEIGHT: "block hash index",
    schema.TX: "tx index and receipts",
    schema.ACCOUNT_TX: "account history index",
    schema.STATE: "state values",
    schema.NODE: "Merkle records",
}
OTHER = "other (metadata, pruning records)"


def measure(path: Path) -> dict[str, dict[str, int]]:
    """Compact the (closed) database at `path`; per part: keys, raw bytes and disk bytes."""
    db = open_leveldb(path)
    try:
        compact_all(db)
        out: dict[str, dict[str, int]] = {}
        for key, value in db.iterator():
            part = out.setdefault(PARTS.get(key[:1], OTHER), {"keys": 0, "raw": 0, "disk": 0})
            part["keys"] += 1
            part["raw"] += len(key) + len(value)
        for prefix, name in PARTS.items():
            if name in out:
                end = bytes([prefix[0] + 1])
                out[name]["disk"] = int(db.approximate_size(prefix, end))
    finally:
        db.close()
    return out


def per_tx(
    before: dict[str, dict[str, int]], after: dict[str, dict[str, int]], txs: int
) -> dict[str, Any]:
    """Bytes per committed tx by part (raw and on disk), and the totals."""
    parts: dict[str, dict[str, float]] = {}
    for name in sorted(set(before) | set(after)):
        grown = {
            kind: after.get(name, {}).get(kind, 0) - before.get(name, {}).get(kind, 0)
            for kind in ("raw", "disk")
        }
        parts[name] = {kind: round(grown[kind] / txs, 1) for kind in grown}
    return {
        "parts": parts,
        "raw_per_tx": round(sum(p["raw"] for p in parts.values()), 1),
        "disk_per_tx": round(sum(p["disk"] for p in parts.values()), 1),
        "disk_total_mib": round(sum(p.get("disk", 0) for p in after.values()) / 2**20, 1),
    }
