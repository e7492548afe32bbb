"""The consensus WAL in a file: framed, checksummed records, read as a stream on open.

Each record is `length (u32, big endian) | crc32 of the payload (u32) | payload`, the payload being
`consensus.wal.encode_record`. On open the log is read record by record (never whole) and only
the records since the last `EndHeight` are kept: replay needs no more.

A bad record (a length past the end, a checksum or decoding failure) is judged by what follows:

- nothing valid after it (a record cut short by a crash, a zero-filled tail after a power cut):
  a torn tail. It was never acknowledged as durable (a sync returns only after the whole record
  is on disk), so it is truncated with a warning and the node starts;
- any valid record after it: corruption inside the durable log (a bad sector, a flipped bit, an
  edit). Truncating there would drop synced records after it (a precommit, the lock it made),
  and a validator restarted without them can prevote against its own lock. `WalCorruptError`:
  the node refuses to start. Do not delete or move the WAL to get past it (docs/consensus.md).

After a synced `EndHeight`, a log grown past `max_bytes` is replaced atomically by one holding
only that marker. A height past the round bound (consensus.wal, "A bound per height") is
replaced atomically by its compacted records, durable on return. A write that fails (a full
disk, an I/O error) raises `WalError` naming the cause: the node stops rather than sign without
a durable log.

`sync()` with nothing written since the last successful fsync returns at once (the data it would
make durable already is): a validator's guard syncs the log before each signature, and when the
last thing written was its own synced message (one validator: proposal, then its prevote, then
its precommit) that fsync was a third of its signing cost per height (issue 17). A log just
opened or rewritten counts as written, so its first sync always reaches the disk.
"""

from __future__ import annotations

import errno
import logging
import os
import re
import zlib
from pathlib import Path
from typing import BinaryIO

from consensus.files import replace_file
from consensus.wal import (
    DEFAULT_MAX_BYTES,
    FRAME,
    MAX_RECORD_BYTES,
    EndHeight,
    OwnRounds,
    WalError,
    WalRecord,
    compact,
    decode_record,
    frame,
)
from ledger.codec import MalformedError

log = logging.getLogger(__name__)

READ_CHUNK = 1 << 20
# every payload is a canonical array of 2 or 3 items: a frame starts 8 bytes before one of these
_PAYLOAD_START = re.compile(rb"[\x92\x93]")


class WalCorruptError(WalError):
    """A bad record followed by valid ones: durable records would be lost by truncating."""


