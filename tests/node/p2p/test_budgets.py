"""Issue 14, item 5: a peer's expensive traffic is budgeted; a flood costs it its score.

On 2010e93 a validator could send block requests without end (each answered with a block:
+125 MB per peer, then a disconnect without a ban) and 8 MB proposals as fast as its link
allowed, each decoded in full. Now each type has a per-peer budget of messages and bytes
(node/p2p/budget.py); what goes beyond is dropped undecoded and costs `Penalty.FLOOD`.
"""

from __future__ import annotations

import asyncio

from node.p2p import CloseCode, MessageType
from node.p2p.budget import Budget, PeerBudgets, default_budgets
from node.p2p.messages import encode_frame
from node.wire import BlockRequest
from tests.node.p2p.conftest import KEYS, connect_as


async def _closed_code(ws) -> int | None:
    while True:
        msg = await asyncio.wait_for(ws.receive(), 10)
        if msg.type.name in ("CLOSE", "CLOSED", "CLOSING"):
            return ws.close_code


async def test_a_block_request_flood_is_dropped_and_ends_in_a_ban(make_node, session, wait_until):
    node = await make_node(0)
    ws = await connect_as(session, node)
    await wait_until(lambda: node.manager.peers == [KEYS[1].public_key])
    request = encode_frame(MessageType.BLOCK_REQUEST, BlockRequest(1).encode())
    for _ in range(400):
        await ws.send_bytes(request)
    assert await _closed_code(ws) == CloseCode.BANNED
    delivered = [m for m in node.handler.messages if m[1] is MessageType.BLOCK_REQUEST]
    burst = default_budgets(1)[MessageType.BLOCK_REQUEST].burst
    assert len(delivered) <= burst + 10  # the burst, and what trickled in at the rate
    assert node.manager.stats.over_budget_in[MessageType.BLOCK_REQUEST] >= 20
    assert node.manager.scores.is_banned(KEYS[1].public_key)


async def test_large_proposals_beyond_the_byte_budget_are_not_delivered(
    make_node, session, wait_until
):
    budgets = {MessageType.PROPOSAL: Budget(100, 100, 100_000, 200_000)}
    node = await make_node(0, budgets=budgets)
    ws = await connect_as(session, node)
    await wait_until(lambda: node.manager.peers == [KEYS[1].public_key])
    proposal = encode_frame(MessageType.PROPOSAL, b"p" * 50_000)
    for _ in range(8):
        await ws.send_bytes(proposal)
    await wait_until(lambda: node.manager.stats.messages_in[MessageType.PROPOSAL] == 8)
    delivered = [m for m in node.handler.messages if m[1] is MessageType.PROPOSAL]
    assert 4 <= len(delivered) <= 5  # 200 KB of burst (+ what refilled meanwhile)
    assert node.manager.scores.score(KEYS[1].public_key) < 0


def test_a_budget_refills_at_its_rate_and_never_above_its_burst() -> None:
    now = [0.0]
    budgets = PeerBudgets({MessageType.VOTE: Budget(10, 20)}, clock=lambda: now[0])
    peer = b"p" * 32
    assert sum(budgets.allow(peer, MessageType.VOTE, 100) for _ in range(50)) == 20
    now[0] += 1.0
    assert sum(budgets.allow(peer, MessageType.VOTE, 100) for _ in range(50)) == 10
    now[0] += 1000.0
    assert sum(budgets.allow(peer, MessageType.VOTE, 100) for _ in range(50)) == 20
    assert budgets.allow(peer, MessageType.TXS, 10**6)  # no budget for this type
