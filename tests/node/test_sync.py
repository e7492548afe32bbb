"""Block sync against peers that are slow, chatty or lying about their height (issue 20,
item 6): a real node (opened, not started: we play its peers by hand) with real blocks from a
real 4-validator network, and the node's real peer scores."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from ledger import codec
from node.service import Node
from node.sync import HEDGE_AFTER
from node.sync_peers import NO_ANSWER_PENALTY, REQUEST_TIMEOUT, SLOW_ANSWER
from node.testnet import LocalTestnet
from node.wire import BlockResponse, Status

PEER_A, PEER_B, PEER_C, PEER_D = (bytes([i]) * 32 for i in range(1, 5))


async def until(condition: Callable[[], bool], timeout: float = 60.0) -> None:
    async with asyncio.timeout(timeout):
        while not condition():
            await asyncio.sleep(0.05)


def payload(node: Node, height: int) -> bytes:
    block, commit = node.store.block_bytes(height), node.store.commit(height)
    assert block is not None and commit is not None
    return BlockResponse.encode_stored(height, block, commit.encode())


def age(node: Node, peer: bytes, height: int, seconds: float) -> None:
    """Pretend the request of `height` to `peer` was sent `seconds` earlier."""
    for table in (node.sync._requests, node.sync._hedges):
        request = table.get(height)
        if request is not None and request.peer == peer:
            request.sent -= seconds


async def left_behind(network: list[Node], lead: int) -> Node:
    """The last node, stopped until the first is `lead` blocks ahead, then reopened (not
    started): its sync is driven by hand."""
    home = network[3].home.root
    await network[3].stop()
    await until(lambda: network[0].store.height >= network[3].store.height + lead)
    return Node.open(home)


async def test_a_slow_peer_does_not_stall_sync_and_pays_for_its_slowness(
    network: list[Node],
) -> None:
    honest = network[0]
    behind = await left_behind(network, 4)
    sync, scores = behind.sync, behind.p2p.scores
    start = behind.store.height
    top = honest.store.height
    max_bytes = 8 * 1024 * 1024
    try:
        sync.on_status(PEER_A, Status(top, bytes(32), 0))  # A gets start+1 and start+2
        sync.on_status(PEER_B, Status(top, bytes(32), 0))
        assert sync.expects(PEER_A, start + 1)
        age(behind, PEER_A, start + 1, HEDGE_AFTER + 0.1)  # A is slow with the next block
        sync.on_status(PEER_C, Status(top, bytes(32), 0))
        assert sync.expects(PEER_C, start + 1), "the next height is asked of another peer"
        await sync.on_response_payload(PEER_C, payload(honest, start + 1), max_bytes)
        await sync.applied()
        assert behind.store.height == start + 1  # C's answer was applied, A's not awaited
        await sync.on_response_payload(PEER_A, payload(honest, start + 1), max_bytes)
        assert scores.score(PEER_A) == 0  # a late answer after a hedge is no offence
        age(behind, PEER_A, start + 2, SLOW_ANSWER + 0.1)
        await sync.on_response_payload(PEER_A, payload(honest, start + 2), max_bytes)
        await sync.applied()
        assert behind.store.height == start + 2
        assert scores.score(PEER_A) < 0  # a slow answer costs a little
    finally:
        behind._close_files()


async def test_unasked_and_repeated_block_responses_cost_the_peer_unread(
    network: list[Node],
) -> None:
    honest = network[0]
    behind = await left_behind(network, 2)
    sync, scores = behind.sync, behind.p2p.scores
    start = behind.store.height
    try:
        junk = codec.encode([start + 1, b"not a block", b"not a commit"])
        await sync.on_response_payload(PEER_D, junk, 1024)  # not decoded: no error
        assert scores.score(PEER_D) < 0
        sync.on_status(PEER_A, Status(honest.store.height, bytes(32), 0))
        good = payload(honest, start + 1)
        await sync.on_response_payload(PEER_A, good, 8 * 1024 * 1024)
        await sync.applied()
        assert behind.store.height == start + 1 and scores.score(PEER_A) == 0
        await sync.on_response_payload(PEER_A, good, 8 * 1024 * 1024)  # the same again
        assert scores.score(PEER_A) < 0
    finally:
        behind._close_files()


async def test_a_peer_lying_about_its_height_stops_counting_at_once_and_is_soon_banned(
    testnet_dir: LocalTestnet,
) -> None:
    node = Node.open(testnet_dir.nodes[0].home)
    sync = node.sync
    try:
        for cycle in range(1, 10):
            sync.on_status(PEER_D, Status(1000, bytes(32), 0))
            if node.p2p.scores.ban_remaining(PEER_D) > 0:
                break
            assert cycle == 1 or not sync.syncing, "a doubted peer must not keep us syncing"
            for height in [h for h, r in sync._requests.items() if r.peer == PEER_D]:
                age(node, PEER_D, height, REQUEST_TIMEOUT + 1)
            sync.pump()
            assert not sync.syncing
        assert node.p2p.scores.ban_remaining(PEER_D) > 0
        assert cycle <= 4, f"banned only after {cycle} unanswered rounds"
    finally:
        node._close_files()


async def test_blocks_received_out_of_order_are_verified_at_once_and_applied_in_order(
    network: list[Node],
) -> None:
    honest = network[0]
    behind = await left_behind(network, 4)
    sync = behind.sync
    start = behind.store.height
    top = start + 4
    try:
        for peer in (PEER_A, PEER_B):
            sync.on_status(peer, Status(honest.store.height, bytes(32), 0))
        asked = {h: r.peer for h, r in sync._requests.items() if start < h <= top}
        assert sorted(asked) == list(range(start + 1, top + 1))
        for height in range(top, start + 1, -1):  # the next height we need comes last
            await sync.on_response_payload(asked[height], payload(honest, height), 8 << 20)
            assert height in sync._verifying, "signatures go to the workers on receipt"
        assert behind.store.height == start  # nothing applies before start + 1 is here
        await sync.on_response_payload(asked[start + 1], payload(honest, start + 1), 8 << 20)
        await sync.applied()
        assert behind.store.height == top
        header = honest.store.header(top)
        assert header is not None and behind.store.state_root == header.state_root
        assert behind.store.recompute_state_root() == behind.store.state_root
        assert not sync._verifying and not sync.bad_blocks_total
    finally:
        behind._close_files()


async def test_a_lone_peer_that_answers_late_is_waited_for_not_banned(
    network: list[Node],
) -> None:
    """A loaded validator serving big blocks may answer after REQUEST_TIMEOUT: that answer
    shows it serves what it claims, so the sync waits longer for it next time instead of
    doubling its penalty until it is banned (a joiner with one peer then stalled for 600 s)."""
    honest = network[0]
    behind = await left_behind(network, 7)
    sync, scores = behind.sync, behind.p2p.scores
    start = behind.store.height
    top = honest.store.height
    try:
        for height in range(start + 1, start + 7):
            sync.on_status(PEER_A, Status(top, bytes(32), 0))
            assert sync.expects(PEER_A, height)
            age(behind, PEER_A, height, REQUEST_TIMEOUT + 1)  # every answer takes 6 s
            sync.pump()  # the first is late: a miss, then a late answer
            await sync.on_response_payload(PEER_A, payload(honest, height), 8 * 1024 * 1024)
            await sync.applied()
            assert behind.store.height == height
            assert not scores.is_banned(PEER_A), f"a slow honest peer banned at {height}"
            if height == start + 2:
                once_known = scores.score(PEER_A)  # what its first late answers cost
        assert scores.score(PEER_A) >= once_known, "a peer known to be slow keeps paying"
        assert once_known > -6 * NO_ANSWER_PENALTY
    finally:
        behind._close_files()
