"""The account index a committed block writes: which accounts each of its txs touched."""

from __future__ import annotations

from collections.abc import Iterable

from ledger.keys import ADDRESS_LEN, Address
from ledger.state.executor import BlockResult
from ledger.tx import Transfer


def touched_accounts(result: BlockResult) -> Iterable[tuple[Address, int]]:
    """(account, tx position) for the sender and every account an event names, once each, in
    address order per tx."""
    for position, (tx, receipt) in enumerate(zip(result.included, result.receipts, strict=True)):
        sender = tx.body.sender_address
        payload = tx.body.payload
        if type(payload) is Transfer:  # one event, naming the sender and the (other) recipient
            recipient = payload.recipient
            low, high = (sender, recipient) if sender.raw < recipient.raw else (recipient, sender)
            yield low, position
            yield high, position
            continue
        seen = {sender.raw}
        for event in receipt.events:
            for _name, value in event.attributes:
                if isinstance(value, bytes) and len(value) == ADDRESS_LEN:
                    seen.add(value)
        if len(seen) == 1:
            yield sender, position
            continue
        for raw in sorted(seen):
            yield Address(raw), position
