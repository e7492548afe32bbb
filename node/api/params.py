"""Parsing path and query parameters, each failure a clear 400 with a stable error code."""

from __future__ import annotations

from aiohttp import web

from ledger.bech32m import AddressError
from ledger.hashing import HASH_LEN
from ledger.keys import Address
from node.api.errors import ApiError, bad_request

MSGPACK = "application/msgpack"
MAX_PAGE = 1000
DEFAULT_PAGE = 50


def parse_hex(text: str, what: str, length: int | None = None) -> bytes:
    raw = text[2:] if text[:2] in ("0x", "0X") else text
    if length is not None and len(raw) != 2 * length:
        raise bad_request(f"invalid_{what}", f"{what} must be {2 * length} hex digits")
    try:
        return bytes.fromhex(raw)
    except ValueError:
        raise bad_request(f"invalid_{what}", f"{what} is not hex: {text[:80]!r}") from None


def parse_hash(text: str, what: str = "hash") -> bytes:
    return parse_hex(text, what, HASH_LEN)


def parse_address(text: str, hrp: str) -> Address:
    """A bech32m address with this chain's prefix; the error says which prefix was expected."""
    try:
        return Address.parse(hrp, text)
    except AddressError as exc:
        code = "wrong_address_prefix" if "prefix" in str(exc) else "invalid_address"
        raise bad_request(code, f"{exc} (expected a bech32m address starting {hrp}1)") from None


def parse_int(text: str, what: str, low: int = 0, high: int = 2**63 - 1) -> int:
    if not text.isascii() or not text.isdigit() or len(text) > 20:
        raise bad_request(f"invalid_{what}", f"{what} must be a non-negative integer")
    value = int(text)
    if not low <= value <= high:
        raise bad_request(f"invalid_{what}", f"{what} must be in [{low}, {high}]")
    return value


def query_int(request: web.Request, name: str, default: int, low: int, high: int) -> int:
    text = request.query.get(name)
    return default if text is None else parse_int(text, name, low, high)


def query_flag(request: web.Request, name: str) -> bool:
    text = request.query.get(name)
    if text is None:
        return False
    if text.lower() in ("1", "true", "yes"):
        return True
    if text.lower() in ("0", "false", "no"):
        return False
    raise bad_request(f"invalid_{name}", f"{name} must be true or false")


def page_limit(request: web.Request) -> int:
    return query_int(request, "limit", DEFAULT_PAGE, 1, MAX_PAGE)


def wants_msgpack(request: web.Request) -> bool:
    """`?format=msgpack` (or an Accept header naming only msgpack) asks for canonical bytes."""
    fmt = request.query.get("format")
    if fmt is not None:
        if fmt not in ("json", "msgpack"):
            raise bad_request("invalid_format", "format must be json or msgpack")
        return fmt == "msgpack"
    return request.headers.get("Accept", "").strip() == MSGPACK


def msgpack_response(data: bytes) -> web.Response:
    return web.Response(body=data, content_type=MSGPACK)


def missing(what: str) -> ApiError:
    return ApiError(404, "not_found", f"no {what}")
