"""Canonical msgpack encoding for every on-chain object.

An object is encoded as a msgpack array of its fields in a fixed order. Only unsigned or signed
integers (64-bit), byte strings, UTF-8 strings, booleans, None and nested arrays are allowed: no
floats and no maps, whose key order would be free. Decoding rejects anything that does not
re-encode to the same bytes, so every object has exactly one encoding and its hash is stable.

Exceptions: every decode failure is a `MalformedError` (a subclass of `ValueError`), raised at the
boundary; callers never see msgpack's own exceptions.
"""

from __future__ import annotations

import builtins
import threading
from collections.abc import Sequence
from typing import Any, TypeAlias

import msgpack

Value: TypeAlias = "int | bytes | str | bool | Sequence[Value] | None"

INT_MIN = -(2**63)
INT_MAX = 2**64 - 1
U64_MAX = 2**64 - 1
DEFAULT_MAX_BYTES = 1 << 20


class MalformedError(ValueError):
    """Bytes or fields that are not a valid canonical encoding of the expected object."""


def encode(value: Value) -> bytes:
    """Encode `value` canonically; raises `MalformedError` on a type that has no encoding."""
    _check_encodable(value, 0)
    return pack_checked(value)


def pack_checked(value: object) -> bytes:
    """Pack a value already known to hold only encodable types (ints are still range-checked
    by msgpack). For fixed-shape records whose fields are typed: `encode` without the walk."""
    try:
        packer = _local.packer
    except AttributeError:
        packer = _local.packer = msgpack.Packer(use_bin_type=True)
    try:
        return packer.pack(value)  # type: ignore[no-any-return]
    except (OverflowError, ValueError, TypeError) as exc:
        packer.reset()
        raise MalformedError(f"cannot encode: {exc}") from exc


def _check_encodable(value: object, depth: int) -> None:
    """Refuse floats, maps and foreign types (msgpack itself refuses out-of-range integers).

    This runs for every object encoded, so it must be cheap: exact-type checks first, and the
    items of an array are checked inline, with a call only for nested arrays and rare types.
    """
    kind = type(value)
    if kind is int or kind is bytes or kind is str or kind is bool or value is None:
        return
    if kind is list or kind is tuple:
        if depth > 32:
            raise MalformedError("nesting too deep")
        for item in value:  # type: ignore[attr-defined]
            item_kind = type(item)
            if item_kind is int or item_kind is bytes or item_kind is str or item is None:
                continue
            _check_encodable(item, depth + 1)
        return
    if isinstance(value, int):  # IntEnum members (and bools) encode as their number
        return
    raise MalformedError(f"type {kind.__name__} has no canonical encoding")


# One reusable Packer per thread: `msgpack.packb` builds a Packer (and its buffer) per call, which
# costs several times the packing of a small record; a Packer is not safe to share across threads
# (the verifier threads encode tx bodies), hence one per thread.
_local = threading.local()
_header_packer = msgpack.Packer(use_bin_type=True)


def array_header(count: int) -> bytes:
    """The canonical msgpack header of an array of `count` items, for splicing encodings."""
    return _header_packer.pack_array_header(count)  # type: ignore[no-any-return]


def decode_trusted(data: bytes) -> Any:
    """Decode bytes this node wrote itself (committed state), skipping the canonical check.

    Only for data read back from our own database, which was encoded by `encode`; anything from
    a peer, a client or a file goes through `decode`.
    """
    return msgpack.unpackb(data, raw=False, use_list=True)


class TrustedReader:
    """Reads bytes this node wrote itself item by item, so the small parts of a large record (a
    block's header and tx count) are read without decoding the rest (see `decode_trusted`)."""

    __slots__ = ("_unpacker",)

    def __init__(self, data: bytes) -> None:
        self._unpacker = msgpack.Unpacker(raw=False, use_list=True)
        self._unpacker.feed(data)

    def array_header(self) -> builtins.int:
        """The item count of the array that starts here."""
        try:
            return self._unpacker.read_array_header()  # type: ignore[no-any-return]
        except Exception as exc:  # msgpack raises many unrelated types; all mean "malformed"
            raise MalformedError(f"expected an array: {exc}") from exc

    def item(self) -> Any:
        try:
            return self._unpacker.unpack()
        except Exception as exc:
            raise MalformedError(f"undecodable: {exc}") from exc

    def skip(self, count: builtins.int = 1) -> None:
        try:
            for _ in range(count):
                self._unpacker.skip()
        except Exception as exc:
            raise MalformedError(f"undecodable: {exc}") from exc


