"""Event-loop CPU that one committed block costs the WebSocket subscribers (node/api/ws.py).

    nice -n 10 .venv/bin/python -m benchmarks.ws_fanout_bench [--txs 20000] [--clients 1 100]
    git show 51a2086:node/api/ws.py > /tmp/ws_before.py   # the per-subscription walk, to compare
    nice -n 10 .venv/bin/python -m benchmarks.ws_fanout_bench --ws-file /tmp/ws_before.py

A block of `--txs` transfers (dummy signatures: nothing here checks them) from 200 senders, each
receipt a `transfer` event naming sender and recipient, and one block-level `validator_update`
event. Each client subscribes to "blocks", "txs" of one sender (about txs/200 matches) and
"events" of kind `validator_update` (one match; `--kind transfer` matches every tx): the walk
over the block is what a subscription costs, not what it receives. Times, in this process's CPU,
every client's `Session.notifications` for a fresh committed block, up to the JSON texts the
pump writes (the socket writes themselves are left out); median of `--reps`. `--ws-file` loads
another version of node/api/ws.py (before the shared indexes, `Session.notifications` returned
dicts that the pump `json.dumps`ed: the bench dumps them too).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import statistics
import sys
import time
from types import ModuleType
from typing import Any, cast

from ledger.block import Block, Header
from ledger.errors import ErrorCode
from ledger.hashing import ZERO_HASH
from ledger.keys import PrivateKey
from ledger.state.events import Event, Receipt
from ledger.tx import SignedTx, Transfer, TxBody
from node.api import ws as ws_now
from node.api.context import ApiContext
from node.api.events import CommittedBlock, EventHub

HRP = "tcot"


class _Ctx:
    """What a `Session` reads of the API context: the address prefix and the event hub."""

    hrp = HRP

    def __init__(self) -> None:
        self.events = EventHub()


def _block(txs: int) -> CommittedBlock:
    keys = [PrivateKey.from_secret(i.to_bytes(4, "big")) for i in range(200)]
    signed, receipts = [], []
    for i in range(txs):
        key, to = keys[i % 200], keys[(i * 7 + 3) % 200].address
        body = TxBody("bench", key.public_key, i // 200, 1, Transfer(to, 1 + i % 1000, ""))
        tx = SignedTx(body, bytes(64))
        signed.append(tx)
        event = Event.of("transfer", sender=key.address.raw, recipient=to.raw, amount=1)
        receipts.append(Receipt(tx.hash, ErrorCode.OK, (event,)))
    header = Header(
        chain_id="bench",
        height=7,
        time_ms=1_700_000_000_000,
        prev_block_hash=ZERO_HASH,
        last_commit_hash=ZERO_HASH,
        tx_root=ZERO_HASH,
        evidence_root=ZERO_HASH,
        state_root=ZERO_HASH,
        validators_hash=ZERO_HASH,
        next_validators_hash=ZERO_HASH,
        proposer=keys[0].address,
    )
    block_events = (Event.of("validator_update", validator=keys[1].address.raw, power=5),)
    return CommittedBlock(Block(header, tuple(signed), (), None), tuple(receipts), block_events)


def _load(path: str | None) -> ModuleType:
    if path is None:
        return ws_now
    spec = importlib.util.spec_from_file_location("ws_other", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["ws_other"] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def _texts(messages: list[Any]) -> int:
    """The bytes the pump would write: the old Session gave dicts the pump dumped."""
    return sum(len(m if isinstance(m, str) else json.dumps(m)) for m in messages)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--txs", type=int, default=20_000)
    parser.add_argument("--clients", type=int, nargs="+", default=[1, 100])
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--ws-file", default=None)
    parser.add_argument("--kind", default="validator_update", help="the events subscription's")
    args = parser.parse_args()
    module = _load(args.ws_file)
    template = _block(args.txs)
    account = template.block.txs[0].body.sender_address.to_text(HRP)
    subs = [
        {"topic": "blocks"},
        {"topic": "txs", "account": account},
        {"topic": "events", "kind": args.kind},
    ]
    print(f"ws.py: {args.ws_file or 'node/api/ws.py (this tree)'}; block of {args.txs} txs")
    for clients in args.clients:
        ctx = cast(ApiContext, _Ctx())
        sessions = [module.Session(ctx) for _ in range(clients)]
        for session in sessions:
            for params in subs:
                assert "result" in session.handle(
                    json.dumps({"method": "subscribe", "params": params})
                )
        cpu, sent = [], 0
        for _ in range(args.reps):
            item = CommittedBlock(template.block, template.receipts, template.block_events)
            start = time.process_time()
            sent = sum(_texts(session.notifications(item, 10**9)) for session in sessions)
            cpu.append(time.process_time() - start)
        per_block = statistics.median(cpu) * 1000
        print(
            f"clients={clients:4d} x {len(subs)} subscriptions: loop CPU per block "
            f"{per_block:8.1f} ms, {sent / 1e6:6.1f} MB of JSON; "
            f"load average (1 min) {os.getloadavg()[0]:.2f}"
        )


if __name__ == "__main__":
    main()
