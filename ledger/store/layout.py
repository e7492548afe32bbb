"""How a stored block's bytes are laid out: its header and counts read without decoding its txs,
and where each tx's bytes sit inside the block's encoding (for the tx index)."""

from __future__ import annotations

from dataclasses import dataclass

from ledger import codec
from ledger.block import MAX_BLOCK_BYTES, MAX_BLOCK_TXS, Block, Header
from ledger.codec import MalformedError, TrustedReader


@dataclass(frozen=True, slots=True)
class BlockHead:
    """A stored block's header and counts, read without decoding its txs."""

    header: Header
    tx_count: int
    evidence_count: int

    @classmethod
    def read(cls, data: bytes) -> BlockHead:
        reader = TrustedReader(data)
        if reader.array_header() != 4:
            raise MalformedError("a block is an array of 4 fields")
        header = Header.from_fields(reader.item())
        tx_count = reader.array_header()
        reader.skip(tx_count)
        return cls(header, tx_count, reader.array_header())


def tx_spans(block: Block) -> list[tuple[int, int]]:
    """(offset, length) of each tx's bytes inside `block.encode()`: the encoding is spliced from
    the array header, the header's encoding, the txs' array header and each tx's encoding."""
    offset = len(codec.array_header(4)) + len(block.header.encode())
    offset += len(codec.array_header(len(block.txs)))
    spans = []
    for tx in block.txs:
        size = len(tx.encode())
        spans.append((offset, size))
        offset += size
    return spans


def tx_bytes(data: bytes) -> list[bytes]:
    """The canonical bytes of each tx of a stored block, only delimited (not decoded)."""
    txs = codec.split_array(data, 4, 4, MAX_BLOCK_BYTES)[1]
    return codec.split_array(txs, 0, MAX_BLOCK_TXS, MAX_BLOCK_BYTES)