class FileWAL:
    """A single append-only file of framed, checksummed records."""

    def __init__(self, path: Path, *, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        self.path = path
        self.max_bytes = max_bytes
        self._records, good = self._scan()
        self._rounds = OwnRounds()
        self._rounds.opened(self._records)
        self.compactions = 0
        self._fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o600)
        size = os.fstat(self._fd).st_size
        if size > good:
            log.warning(
                "WAL %s: dropping a torn last record (%d bytes at offset %d)",
                path,
                size - good,
                good,
            )
            os.ftruncate(self._fd, good)
            os.fsync(self._fd)
        self._size = good
        self._unsynced = True  # whatever a previous process left: the first sync is real

    def _scan(self) -> tuple[list[WalRecord], int]:
        """The records since the last `EndHeight` and the length of the valid prefix."""
        try:
            stream = self.path.open("rb")
        except FileNotFoundError:
            return [], 0
        records: list[WalRecord] = []
        offset = 0
        with stream:
            while True:
                record, size = _read_frame(stream)
                if record is None:
                    break
                offset += size
                if isinstance(record, EndHeight):
                    records = []
                records.append(record)
            if size:  # a bad record at `offset`: a torn tail only if nothing valid follows
                stream.seek(offset)
                rest = stream.read()
                found = _valid_frame_in(rest, 1)
                if found is not None:
                    raise WalCorruptError(
                        f"WAL {self.path} is corrupt at byte {offset} of {offset + len(rest)}, "
                        f"and valid records follow at byte {offset + found}: refusing to start, "
                        "since truncating would lose durable records (the votes and the lock "
                        "of the height in progress). Do not delete or move the WAL; see "
                        "docs/consensus.md, 'What an operator must never do'"
                    )
        return records, offset

    def append(self, record: WalRecord, *, sync: bool = False) -> None:
        data = frame(record)
        try:
            self._unsynced = True
            written = os.write(self._fd, data)
            if written != len(data):  # a full disk shows as a short write first
                os.ftruncate(self._fd, self._size)
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
            if sync:
                os.fsync(self._fd)
                self._unsynced = False
        except OSError as exc:
            raise WalError(f"cannot write the consensus WAL {self.path}: {_cause(exc)}") from exc
        self._size += written
        if isinstance(record, EndHeight):
            self._records = []
        self._records.append(record)
        if self._rounds.add(record):
            self._compact()
        elif sync and isinstance(record, EndHeight) and self._size > self.max_bytes:
            self._rotate(record)

    def sync(self) -> None:
        if not self._unsynced:
            return
        try:
            os.fsync(self._fd)
            self._unsynced = False
        except OSError as exc:
            raise WalError(f"cannot sync the consensus WAL {self.path}: {_cause(exc)}") from exc

    def records(self) -> list[WalRecord]:
        """The records since the last `EndHeight` (that marker first): what replay needs."""
        return list(self._records)

    @property
    def size(self) -> int:
        return self._size

    def close(self) -> None:
        os.close(self._fd)

    def _rotate(self, marker: EndHeight) -> None:
        """Replace the log by one holding only `marker` (tmp file, fsync, rename, dir fsync)."""
        self._replace([marker])
        log.info("WAL %s rotated at the end of height %d", self.path, marker.height)

    def _compact(self) -> None:
        """Replace the log by the height's compacted records (the round bound)."""
        before = self._size
        self._replace(compact(self._records))
        self._rounds.compacted(self._records)
        self.compactions += 1
        log.info("WAL %s: height compacted, %d -> %d bytes", self.path, before, self._size)

    def _replace(self, records: list[WalRecord]) -> None:
        data = b"".join(frame(r) for r in records)
        try:
            replace_file(self.path, data)
            os.close(self._fd)
            self._fd = os.open(self.path, os.O_RDWR | os.O_APPEND)
            self._unsynced = True
        except OSError as exc:
            raise WalError(f"cannot rewrite the consensus WAL {self.path}: {_cause(exc)}") from exc
        self._size = len(data)
        self._records = list(records)


def _cause(exc: OSError) -> str:
    if exc.errno == errno.ENOSPC:
        return "no space left on device (free disk space, then restart the node)"
    return exc.strerror or str(exc)


def _read_frame(stream: BinaryIO) -> tuple[WalRecord | None, int]:
    """The next record and its framed size; (None, 0) at a clean end, (None, n > 0) at a bad
    record (n: the bytes read of it)."""
    header = stream.read(FRAME.size)
    if not header:
        return None, 0
    if len(header) < FRAME.size:
        return None, len(header)
    length, crc = FRAME.unpack(header)
    if length > MAX_RECORD_BYTES:
        return None, FRAME.size
    payload = stream.read(length)
    if len(payload) < length or zlib.crc32(payload) != crc:
        return None, FRAME.size + len(payload)
    try:
        return decode_record(payload), FRAME.size + length
    except MalformedError:
        return None, FRAME.size + length


def _valid_frame_in(data: bytes, start: int) -> int | None:
    """The offset of the first valid frame in `data` at or after `start`, or None."""
    for match in _PAYLOAD_START.finditer(data, start + FRAME.size):
        offset = match.start() - FRAME.size
        length, crc = FRAME.unpack_from(data, offset)
        end = match.start() + length
        if length > MAX_RECORD_BYTES or end > len(data):
            continue
        payload = data[match.start() : end]
        if zlib.crc32(payload) != crc:
            continue
        try:
            decode_record(payload)
        except MalformedError:
            continue
        return offset
    return None
