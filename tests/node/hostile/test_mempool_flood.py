"""Issue 14, item 3: keys without coins cannot fill a node's pool; queued txs stay local.

On 2010e93 a future-nonce tx was admitted without a balance check and gossiped at once: 3,400
fresh keys filled all four 50,000-slot pools and other senders' queued txs got MEMPOOL_FULL.
"""

from __future__ import annotations

import time

import pytest

from ledger.keys import PrivateKey
from ledger.tx import Transfer, TxBody
from node.devnet import dev_account_key
from tests.node.hostile.attacker import peak_rss_mb
from tests.node.processes import Cluster, NodeProc, committed, http, wait_for

pytestmark = [pytest.mark.slow, pytest.mark.timeout(300)]


def _signed(net: Cluster, key: PrivateKey, nonce: int, amount: int = 1) -> str:
    genesis = net.testnet.genesis
    to = dev_account_key(1).address
    body = TxBody(genesis.chain_id, key.public_key, nonce, 1, Transfer(to, amount))
    return body.sign(key, genesis.hash()).encode().hex()


def _post(node: NodeProc, txs: list[str]) -> list[dict[str, object]]:
    code, body = http(node.url + "/v1/txs", {"txs": txs})
    assert code == 200, body
    return list(body["results"])


def _mempool(node: NodeProc) -> dict[str, int]:
    code, body = http(node.url + "/v1/mempool")
    assert code == 200
    return body


def test_fresh_keys_cannot_queue_txs_in_a_node(solo: Cluster) -> None:
    node = solo.nodes[0]
    flood = [_signed(solo, PrivateKey.generate(), n) for _ in range(100) for n in range(1, 11)]
    results = [r for i in range(0, len(flood), 250) for r in _post(node, flood[i : i + 250])]
    assert not any(r["ok"] for r in results)
    assert {r["code"] for r in results} == {"INSUFFICIENT_FUNDS"}
    assert _mempool(node)["txs"] == 0
    # a sender that can pay still queues a tx ahead of its nonce
    [queued] = _post(node, [_signed(solo, dev_account_key(0), 1)])
    assert queued["ok"] and queued["queued"], queued
    assert _mempool(node)["future"] == 1
    assert peak_rss_mb(node) < 150  # an idle one-validator node: about 75 MB


def test_a_queued_tx_is_gossiped_only_once_its_gap_is_filled(pair: Cluster) -> None:
    a, b = pair.nodes
    key = dev_account_key(2)
    [queued] = _post(a, [_signed(pair, key, 1)])
    assert queued["ok"] and queued["queued"], queued
    time.sleep(1.5)  # several gossip flushes (10 ms each)
    assert _mempool(b)["txs"] == 0
    [head] = _post(a, [_signed(pair, key, 0)])
    assert head["ok"] and not head["queued"]
    tx_hash = str(queued["tx_hash"])
    wait_for(lambda: committed(a, tx_hash) and committed(b, tx_hash), 60, "both txs committed")
