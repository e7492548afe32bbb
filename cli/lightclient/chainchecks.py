"""Check a block or tx answer against a verified header: hash, tx root, inclusion."""

from __future__ import annotations

from typing import Any

from cli.lightclient.errors import VerificationError
from ledger.block import Header
from ledger.merkle_list import merkle_list_root


def _tx_hashes(items: Any) -> list[bytes]:
    if not isinstance(items, list):
        raise VerificationError("the node's block holds no tx list")
    out = []
    for item in items:
        text = item.get("hash") if isinstance(item, dict) else item
        try:
            out.append(bytes.fromhex(str(text)))
        except ValueError:
            raise VerificationError("a tx hash in the node's block is not hex") from None
    return out


def check_block(answer: dict[str, Any], header: Header) -> None:
    """The answer is the verified block: same hash, and its txs give the header's tx root."""
    if answer.get("hash") != header.hash().hex():
        raise VerificationError(
            f"the node's block {header.height} has hash {str(answer.get('hash'))[:16]}…, but "
            f"the verified header's hash is {header.hash().hex()[:16]}…"
        )
    if merkle_list_root(_tx_hashes(answer.get("txs"))) != header.tx_root:
        raise VerificationError(
            f"the txs the node lists for block {header.height} do not give its signed tx root"
        )


def check_tx(answer: dict[str, Any], digest: bytes, hashes: Any, header: Header) -> None:
    """The tx is at its stated position in a block whose txs give the verified tx root."""
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