def decode(data: bytes, max_bytes: int = DEFAULT_MAX_BYTES) -> Any:
    """Decode canonical bytes into nested lists, ints, bytes and strings.

    Rejects oversize input, maps, floats, extension types, trailing bytes and any non-canonical
    form (for example an integer stored wider than needed).
    """
    value = unpack(data, max_bytes)
    check_canonical(value, data)
    return value


def unpack(data: bytes, max_bytes: int = DEFAULT_MAX_BYTES) -> Any:
    """The first half of `decode`: bounded and free of maps and extension types, but not yet
    checked for floats or canonical form. For a decoder that checks every field's exact type
    and packs the value anyway (see `ledger.tx`); anything else goes through `decode`."""
    if not isinstance(data, bytes | bytearray | memoryview):
        raise MalformedError("expected bytes")
    if len(data) > max_bytes:
        raise MalformedError(f"message of {len(data)} bytes exceeds limit {max_bytes}")
    try:
        value = msgpack.unpackb(
            data,
            raw=False,
            use_list=True,
            strict_map_key=True,
            max_map_len=0,
            max_ext_len=0,
            object_pairs_hook=_no_map,  # the length limits let an empty map and a
            ext_hook=_no_ext,  # zero-length extension through
        )
    except Exception as exc:  # msgpack raises many unrelated types; all mean "malformed"
        raise MalformedError(f"undecodable: {exc}") from exc
    return value


def _no_map(pairs: object) -> Any:
    raise MalformedError("a map is not canonical")


def _no_ext(code: int, data: bytes) -> Any:
    raise MalformedError("an extension type is not canonical")


def check_canonical(value: object, data: bytes) -> None:
    """The second half of `decode`: `value`, unpacked from `data`, holds no float and `data` is
    its canonical encoding."""
    _reject_floats(value, 0)
    # What unpackb can return, floats refused, is exactly what `encode` accepts: pack directly.
    if pack_checked(value) != bytes(data):
        raise MalformedError("not canonically encoded")


def split_array(
    data: bytes, min_count: int, max_count: int, max_bytes: int = DEFAULT_MAX_BYTES
) -> list[bytes]:
    """The bytes of each item of the array `data` encodes, uninterpreted: for decoding a large
    array piece by piece (a block's txs, each looked up before it is decoded).

    Checks what `decode` would check of the array itself: a canonical header, `min_count` to
    `max_count` items, nothing after the last. The items are only delimited: `data` decodes
    canonically exactly when every item does, which is the caller's to check.
    """
    if not isinstance(data, bytes | bytearray | memoryview):
        raise MalformedError("expected bytes")
    data = bytes(data)
    if len(data) > max_bytes:
        raise MalformedError(f"message of {len(data)} bytes exceeds limit {max_bytes}")
    unpacker = msgpack.Unpacker(max_buffer_size=max(len(data), 1))
    unpacker.feed(data)
    try:
        count = unpacker.read_array_header()
        start = unpacker.tell()
        if data[:start] != array_header(count) or not min_count <= count <= max_count:
            raise MalformedError(f"expected an array of {min_count} to {max_count} items")
        items = []
        for _ in range(count):
            unpacker.skip()
            end = unpacker.tell()
            items.append(data[start:end])
            start = end
    except MalformedError:
        raise
    except Exception as exc:  # msgpack raises many unrelated types; all mean "malformed"
        raise MalformedError(f"undecodable: {exc}") from exc
    if start != len(data):
        raise MalformedError("trailing bytes after the array")
    return items


def encode_bytes_list(items: Sequence[bytes]) -> bytes:
    """`encode(list(items))` for a flat array of byte strings, without the per-item walk of
    `encode` (tx batches hold thousands of items)."""
    if not all(type(item) is bytes for item in items):
        raise MalformedError("expected an array of byte strings")
    return pack_checked(list(items))


