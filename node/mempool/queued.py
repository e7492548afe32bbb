"""What a queued tx (ahead of its sender's next nonce) must show before the pool holds it.

A queued tx is not executed until its gap fills, so this is the cheap stand-in for the stateful
check, as go-ethereum's txpool asks of queued txs: the sender's account must exist and its
balance after its ready txs must cover the fee of every queued tx and the amount of every queued
transfer, this one included. Without it, keys that never held a coin could fill every pool of the
network for free (issue 14: 3,400 such keys filled four 50,000-slot pools).
"""

from __future__ import annotations

from ledger.state.reader import StateReader
from ledger.state.records import Account
from ledger.tx import SignedTx, Transfer
from node.mempool.sender import SenderQueue


def cost(tx: SignedTx) -> int:
    """What a tx takes from its sender's balance at least: the fee, and a transfer's amount."""
    payload = tx.body.payload
    return tx.body.fee + (payload.amount if isinstance(payload, Transfer) else 0)


def cannot_pay_queued(overlay: StateReader, queue: SenderQueue, tx: SignedTx) -> str:
    """Why the sender cannot pay for `tx` on top of its other queued txs, or "" when it can.
    `overlay` is the sender's view: committed state plus its ready txs."""
    data = overlay.get(queue.account_key)
    if data is None:
        return "the sender has no account: a tx ahead of the next nonce needs one that can pay"
    balance = Account.decode(data).balance
    owed = sum(cost(t) for t in queue.future.values()) + cost(tx)
    if balance < owed:
        return f"balance {balance} cannot pay {owed} for the sender's queued txs"
    return ""
