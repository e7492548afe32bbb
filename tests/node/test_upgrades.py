"""An upgrade by governance on four real validators (docs/operating.md, "Upgrades").

The validators vote an upgrade plan; a validator started on the new release before the height
refuses to start; at the height every validator on the old release halts with one line naming the
upgrade; restarted on the new release (tests/node/upgrade_release.py, which registers `v2-test`
and its migration) they apply the migration exactly at the height and the chain goes on, one
chain with identical roots on every node.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from ledger.collectives.ids import VALIDATORS_BODY_ID
from ledger.governance.ballots import Ballot
from ledger.governance.kinds import BinaryOption
from ledger.governance.proposal_txs import ProposalSubmit
from ledger.governance.upgrade_action import UpgradePlanAction
from ledger.governance.vote_txs import Vote
from ledger.tx import Payload, TxBody
from node.home import NodeHome
from node.testnet import init_testnet
from tests.node import upgrade_release
from tests.node.processes import Cluster, committed, http, submit, wait_for

pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]

RELEASE = "tests.node.upgrade_release"
YES = Ballot.binary(BinaryOption.YES)


def _send(cluster: Cluster, index: int, nonce: int, payload: Payload) -> None:
    genesis = cluster.testnet.genesis
    key = NodeHome(cluster.nodes[index].node.home).load_validator_key()
    body = TxBody(genesis.chain_id, key.public_key, nonce, 0, payload)
    (sent,) = submit(cluster.nodes[0], [body.sign(key, genesis.hash()).encode().hex()])
    wait_for(lambda: committed(cluster.nodes[0], sent), 60, f"the tx of validator {index}")


def _state_value(url: str, key: bytes) -> tuple[int, str | None]:
    code, body = http(f"{url}/v1/proofs/{key.hex()}")
    assert code == 200, body
    return int(body["height"]), body["value"]


def test_validators_vote_an_upgrade_halt_on_the_old_release_and_go_on_with_the_new(
    tmp_path: Path,
) -> None:
    testnet = init_testnet(
        tmp_path / "net", 4, block_interval_ms=200, timeout_propose_ms=1500,
        empty_block_interval_ms=300,
    )  # fmt: skip
    cluster = Cluster.of(testnet)
    cluster.start()
    nodes = cluster.nodes
    try:
        wait_for(lambda: min(cluster.heights()) >= 2, 120, "four validators to commit")
        upgrade_height = nodes[0].answered_height() + 25
        plan = UpgradePlanAction(upgrade_release.NAME, upgrade_height, "tests/node")
        _send(cluster, 0, 0, ProposalSubmit(VALIDATORS_BODY_ID, (plan,)))
        code, proposals = http(
            f"{nodes[0].url}/v1/collectives/{VALIDATORS_BODY_ID.hex()}/proposals"
        )
        assert code == 200, proposals
        pid = max(p["id"] for p in proposals["proposals"])
        for index in (0, 1, 2):
            _send(cluster, index, 1 if index == 0 else 0, Vote(pid, YES))
        assert nodes[0].answered_height() < upgrade_height - 3, "voting took too long"

        # the new release before the height: refuses to start, says why
        early = nodes[3]
        early.stop()
        early.module = RELEASE
        early.start()
        assert early.process is not None and early.process.wait(60) != 0
        assert "must not run before the upgrade" in early.log_text()
        early.module = "cli"
        early.start()

        # the old release halts at the height, every node, with the one line
        for node in nodes:
            assert node.process is not None
            assert node.process.wait(180) != 0, "an old node went past the upgrade height"
            assert "UPGRADE NEEDED" in node.log_text() and upgrade_release.NAME in node.log_text()
        for node in nodes:
            node.module = RELEASE
            node.start()
        wait_for(lambda: min(cluster.heights()) >= upgrade_height + 3, 180, "the upgraded chain")
        top = min(cluster.heights())
        for height in range(1, top + 1):
            assert len({n.block_hash(height) for n in nodes}) == 1, f"fork at {height}"
        roots = {
            http(f"{n.url}/v1/blocks/{top}?txs=hashes")[1]["header"]["state_root"] for n in nodes
        }
        assert len(roots) == 1
        for node in nodes:
            _, value = _state_value(node.url, upgrade_release.VERSION_KEY)
            assert value == b"2".hex()
        before = http(f"{nodes[0].url}/v1/blocks/{upgrade_height - 1}?txs=hashes")[1]
        at = http(f"{nodes[0].url}/v1/blocks/{upgrade_height}?txs=hashes")[1]
        assert before["header"]["state_root"] != at["header"]["state_root"]
    finally:
        cluster.stop_all()
