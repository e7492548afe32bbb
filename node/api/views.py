"""JSON views of chain objects: blocks, headers, commits, txs, receipts and state records.

One rule for every value, so the explorer and the wallet read every endpoint the same way:
byte strings are lowercase hex, addresses are bech32m with the chain's prefix, enums are their
name, integers stay integers (amounts are exact: clients in JavaScript should parse them as
big integers), and a frozen dataclass becomes an object of its fields.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from enum import Enum
from typing import Any

from ledger.block import Block, BlockOutline, Commit, DuplicateVoteEvidence, Header
from ledger.keys import Address
from ledger.state.events import Receipt
from ledger.store import TxLocation
from ledger.tx import SignedTx
from node.api.eventview import event_view


def jsonable(value: Any, hrp: str) -> Any:
    """`value` as JSON-ready data, by the rule in the module docstring."""
    if value is None or isinstance(value, bool | str):
        return value
    if isinstance(value, Enum):
        return value.name
    if isinstance(value, int):
        return value
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value).hex()
    if isinstance(value, Address):
        return value.to_text(hrp)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            f.name: jsonable(getattr(value, f.name), hrp)
            for f in dataclasses.fields(value)
            if not f.name.startswith("_")
        }
    if isinstance(value, Mapping):
        return {str(jsonable(k, hrp)): jsonable(v, hrp) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [jsonable(item, hrp) for item in value]
    raise TypeError(f"no JSON view for {type(value).__name__}")


def header_view(header: Header, hrp: str) -> dict[str, Any]:
    view: dict[str, Any] = jsonable(header, hrp)
    view["hash"] = header.hash().hex()
    return view


def commit_view(commit: Commit, hrp: str) -> dict[str, Any]:
    return {
        "height": commit.height,
        "round": commit.round,
        "block_hash": commit.block_hash.hex(),
        "signatures": [
            {"validator": s.validator.to_text(hrp), "signature": s.signature.hex()}
            for s in commit.signatures
        ],
    }


def tx_view(tx: SignedTx, hrp: str) -> dict[str, Any]:
    body = tx.body
    return {
        "hash": tx.hash.hex(),
        "kind": body.kind.name,
        "kind_number": int(body.kind),
        "chain_id": body.chain_id,
        "sender": body.sender_address.to_text(hrp),
        "sender_public_key": body.sender.hex(),
        "nonce": body.nonce,
        "fee": body.fee,
        "payload": jsonable(body.payload, hrp),
        "signature": tx.signature.hex(),
        "size": len(tx.encode()),
    }


def receipt_view(receipt: Receipt, hrp: str) -> dict[str, Any]:
    return {
        "code": receipt.code.name,
        "code_number": int(receipt.code),
        "events": [event_view(e, hrp) for e in receipt.events],
    }


def evidence_view(evidence: DuplicateVoteEvidence, hrp: str) -> dict[str, Any]:
    view: dict[str, Any] = jsonable(evidence, hrp)
    view["hash"] = evidence.hash().hex()
    return view


def block_view(block: Block, hrp: str, *, full_txs: bool = True) -> dict[str, Any]:
    txs = [tx_view(tx, hrp) if full_txs else tx.hash.hex() for tx in block.txs]
    return _block_dict(block.header, txs, block.evidence, block.last_commit, hrp)


def block_outline_view(outline: BlockOutline, hrp: str) -> dict[str, Any]:
    """`block_view` with `full_txs=False`, from an outline (no tx decoded)."""
    txs = [tx_hash.hex() for tx_hash in outline.tx_hashes]
    return _block_dict(outline.header, txs, outline.evidence, outline.last_commit, hrp)


def _block_dict(
    header: Header,
    txs: list[Any],
    evidence: tuple[DuplicateVoteEvidence, ...],
    last_commit: Commit | None,
    hrp: str,
) -> dict[str, Any]:
    return {
        "hash": header.hash().hex(),
        "height": header.height,
        "header": header_view(header, hrp),
        "txs": txs,
        "tx_count": len(txs),
        "evidence": [evidence_view(e, hrp) for e in evidence],
        "last_commit": commit_view(last_commit, hrp) if last_commit else None,
    }


def committed_tx_view(
    tx: SignedTx, location: TxLocation, receipt: Receipt | None, block_hash: bytes, hrp: str
) -> dict[str, Any]:
    return {
        "status": "committed",
        "height": location.height,
        "position": location.position,
        "block_hash": block_hash.hex(),
        "tx": tx_view(tx, hrp),
        "result": receipt_view(receipt, hrp) if receipt else None,
    }
