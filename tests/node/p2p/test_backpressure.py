"""Slow peers: a peer whose handler stops reading fills our queues; tx batches are dropped
oldest-first, and a full control queue (or a stuck send) disconnects the peer without a ban."""

from __future__ import annotations

import asyncio

from node.p2p import CloseCode, MessageType
from node.p2p.messages import MIB

BLOCK = b"b" * (256 * 1024)


async def test_a_slow_peer_is_disconnected_and_the_node_keeps_serving_others(make_node, wait_until):
    node = await make_node(0, control_queue_msgs=8, send_timeout=0.5)
    slow = await make_node(1, peers=[node])
    fast = await make_node(2, peers=[node])
    await wait_until(lambda: len(node.manager.peers) == 2)
    slow.handler.gate = asyncio.Event()  # slow stops reading at its next message

    sent = 0
    while node.manager.is_connected(slow.id) and sent < 1000:
        node.manager.send(slow.id, MessageType.BLOCK_RESPONSE, BLOCK)
        node.manager.send(fast.id, MessageType.BLOCK_RESPONSE, b"small")
        sent += 1
        await asyncio.sleep(0)  # let the writers run: the kernel buffers fill first
    assert not node.manager.is_connected(slow.id), "the slow peer was never disconnected"
    await wait_until(lambda: node.manager.stats.disconnects[CloseCode.SLOW_PEER.name] == 1)
    assert not node.manager.scores.is_banned(slow.id)  # slow is not malicious
    await wait_until(lambda: len(fast.handler.messages) == sent, what="fast peer got everything")

    slow.handler.gate.set()  # it catches up, notices the close, and comes back
    await wait_until(lambda: node.manager.is_connected(slow.id), timeout=10, what="reconnect")


async def test_tx_batches_to_a_slow_peer_are_dropped_oldest_first(make_node, wait_until):
    # a generous send timeout: this test is about dropping batches, not about slow-peer cut-offs,
    # and a loaded CI machine can hold a frame for seconds
    node = await make_node(0, bulk_queue_msgs=4, bulk_queue_bytes=64 * MIB, send_timeout=60.0)
    slow = await make_node(1, peers=[node])
    await wait_until(lambda: node.manager.peers == [slow.id])
    slow.handler.gate = asyncio.Event()

    # 640 txs of 64 KiB (40 MiB, more than the socket buffers hold) in batches of 1 MiB
    txs = [b"%05d" % i + b"t" * (64 * 1024 - 5) for i in range(640)]
    for i in range(0, len(txs), 16):
        node.manager.gossip_txs(txs[i : i + 16])
        await asyncio.sleep(0.002)
    stats = node.manager.stats
    await wait_until(lambda: stats.dropped_out[MessageType.TXS] > 0, what="drops")
    assert node.manager.is_connected(slow.id)  # dropping tx batches never disconnects
    assert node.manager.peer_info()[0]["queued_messages"] <= 4

    slow.handler.gate.set()
    received = slow.handler.txs
    await wait_until(lambda: received and received[-1][1] == txs[-1], what="the newest tx arrives")
    assert node.manager.peer_info()[0]["queued_messages"] == 0
    assert len(received) < len(txs)  # what was dropped is gone: tx gossip is best effort
    assert len({tx for _, tx in received}) == len(received)
    assert node.manager.is_connected(slow.id)