def decode_bytes_list(
    data: bytes, max_count: int, max_item_bytes: int, max_bytes: int = DEFAULT_MAX_BYTES
) -> list[bytes]:
    """`decode` specialised to a flat array of 0 to `max_count` byte strings of at most
    `max_item_bytes` each: the same rules (the bytes must re-encode identically), checked in C."""
    if not isinstance(data, bytes | bytearray | memoryview):
        raise MalformedError("expected bytes")
    if len(data) > max_bytes:
        raise MalformedError(f"message of {len(data)} bytes exceeds limit {max_bytes}")
    try:
        value = msgpack.unpackb(
            data, raw=False, use_list=True, max_map_len=0, max_ext_len=0, max_array_len=max_count
        )
    except Exception as exc:  # msgpack raises many unrelated types; all mean "malformed"
        raise MalformedError(f"undecodable: {exc}") from exc
    if not isinstance(value, list):
        raise MalformedError("expected an array")
    if not all(type(item) is bytes and len(item) <= max_item_bytes for item in value):
        raise MalformedError(f"expected byte strings of at most {max_item_bytes} bytes")
    if pack_checked(value) != bytes(data):
        raise MalformedError("not canonically encoded")
    return value


def _reject_floats(value: object, depth: int) -> None:
    kind = type(value)
    if kind is float:
        raise MalformedError("floats are not allowed")
    if kind is list:
        if depth > 32:
            raise MalformedError("nesting too deep")
        for item in value:  # type: ignore[attr-defined]
            item_kind = type(item)
            if item_kind is list or item_kind is float:
                _reject_floats(item, depth + 1)


class Fields:
    """Reads a decoded array field by field, enforcing each field's type and bounds.

    Every `take_*` raises `MalformedError` with the field's name, so a decoder reads like a schema.
    """

    __slots__ = ("_items", "_name", "_pos")

    def __init__(self, value: object, count: builtins.int, name: builtins.str) -> None:
        if not isinstance(value, list):
            raise MalformedError(f"{name}: expected an array")
        if len(value) != count:
            raise MalformedError(f"{name}: expected {count} fields, got {len(value)}")
        self._items: builtins.list[Any] = value
        self._name = name
        self._pos = 0

    def _next(self) -> Any:
        item = self._items[self._pos]
        self._pos += 1
        return item

    def int(
        self, field: builtins.str, lo: builtins.int = 0, hi: builtins.int = U64_MAX
    ) -> builtins.int:
        item = self._next()
        if isinstance(item, bool) or not isinstance(item, int):
            raise MalformedError(f"{self._name}.{field}: expected an integer")
        if not lo <= item <= hi:
            raise MalformedError(f"{self._name}.{field}: {item} outside [{lo}, {hi}]")
        return item

    def bool(self, field: builtins.str) -> builtins.bool:
        item = self._next()
        if not isinstance(item, bool):
            raise MalformedError(f"{self._name}.{field}: expected a boolean")
        return item

    def bytes(
        self, field: builtins.str, max_len: builtins.int, exact: builtins.bool = False
    ) -> builtins.bytes:
        item = self._next()
        if not isinstance(item, bytes):
            raise MalformedError(f"{self._name}.{field}: expected bytes")
        if exact and len(item) != max_len:
            raise MalformedError(f"{self._name}.{field}: expected {max_len} bytes, got {len(item)}")
        if len(item) > max_len:
            raise MalformedError(f"{self._name}.{field}: {len(item)} bytes exceeds {max_len}")
        return item

    def optional_bytes(
        self, field: builtins.str, max_len: builtins.int, exact: builtins.bool = False
    ) -> builtins.bytes | None:
        if self._items[self._pos] is None:
            self._pos += 1
            return None
        return self.bytes(field, max_len, exact)

    def str(self, field: builtins.str, max_len: builtins.int) -> builtins.str:
        item = self._next()
        if not isinstance(item, str):
            raise MalformedError(f"{self._name}.{field}: expected a string")
        if len(item.encode()) > max_len:
            raise MalformedError(f"{self._name}.{field}: longer than {max_len} bytes")
        return item

    def list(self, field: builtins.str, max_count: builtins.int) -> builtins.list[Any]:
        item = self._next()
        if not isinstance(item, list):
            raise MalformedError(f"{self._name}.{field}: expected an array")
        if len(item) > max_count:
            raise MalformedError(f"{self._name}.{field}: {len(item)} items exceeds {max_count}")
        return item

    def raw(self) -> Any:
        """The next field undecoded, for nested objects that decode themselves."""
        return self._next()
