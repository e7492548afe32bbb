"""The consensus WAL in a file: framed, checksummed records, repaired on open.

Each record is `length (u32, big endian) | crc32 of the payload (u32) | payload`, the payload being
`consensus.wal.encode_record`. On open the whole log is read and truncated at the first torn or
corrupt record (a crash mid-write, a bad sector, garbage after a power cut): that tail is lost and
the node starts (tendermint #3295 refused to start on a torn last height; here the tail was never
acknowledged as durable, so dropping it is what the fsync contract allows). After a synced
`EndHeight`, a log grown past `max_bytes` is replaced atomically by one holding only that marker:
only the current height is ever replayed.
"""

from __future__ import annotations

import logging
import os
import zlib
from collections.abc import Iterator
from pathlib import Path

from consensus.files import replace_file
from consensus.wal import (
    DEFAULT_MAX_BYTES,
    FRAME,
    MAX_RECORD_BYTES,
    EndHeight,
    WalError,
    WalRecord,
    decode_record,
    frame,
)
from ledger.codec import MalformedError

log = logging.getLogger(__name__)


class FileWAL:
    """A single append-only file of framed, checksummed records."""

    def __init__(self, path: Path, *, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        self.path = path
        self.max_bytes = max_bytes
        self._records, good = self._scan()
        self._fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o600)
        size = os.fstat(self._fd).st_size
        if size > good:
            log.warning(
                "WAL %s: dropping %d bytes of torn or corrupt records at offset %d",
                path,
                size - good,
                good,
            )
            os.ftruncate(self._fd, good)
            os.fsync(self._fd)
        self._size = good

    def _scan(self) -> tuple[list[WalRecord], int]:
        """The records of the longest valid prefix of the file and that prefix's length."""
        try:
            data = self.path.read_bytes()
        except FileNotFoundError:
            return [], 0
        records: list[WalRecord] = []
        offset = 0
        for record, end in _iter_frames(data):
            records.append(record)
            offset = end
        return records, offset

    def append(self, record: WalRecord, *, sync: bool = False) -> None:
        data = frame(record)
        written = os.write(self._fd, data)
        if written != len(data):
            raise WalError(f"short write to {self.path}: {written} of {len(data)} bytes")
        self._size += written
        self._records.append(record)
        if sync:
            os.fsync(self._fd)
            if isinstance(record, EndHeight) and self._size > self.max_bytes:
                self._rotate(record)

    def sync(self) -> None:
        os.fsync(self._fd)

    def records(self) -> list[WalRecord]:
        return list(self._records)

    def close(self) -> None:
        os.close(self._fd)

    def _rotate(self, marker: EndHeight) -> None:
        """Replace the log by one holding only `marker` (tmp file, fsync, rename, dir fsync)."""
        data = frame(marker)
        replace_file(self.path, data)
        os.close(self._fd)
        self._fd = os.open(self.path, os.O_RDWR | os.O_APPEND)
        self._size = len(data)
        self._records = [marker]
        log.info("WAL %s rotated at the end of height %d", self.path, marker.height)


def _iter_frames(data: bytes) -> Iterator[tuple[WalRecord, int]]:
    """Valid records from the start of `data`, each with the offset just after it."""
    offset = 0
    header = FRAME.size
    while offset + header <= len(data):
        length, crc = FRAME.unpack_from(data, offset)
        start = offset + header
        end = start + length
        if length > MAX_RECORD_BYTES or end > len(data):
            return
        payload = data[start:end]
        if zlib.crc32(payload) != crc:
            return
        try:
            record = decode_record(payload)
        except MalformedError:
            return
        yield record, end
        offset = end
