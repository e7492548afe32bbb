"""A real validator with `[storage] keep_blocks = 5`: it keeps committing and serving its recent
blocks and proofs, answers older heights with 410 `pruned`, and restarts on its pruned database."""

from __future__ import annotations

from pathlib import Path

import pytest

from ledger.state import keys
from node.devnet import dev_account_key
from node.testnet import init_testnet
from tests.node.processes import NodeProc, Sender, committed, http, submit, wait_for

pytestmark = [pytest.mark.slow, pytest.mark.timeout(300)]


def test_a_pruned_validator_commits_serves_recent_blocks_and_restarts(tmp_path: Path) -> None:
    net = init_testnet(tmp_path / "net", 1, block_interval_ms=200, empty_block_interval_ms=200)
    config = net.nodes[0].home / "config" / "config.toml"
    config.write_text(config.read_text().replace("keep_blocks = 0", "keep_blocks = 5"))
    node = NodeProc(net.nodes[0])
    node.start()
    try:
        wait_for(lambda: node.height() >= 1, 60, "the first block")
        sender = Sender(net.genesis, dev_account_key(0), dev_account_key(1))
        sent = submit(node, sender.batch(20))
        wait_for(lambda: committed(node, sent[-1]), 60, "the transfers")
        wait_for(lambda: node.height() >= 15, 60, "fifteen blocks")
        status = http(f"{node.url}/v1/status")[1]
        top, base = status["latest_height"], status["earliest_height"]
        assert base > 1 and top - base + 1 <= 6  # the window (one more may land meanwhile)
        code, body = http(f"{node.url}/v1/blocks/1")
        assert (code, body["error"]["code"]) == (410, "pruned"), body
        assert http(f"{node.url}/v1/blocks/{top}")[0] == 200
        account = keys.account(dev_account_key(1).address.raw).hex()
        code, proof = http(f"{node.url}/v1/proofs/{account}")
        assert code == 200 and proof["height"] >= top, proof

        node.stop()
        node.start()
        wait_for(lambda: node.height() >= top + 5, 60, "blocks after the restart")
        more = submit(node, sender.batch(5))
        wait_for(lambda: committed(node, more[-1]), 60, "transfers after the restart")
        assert http(f"{node.url}/v1/status")[1]["earliest_height"] > base
    finally:
        if node.running:
            node.stop()
