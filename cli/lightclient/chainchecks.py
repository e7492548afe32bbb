"""Check a block or tx answer against a verified header, from the canonical bytes the node
serves (`?format=msgpack`): the bytes must hash to what the header commits to, and the JSON shown
must be exactly the view of those bytes (`node.api.views`)."""

from __future__ import annotations

from typing import Any

from cli.lightclient.errors import VerificationError
from ledger.block import Block, Header
from ledger.codec import MalformedError
from ledger.merkle_list import merkle_list_root
from ledger.tx import SignedTx
from node.api.views import block_view, tx_view


def check_block(answer: dict[str, Any], raw: bytes, header: Header, hrp: str) -> set[str]:
    """The answer is the verified block: its bytes hash to the header, its body matches the
    header's roots, and every field of the view of those bytes is shown as it is (returns
    their names)."""
    try:
        block = Block.decode(raw)
    except MalformedError as exc:
        raise VerificationError(f"the node's block {header.height} does not decode: {exc}") from exc
    if block.hash() != header.hash():
        raise VerificationError(
            f"the node's block {header.height} has hash {block.hash().hex()[:16]}…, but the "
            f"verified header's hash is {header.hash().hex()[:16]}…"
        )
    problem = block.body_error()
    if problem:
        raise VerificationError(f"the node's block {header.height}: {problem}")
    view = block_view(block, hrp)
    for field, value in view.items():
        if answer.get(field) != value:
            raise VerificationError(
                f"the node's block {header.height} shows another {field} than its signed bytes"
            )
    return set(view)


TX_PROVEN = frozenset({"hash", "tx", "status", "height", "position", "block_hash"})
"""What `check_tx` proves of a tx answer (the result and events are receipts, the node's word)."""


def check_tx(
    answer: dict[str, Any], digest: bytes, raw: bytes, *, hashes: Any, header: Header, hrp: str
) -> None:
    """The tx's bytes hash to `digest`, the JSON shows exactly them, and the tx sits at its
    stated position in a block whose txs give the verified tx root."""
    if answer.get("hash") != digest.hex():
        raise VerificationError("the node shows the tx under another hash than the asked one")
    if answer.get("block_hash") != header.hash().hex():
        raise VerificationError(f"the node names another block than the verified {header.height}")
    try:
        tx = SignedTx.decode(raw)
    except MalformedError as exc:
        raise VerificationError(f"the node's tx does not decode: {exc}") from exc
    if tx.hash != digest:
        raise VerificationError("the node's tx bytes do not hash to the asked tx hash")
    if answer.get("tx") != tx_view(tx, hrp):
        raise VerificationError("the node shows another tx than the bytes of the asked hash")
    listed = _tx_hashes(hashes)
    if merkle_list_root(listed) != header.tx_root:
        raise VerificationError(
            f"the txs the node lists for block {header.height} do not give its signed tx root"
        )
    position = answer.get("position")
    if not isinstance(position, int) or not 0 <= position < len(listed):
        raise VerificationError("the node's tx position is outside its block")
    if listed[position] != digest:
        raise VerificationError(
            f"block {header.height} holds another tx at position {position}: "
            "the tx is not where the node says"
        )


def _tx_hashes(items: Any) -> list[bytes]:
    if not isinstance(items, list):
        raise VerificationError("the node's block holds no tx list")
    out = []
    for item in items:
        try:
            out.append(bytes.fromhex(str(item)))
        except ValueError:
            raise VerificationError("a tx hash in the node's block is not hex") from None
    return out
