"""Snapshots this node makes for others to state-sync from: every `snapshot_interval` heights.

At the commit of a height H with H % interval == 0, a LevelDB snapshot of the state is taken on
the event loop (a consistent view, cheap), and a thread cuts it into chunks
(`ledger.store.snapshot.state_chunks`) under `data/snapshots/H/`: `N.chunk` files and
`manifest.json` = {"height", "state_root", "chunks": [sha256 hex, ...]}, written to a temporary
folder and renamed when complete, so a reader never sees half a snapshot. Only the newest
`snapshot_keep` are kept. Served to peers over P2P (`SnapshotServer`, as SNAPSHOTS and CHUNK
messages, node/statesync_wire.py) and over HTTP (node/api/snapshots.py).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import threading
from pathlib import Path
from typing import Any

from ledger.block import Block, Commit
from ledger.store import Store
from ledger.store.snapshot import CHUNK_BYTES, state_chunks
from node.p2p.messages import MAX_OFFERS
from node.statesync_wire import SnapshotOffer

log = logging.getLogger(__name__)

MANIFEST = "manifest.json"


def snapshot_heights(folder: Path) -> list[int]:
    """Heights of the complete snapshots in `folder`, oldest first."""
    if not folder.is_dir():
        return []
    return sorted(
        int(p.name) for p in folder.iterdir() if p.name.isdigit() and (p / MANIFEST).exists()
    )


def read_manifest(folder: Path, height: int) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((folder / str(height) / MANIFEST).read_text())
    return data


class SnapshotServer:
    """What a node answers its peers' SNAPSHOTS and CHUNK requests with, from `folder`."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._offers: tuple[tuple[int, ...], list[SnapshotOffer]] = ((), [])

    def offers(self) -> list[SnapshotOffer]:
        """The newest MAX_OFFERS snapshots, newest first (manifests read again when they change)."""
        heights = tuple(snapshot_heights(self.folder)[-MAX_OFFERS:])
        if heights != self._offers[0]:
            offers = []
            for height in reversed(heights):
                try:
                    manifest = read_manifest(self.folder, height)
                except (OSError, ValueError):
                    continue  # removed meanwhile
                offers.append(
                    SnapshotOffer(
                        height,
                        bytes.fromhex(manifest["state_root"]),
                        tuple(bytes.fromhex(h) for h in manifest["chunks"]),
                    )
                )
            self._offers = (heights, offers)
        return self._offers[1]

    def chunk(self, height: int, index: int) -> bytes:
        """The bytes of a chunk; b"" when this node does not keep it (any more)."""
        try:
            return (self.folder / str(height) / f"{index}.chunk").read_bytes()
        except OSError:
            return b""


class SnapshotMaker:
    def __init__(
        self, store: Store, folder: Path, interval: int, keep: int, chunk_bytes: int = CHUNK_BYTES
    ) -> None:
        self.store, self.folder, self.interval, self.keep = store, folder, interval, keep
        self.chunk_bytes = chunk_bytes
        self._thread: threading.Thread | None = None

    def on_commit(self, block: Block, commit: Commit, executed: object) -> None:
        height = block.header.height
        if height % self.interval or (self._thread is not None and self._thread.is_alive()):
            return
        view = self.store._db.snapshot()  # a consistent read view, taken now
        root = self.store.state_root
        self._thread = threading.Thread(
            target=self._write, args=(view, height, root), name="snapshot", daemon=True
        )
        self._thread.start()

    def _write(self, view: Any, height: int, root: bytes) -> None:
        tmp = self.folder / f".{height}.tmp"
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        hashes = []
        try:
            for index, chunk in enumerate(state_chunks(view, self.chunk_bytes)):
                (tmp / f"{index}.chunk").write_bytes(chunk)
                hashes.append(hashlib.sha256(chunk).hexdigest())
        finally:
            view.close()
        manifest = {"height": height, "state_root": root.hex(), "chunks": hashes}
        (tmp / MANIFEST).write_text(json.dumps(manifest))
        os.replace(tmp, self.folder / str(height))
        for old in snapshot_heights(self.folder)[: -self.keep]:
            shutil.rmtree(self.folder / str(old), ignore_errors=True)
        log.info("snapshot of height %d: %d chunks", height, len(hashes))

    def close(self) -> None:
        if self._thread is not None:
            self._thread.join()
