"""What every WebSocket subscriber of a committed block shares: each topic's index, built once.

A stranger may open 100 sockets of 16 subscriptions each; if every subscription walked the
block on the node's event loop (the loop that runs consensus), 1,600 subscriptions of a 20,000-tx
block would be tens of millions of steps. Instead the first subscriber that needs a topic builds
its index on the block's `BlockFanout`, and each subscription then costs only its matches:
- "blocks": the notification's result and its JSON text, built once;
- "txs": address -> positions (the sender, or any address a receipt's events name);
- "events": kind -> (tx hash, event) in the block's order (receipt events, then block events).
The JSON text of each matched item is memoised too, so a thousand subscribers of one account
serialise its txs once. A notification is spliced as text, byte for byte what
`json.dumps({"subscription": ..., "topic": ..., "result": ...})` gives.
"""

from __future__ import annotations

import json
from collections import Counter

from ledger.keys import ADDRESS_LEN, Address
from ledger.state.events import Event
from node.api.events import CommittedBlock
from node.api.eventview import event_view
from node.api.views import receipt_view, tx_view

INDEXES = ("blocks", "txs", "events")


def notification_prefix(sub_id: str, topic: str) -> str:
    """A notification's JSON up to its result: `prefix + result_json + "}"` is `json.dumps` of
    `{"subscription": sub_id, "topic": topic, "result": result}`."""
    return f'{{"subscription": {json.dumps(sub_id)}, "topic": {json.dumps(topic)}, "result": '


class BlockFanout:
    """One committed block's shared notification material, built lazily, once per topic.

    It holds the block's parts, not the `CommittedBlock` that holds it: no reference cycle, so
    the block and its JSON go as soon as the last queue lets go of it, not at a collection."""

    def __init__(self, item: CommittedBlock, hrp: str, builds: Counter[str]) -> None:
        self.block = item.block
        self.receipts = item.receipts
        self.block_events = item.block_events
        self.hrp = hrp
        self.builds = builds
        self._block_json: str | None = None
        self._by_address: dict[bytes, list[int]] | None = None
        self._tx_json: dict[int, str] = {}
        self._by_kind: dict[str, list[tuple[str | None, Event]]] | None = None
        self._kind_json: dict[str, list[str]] = {}

    def block_json(self) -> str:
        if self._block_json is None:
            self.builds["blocks"] += 1
            block = self.block
            h = block.header
            result = {
                "height": h.height,
                "hash": block.hash().hex(),
                "time_ms": h.time_ms,
                "proposer": h.proposer.to_text(self.hrp),
                "state_root": h.state_root.hex(),
                "txs": [tx.hash.hex() for tx in block.txs],
            }
            self._block_json = json.dumps(result)
        return self._block_json

    def txs_json(self, account: Address) -> list[str]:
        """The JSON of each tx (with its receipt) that `account` sent or its events name."""
        if self._by_address is None:
            self._by_address = self._index_addresses()
        return [self._tx_at(p) for p in self._by_address.get(account.raw, ())]

    def events_json(self, kind: str) -> list[str]:
        """The JSON of each event of `kind`: the receipts' in order, then the block's."""
        if self._by_kind is None:
            self._by_kind = self._index_kinds()
        texts = self._kind_json.get(kind)
        if texts is None:
            height, hrp = self.block.header.height, self.hrp
            texts = [
                json.dumps({"height": height, "tx_hash": tx_hash, **event_view(event, hrp)})
                for tx_hash, event in self._by_kind.get(kind, ())
            ]
            self._kind_json[kind] = texts
        return texts

    def _index_addresses(self) -> dict[bytes, list[int]]:
        """Positions by address, ascending, each once: a position is appended to an address's
        list only if it is not its last entry already."""
        self.builds["txs"] += 1
        index: dict[bytes, list[int]] = {}
        for position, (tx, receipt) in enumerate(zip(self.block.txs, self.receipts, strict=False)):
            sender = tx.body.sender_address.raw
            positions = index.get(sender)
            if positions is None:
                index[sender] = [position]
            else:  # the sender comes first at a position: never there yet
                positions.append(position)
            for event in receipt.events:
                for _, value in event.attributes:
                    if isinstance(value, bytes) and len(value) == ADDRESS_LEN:
                        positions = index.get(value)
                        if positions is None:
                            index[value] = [position]
                        elif positions[-1] != position:
                            positions.append(position)
        return index

    def _tx_at(self, position: int) -> str:
        text = self._tx_json.get(position)
        if text is None:
            block, hrp = self.block, self.hrp
            result = {
                "height": block.header.height,
                "position": position,
                "tx": tx_view(block.txs[position], hrp),
                "result": receipt_view(self.receipts[position], hrp),
            }
            text = self._tx_json[position] = json.dumps(result)
        return text

    def _index_kinds(self) -> dict[str, list[tuple[str | None, Event]]]:
        self.builds["events"] += 1
        index: dict[str, list[tuple[str | None, Event]]] = {}
        for receipt in self.receipts:
            tx_hash = receipt.tx_hash.hex()
            for event in receipt.events:
                index.setdefault(event.kind, []).append((tx_hash, event))
        for event in self.block_events:
            index.setdefault(event.kind, []).append((None, event))
        return index


def fanout_of(item: CommittedBlock, hrp: str, builds: Counter[str]) -> BlockFanout:
    """The block's shared fanout for `hrp`, made by the first subscriber that asks."""
    key = ("ws", hrp)
    shared = item.shared.get(key)
    if isinstance(shared, BlockFanout):
        return shared
    fanout = item.shared[key] = BlockFanout(item, hrp, builds)
    return fanout
