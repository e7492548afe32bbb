"""Tx gossip: the seen-set, batching, and delivery exactly once per node over real sockets."""

from __future__ import annotations

import asyncio
import itertools

from ledger.hashing import digest
from node.p2p import MessageType
from node.p2p.gossip import SeenTxs, TxGossip
from node.p2p.messages import decode_frame, decode_txs, message_limits
from node.p2p.stats import P2PStats

A, B, C = b"A" * 32, b"B" * 32, b"C" * 32


def make_txs(n: int, tag: bytes = b"tx", size: int = 100) -> list[bytes]:
    return [(tag + b"-%06d-" % i).ljust(size, b".") for i in range(n)]


def test_seen_txs_remembers_holders_and_forgets_the_oldest():
    seen = SeenTxs(capacity=3)
    assert seen.observe(b"h1", A)
    assert not seen.observe(b"h1", B)
    assert seen.holders(b"h1") == {A, B}
    assert seen.observe(b"h2", None)
    assert seen.holders(b"h2") == set()
    seen.observe(b"h3", A)
    seen.observe(b"h4", A)
    assert len(seen) == 3 and b"h1" not in seen
    assert seen.observe(b"h1", C)  # forgotten, so new again
    seen.forget(b"h1")
    assert b"h1" not in seen


def test_gossip_batches_per_peer_and_skips_holders():
    sent: list[tuple[bytes, list[bytes]]] = []

    def send_frame(peer: bytes, msg_type: MessageType, frame: bytes) -> bool:
        got_type, payload = decode_frame(frame, message_limits())
        assert got_type is msg_type is MessageType.TXS
        sent.append((peer, decode_txs(payload)))
        return True

    stats = P2PStats()
    gossip = TxGossip(
        seen=SeenTxs(1000),
        send_frame=send_frame,
        max_txs=10,
        max_bytes=550,  # 5 txs of 100 bytes (+5 bytes of framing each) and the array header
        flush_interval=0.01,
        stats=stats,
    )
    txs = make_txs(12)
    assert gossip.receive(A, txs[:3]) == txs[:3]
    assert gossip.receive(B, txs[:4]) == txs[3:4]  # only the one it had not seen
    gossip.gossip(txs, [A, B, C])
    gossip.flush()
    to_a = [tx for peer, batch in sent if peer == A for tx in batch]
    to_b = [tx for peer, batch in sent if peer == B for tx in batch]
    to_c = [tx for peer, batch in sent if peer == C for tx in batch]
    assert to_a == txs[3:] and to_b == txs[4:] and to_c == txs
    assert all(len(batch) <= 5 for _, batch in sent)
    assert stats.txs_out == len(to_a) + len(to_b) + len(to_c)
    sent.clear()
    gossip.gossip(txs, [A, B, C])  # everyone holds everything now
    gossip.flush()
    assert sent == []


def test_a_lone_validator_remembers_no_tx_it_had_no_peer_to_send_to():
    """A node without peers kept an empty holder set for every tx it admitted, up to `seen_txs`
    (200,000 entries, 61 MiB) of memory that told it nothing."""
    gossip = TxGossip(
        seen=SeenTxs(1000),
        send_frame=lambda peer, msg_type, frame: True,
        max_txs=10,
        max_bytes=1 << 20,
        flush_interval=0.01,
        stats=P2PStats(),
    )
    txs = make_txs(50)
    gossip.gossip(txs, [])
    assert len(gossip.seen) == 0
    assert gossip.receive(A, txs[:3]) == txs[:3]  # a peer that connects later still delivers them
    gossip.gossip(txs, [A, B])
    assert len(gossip.seen) == 50
    assert gossip.seen.holders(digest(txs[0])) == {A, B}
    assert gossip.seen.holders(digest(txs[49])) == {A, B}


async def test_tx_batches_reach_every_node_of_a_mesh_exactly_once(make_node, wait_until):
    nodes = [await make_node(i, start=False) for i in range(4)]
    for a, b in itertools.combinations(nodes, 2):
        a.manager.add_peer(b.address)
    await asyncio.gather(*(n.start() for n in nodes))
    await wait_until(lambda: all(len(n.manager.peers) == 3 for n in nodes))

    injected = {}
    for i, node in enumerate(nodes):  # each node gets 300 txs "from its API", in small bursts
        txs = make_txs(300, tag=b"node%d" % i)
        injected[node.id] = txs
        for j in range(0, 300, 50):
            node.manager.gossip_txs(txs[j : j + 50])
            await asyncio.sleep(0.001)
    everything = {tx for txs in injected.values() for tx in txs}

    def complete(node) -> bool:
        return len(node.handler.txs) >= len(everything) - 300

    await wait_until(lambda: all(complete(n) for n in nodes), what="txs everywhere")
    await asyncio.sleep(0.1)  # anything late would be a duplicate
    for node in nodes:
        got = [tx for _, tx in node.handler.txs]
        assert len(got) == len(set(got)), "a tx was delivered twice"
        assert set(got) == everything - set(injected[node.id])
        assert node.manager.stats.txs_new == len(got)
        # a tx may reach a node over several paths (counted, not delivered again), but at most
        # once from each peer
        assert node.manager.stats.txs_in <= 3 * len(got)


async def test_txs_are_relayed_along_a_line_exactly_once(make_node, wait_until):
    # 0 - 1 - 2 - 3: txs entering at both ends cross the whole line through the relays
    nodes = [await make_node(0)]
    for i in range(1, 4):
        nodes.append(await make_node(i, peers=[nodes[-1]]))
    await wait_until(lambda: [len(n.manager.peers) for n in nodes] == [1, 2, 2, 1])
    left, right = make_txs(500, b"left"), make_txs(500, b"right")
    nodes[0].manager.gossip_txs(left)
    nodes[3].manager.gossip_txs(right)

    await wait_until(lambda: all(len(n.handler.txs) >= 500 for n in (nodes[0], nodes[3])))
    await wait_until(lambda: all(len(n.handler.txs) >= 1000 for n in nodes[1:3]))
    await asyncio.sleep(0.1)
    assert sorted(tx for _, tx in nodes[0].handler.txs) == sorted(right)
    assert sorted(tx for _, tx in nodes[3].handler.txs) == sorted(left)
    for node in nodes[1:3]:
        got = [tx for _, tx in node.handler.txs]
        assert sorted(got) == sorted(left + right)
    for node in (nodes[0], nodes[3]):
        assert node.manager.stats.txs_in == 500  # its own txs never came back
    assert nodes[0].manager.stats.messages_in[MessageType.TXS] < 500  # they travelled in batches
