"""The shared per-block WebSocket indexes give every subscriber exactly today's notifications.

`reference_results` is the per-subscription walk the node did before the indexes (kept here as
the oracle): on random blocks, receipts, block events and subscriptions, each session's texts
are byte for byte `json.dumps` of the reference's notifications, and each index of a block is
built at most once however many sessions read it.
"""

from __future__ import annotations

import gc
import json
import weakref
from collections import Counter
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ledger.block import Block, Header
from ledger.errors import ErrorCode
from ledger.hashing import ZERO_HASH
from ledger.keys import ADDRESS_LEN, PrivateKey
from ledger.state.events import Event, Receipt
from ledger.tx import SignedTx, Transfer, TxBody
from node.api.events import CommittedBlock
from node.api.eventview import event_view
from node.api.views import receipt_view, tx_view
from node.api.ws import Session, Subscription
from node.api.ws_fanout import fanout_of
from tests.node.api.builder import CHAIN_ID, HRP, VALIDATOR, LiveChain

KEYS = [PrivateKey.from_secret(bytes([i])) for i in range(4)]
ADDRESSES = [k.address for k in KEYS]
TXS = [
    TxBody(CHAIN_ID, KEYS[i % 4].public_key, i, i, Transfer(ADDRESSES[(i + 1) % 4], i, "")).sign(
        KEYS[i % 4], ZERO_HASH
    )
    for i in range(8)
]
KINDS = ["transfer", "fee", "vote", "validator_update"]

values = st.one_of(
    st.sampled_from([a.raw for a in ADDRESSES]),
    st.integers(min_value=-(2**40), max_value=2**40),
    st.text(max_size=8),
    st.binary(max_size=24),
)
events = st.builds(
    Event,
    st.sampled_from(KINDS),
    st.lists(
        st.tuples(st.sampled_from(["to", "from", "amount", "memo", "note"]), values), max_size=4
    ).map(tuple),
)
receipts = st.builds(
    Receipt,
    st.sampled_from([tx.hash for tx in TXS]),
    st.sampled_from([ErrorCode.OK, ErrorCode.MALFORMED]),
    st.lists(events, max_size=4).map(tuple),
)
subscriptions = st.lists(
    st.one_of(
        st.just({"topic": "blocks"}),
        st.sampled_from(ADDRESSES).map(lambda a: {"topic": "txs", "account": a.to_text(HRP)}),
        st.sampled_from([*KINDS, "absent"]).map(lambda k: {"topic": "events", "kind": k}),
    ),
    max_size=16,
)


def reference_results(sub: Subscription, item: CommittedBlock, hrp: str) -> list[dict[str, Any]]:
    """The node's per-subscription walk before the shared indexes (the oracle)."""
    block = item.block
    height = block.header.height
    if sub.topic == "blocks":
        h = block.header
        return [
            {
                "height": height,
                "hash": block.hash().hex(),
                "time_ms": h.time_ms,
                "proposer": h.proposer.to_text(hrp),
                "state_root": h.state_root.hex(),
                "txs": [tx.hash.hex() for tx in block.txs],
            }
        ]
    if sub.topic == "txs" and sub.account is not None:
        wanted = sub.account.raw
        out = []
        for position, (tx, receipt) in enumerate(zip(block.txs, item.receipts, strict=False)):
            named = {v for e in receipt.events for _, v in e.attributes if _is_address(v)}
            if tx.body.sender_address.raw == wanted or wanted in named:
                out.append(
                    {
                        "height": height,
                        "position": position,
                        "tx": tx_view(tx, hrp),
                        "result": receipt_view(receipt, hrp),
                    }
                )
        return out
    out = []
    for receipt in item.receipts:
        for event in receipt.events:
            if event.kind == sub.kind:
                out.append(
                    {"height": height, "tx_hash": receipt.tx_hash.hex(), **event_view(event, hrp)}
                )
    for event in item.block_events:
        if event.kind == sub.kind:
            out.append({"height": height, "tx_hash": None, **event_view(event, hrp)})
    return out


def _is_address(value: object) -> bool:
    return isinstance(value, bytes) and len(value) == ADDRESS_LEN


def _block(height: int, txs: list[SignedTx]) -> Block:
    header = Header(
        chain_id=CHAIN_ID,
        height=height,
        time_ms=1_700_000_000_000 + height,
        prev_block_hash=ZERO_HASH,
        last_commit_hash=ZERO_HASH,
        tx_root=ZERO_HASH,
        evidence_root=ZERO_HASH,
        state_root=bytes([height % 256]) * 32,
        validators_hash=ZERO_HASH,
        next_validators_hash=ZERO_HASH,
        proposer=VALIDATOR.address,
    )
    return Block(header, tuple(txs), (), None)


committed_blocks = st.builds(
    CommittedBlock,
    st.builds(
        _block,
        st.integers(min_value=1, max_value=10**6),
        st.lists(st.sampled_from(TXS), max_size=6),
    ),
    st.lists(receipts, max_size=7).map(tuple),
    st.lists(events, max_size=3).map(tuple),
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(item=committed_blocks, session_subs=st.lists(subscriptions, min_size=1, max_size=3))
def test_notifications_are_todays_byte_for_byte(
    chain: LiveChain, item: CommittedBlock, session_subs: list[list[dict[str, str]]]
) -> None:
    ctx = chain.context()
    before = dict(ctx.events.index_builds)
    for subs in session_subs:
        session = Session(ctx)
        for params in subs:
            assert "result" in session.handle(json.dumps({"method": "subscribe", "params": params}))
        expected = [
            json.dumps({"subscription": sub_id, "topic": sub.topic, "result": result})
            for sub_id, sub in session.subs.items()
            for result in reference_results(sub, item, HRP)
        ]
        assert session.notifications(item, 10**9) == expected
    for index, count in ctx.events.index_builds.items():
        assert count - before.get(index, 0) <= 1


def test_a_blocks_shared_views_go_with_it_without_a_collection(chain: LiveChain) -> None:
    """The node collects young objects rarely (node/collector.py): a cycle between a committed
    block and its shared views would keep a megabyte of JSON per block alive until then."""
    item = CommittedBlock(_block(3, TXS[:2]), (), ())
    session = Session(chain.context())
    session.handle(json.dumps({"method": "subscribe", "params": {"topic": "blocks"}}))
    gc.disable()
    try:
        assert len(session.notifications(item, 10**9)) == 1
        views = weakref.ref(fanout_of(item, HRP, Counter()))
        del item
        assert views() is None
    finally:
        gc.enable()
