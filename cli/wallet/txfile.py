"""Transaction files: an unsigned or signed tx as JSON, a readable view next to canonical hex.

    {"format": "coterie-tx/v1", "signed": false, "address_prefix": "tcot",
     "tx": {"chain_id": ..., "kind": "transfer", "kind_number": 1, "sender": "tcot1...",
            "sender_public_key": "<hex>", "nonce": 0, "fee": 0, "payload": {...}},
     "body_hex": "<canonical TxBody bytes>"}

A signed file adds "signed_for_genesis" (the genesis hash the signer used: a claim, checked only
against a genesis the reader trusts), "signature", "hash" and "signed_hex" (the canonical SignedTx
envelope, what a node accepts). The hex is authoritative: on reading, the view is rebuilt from the
hex and any field that disagrees makes the file invalid, so an edited view can never make a signer
believe they sign something else. Any payload kind renders through its dataclass fields, so new tx
kinds need nothing here. Raw hex (of a body or of a signed envelope) is read too.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from enum import IntEnum
from typing import Any

from ledger import codec
from ledger.codec import MalformedError
from ledger.keys import Address
from ledger.tx import MAX_TX_BYTES, SignedTx, TxBody

FORMAT = "coterie-tx/v1"
MAX_FILE_CHARS = 4 * MAX_TX_BYTES
_HASH_LEN = 32


class TxFileError(ValueError):
    """A tx file or hex string that cannot be used, with the reason."""


@dataclass(frozen=True, slots=True)
class TxDocument:
    """A decoded tx file. `genesis_hash` is only what a signed file claims, never trusted."""

    body: TxBody
    signed: SignedTx | None
    prefix: str | None  # None for raw hex, which carries no prefix
    genesis_hash: bytes | None


def is_valid_prefix(prefix: str) -> bool:
    """The rule genesis applies to `address_prefix`: 1 to 16 lowercase letters or digits."""
    return prefix.isascii() and prefix.isalnum() and prefix.islower() and len(prefix) <= 16


def render_value(value: Any, prefix: str) -> Any:
    """A JSON-ready view of a payload value: addresses as text, bytes as hex, enums by name."""
    if isinstance(value, Address):
        return value.to_text(prefix)
    if isinstance(value, bytes):
        return value.hex()
    if isinstance(value, IntEnum):
        return value.name.lower()
    if value is None or isinstance(value, bool | int | str):
        return value
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            f.name: render_value(getattr(value, f.name), prefix) for f in dataclasses.fields(value)
        }
    if isinstance(value, tuple | list):
        return [render_value(item, prefix) for item in value]
    raise TypeError(f"no readable view for {type(value).__name__}")


def body_view(body: TxBody, prefix: str) -> dict[str, Any]:
    return {
        "chain_id": body.chain_id,
        "kind": body.kind.name.lower(),
        "kind_number": int(body.kind),
        "sender": body.sender_address.to_text(prefix),
        "sender_public_key": body.sender.hex(),
        "nonce": body.nonce,
        "fee": body.fee,
        "payload": render_value(body.payload, prefix),
    }


def unsigned_document(body: TxBody, prefix: str) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "signed": False,
        "address_prefix": prefix,
        "tx": body_view(body, prefix),
        "body_hex": body.encode().hex(),
    }


def signed_document(tx: SignedTx, prefix: str, genesis_hash: bytes) -> dict[str, Any]:
    doc = unsigned_document(tx.body, prefix)
    doc["signed"] = True
    doc["signed_for_genesis"] = genesis_hash.hex()
    doc["signature"] = tx.signature.hex()
    doc["hash"] = tx.hash.hex()
    doc["signed_hex"] = tx.encode().hex()
    return doc


def dumps(doc: dict[str, Any]) -> str:
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def checked_body(body: TxBody) -> TxBody:
    """`body` after a decode round trip, so a tx we write is one every node can decode."""
    return TxBody.from_fields(codec.decode(body.encode(), MAX_TX_BYTES))


def decode_hex(text: str) -> tuple[TxBody, SignedTx | None]:
    """A body or a signed envelope from hex (spaces and a leading 0x allowed)."""
    cleaned = "".join(text.split()).removeprefix("0x")
    try:
        data = bytes.fromhex(cleaned)
    except ValueError as exc:
        raise TxFileError("not a tx file: neither JSON nor hex") from exc
    if not data:
        raise TxFileError("empty transaction")
    try:
        raw = codec.decode(data, MAX_TX_BYTES)
        if isinstance(raw, list) and len(raw) == 2:
            signed = SignedTx.from_fields(raw)
            return signed.body, signed
        return TxBody.from_fields(raw), None
    except MalformedError as exc:
        raise TxFileError(f"malformed transaction: {exc}") from exc


def parse(text: str) -> TxDocument:
    """Read a tx file's text: our JSON format, or raw hex of a body or signed envelope."""
    if len(text) > MAX_FILE_CHARS:
        raise TxFileError(f"tx file larger than {MAX_FILE_CHARS} characters")
    stripped = text.strip()
    if not stripped.startswith("{"):
        body, signed = decode_hex(stripped)
        return TxDocument(body, signed, None, None)
    try:
        doc = json.loads(stripped)
    except json.JSONDecodeError as exc:
        raise TxFileError(f"tx file is not valid JSON: {exc}") from exc
    return _parse_document(doc)


def _parse_document(doc: Any) -> TxDocument:
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise TxFileError(f'not a tx file: expected "format": "{FORMAT}"')
    prefix = doc.get("address_prefix")
    if not isinstance(prefix, str) or not is_valid_prefix(prefix):
        raise TxFileError(f"tx file has an invalid address_prefix {prefix!r}")
    is_signed = doc.get("signed")
    if not isinstance(is_signed, bool):
        raise TxFileError("tx file field 'signed' must be true or false")
    hex_field = "signed_hex" if is_signed else "body_hex"
    encoded = doc.get(hex_field)
    if not isinstance(encoded, str):
        raise TxFileError(f"tx file has no {hex_field!r}")
    body, signed = decode_hex(encoded)
    if is_signed != (signed is not None):
        raise TxFileError(f"{hex_field!r} does not hold a {'signed' if is_signed else 'bare'} tx")
    genesis_hash = None
    if signed is not None:
        genesis_hash = _hash_field(doc, "signed_for_genesis")
        expected = signed_document(signed, prefix, genesis_hash)
    else:
        expected = unsigned_document(body, prefix)
    for key, value in expected.items():
        if doc.get(key) != value:
            raise TxFileError(
                f"tx file field {key!r} does not match the encoded transaction "
                f"(was the file edited? {hex_field!r} is authoritative)"
            )
    return TxDocument(body, signed, prefix, genesis_hash)


def _hash_field(doc: dict[str, Any], field: str) -> bytes:
    value = doc.get(field)
    try:
        if not isinstance(value, str):
            raise ValueError
        data = bytes.fromhex(value)
    except ValueError as exc:
        raise TxFileError(f"tx file field {field!r} is not hex") from exc
    if len(data) != _HASH_LEN:
        raise TxFileError(f"tx file field {field!r} must hold {_HASH_LEN} bytes")
    return data
