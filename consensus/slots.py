"""A small record kept durably in one of two fixed slots of a file, overwritten in place.

A save writes the slot that does not hold the newest valid record, with the next sequence
number and a CRC over the slot's header and payload, then `fdatasync`s the file: one flush of
one data block, where replacing a file (consensus/files.py: a temporary file, fsync, rename,
fsync of the directory) costs two flushes and a journal commit for the new inode and the rename
(about 2.5 ms against 6.5 ms on this project's disk; a validator saves its sign state once per
signature, three times per height: docs/consensus.md, "The double-sign guard").

A power cut during a save leaves the slot being written torn (its CRC fails), old, or complete,
and never touches the other slot, which holds the newest record saved before: a load takes the
valid slot with the highest sequence number, so it sees the old record or the new one, never a
mix, as with a replaced file. The file has a fixed size (`FILE_BYTES`) and is created whole by
`replace_file`, so a save never changes its size or any other metadata, and each slot sits in a
block of its own (`SLOT_BYTES`), so a torn write of one cannot reach the other.
"""

from __future__ import annotations

import os
import struct
import zlib
from pathlib import Path

from consensus.files import replace_file

SLOT_BYTES = 4096
FILE_BYTES = 2 * SLOT_BYTES
MAGIC = b"COTSLOT1"
HEAD = struct.Struct(">8sQI")  # magic, sequence number, payload length; then crc32, payload
CRC = struct.Struct(">I")
MAX_PAYLOAD = SLOT_BYTES - HEAD.size - CRC.size


def is_slots_file(data: bytes) -> bool:
    """True when `data` (a whole file) has the slots layout (a record of any other format is
    shorter: the sign state's is about 200 bytes)."""
    return len(data) == FILE_BYTES


def newest(data: bytes) -> tuple[int, int, bytes] | None:
    """(slot, sequence number, payload) of the valid slot with the highest sequence number in a
    slots file's bytes; None when neither slot is valid."""
    best: tuple[int, int, bytes] | None = None
    for slot in (0, 1):
        start = slot * SLOT_BYTES
        magic, sequence, length = HEAD.unpack_from(data, start)
        if magic != MAGIC or length > MAX_PAYLOAD:
            continue
        body = start + HEAD.size + CRC.size
        payload = data[body : body + length]
        (crc,) = CRC.unpack_from(data, start + HEAD.size)
        if zlib.crc32(payload, zlib.crc32(data[start : start + HEAD.size])) != crc:
            continue
        if best is None or sequence > best[1]:
            best = (slot, sequence, payload)
    return best


def encode_slot(sequence: int, payload: bytes) -> bytes:
    if len(payload) > MAX_PAYLOAD:
        raise ValueError(f"a slot holds at most {MAX_PAYLOAD} bytes, not {len(payload)}")
    head = HEAD.pack(MAGIC, sequence, len(payload))
    return head + CRC.pack(zlib.crc32(payload, zlib.crc32(head))) + payload


def save(path: Path, payload: bytes, mode: int = 0o600) -> None:
    """Store `payload` durably before returning: in the older slot of the slots file at `path`,
    or, when there is none (no file, another format, no valid slot), in a new slots file
    replaced atomically."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        data = b""
    found = newest(data) if is_slots_file(data) else None
    if found is None:
        first = encode_slot(1, payload)
        replace_file(path, first + bytes(FILE_BYTES - len(first)), mode)
        return
    slot, sequence, _ = found
    record = memoryview(encode_slot(sequence + 1, payload))
    offset = (1 - slot) * SLOT_BYTES
    fd = os.open(path, os.O_WRONLY)
    try:
        while record:
            written = os.pwrite(fd, record, offset)
            record, offset = record[written:], offset + written
        os.fdatasync(fd)
    finally:
        os.close(fd)
