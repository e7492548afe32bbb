"""docs/operating.md "Backups and restore", step by step on real processes: a validator's home is
backed up with the documented tar command, its machine is lost, and it is restored into a new
home. Without its live sign state the restored node refuses to start; with the sign state moved
from the lost machine it catches up, signs again, and nobody finds a double signature."""

from __future__ import annotations

import dataclasses
import shutil
import signal
import subprocess
from pathlib import Path

import pytest

from node.testnet import init_testnet
from tests.node.processes import Cluster, NodeProc, http, wait_for

pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]

SIGN_STATE = Path("data/priv_validator_state.bin")


def _tar(*args: str) -> None:
    done = subprocess.run(["tar", *args], check=False, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr


def _signed(node: NodeProc, height: int, validator: str) -> bool:
    code, block = http(f"{node.url}/v1/blocks/{height}?txs=hashes")
    assert code == 200, block
    return any(s.get("validator") == validator for s in block["last_commit"]["signatures"])


def test_a_validator_restored_from_backup_into_a_new_home_catches_up_and_signs_once(
    tmp_path: Path,
) -> None:
    testnet = init_testnet(
        tmp_path / "net", 4, block_interval_ms=200, timeout_propose_ms=1500,
        empty_block_interval_ms=500,
    )  # fmt: skip
    cluster = Cluster.of(testnet)
    cluster.start()
    try:
        nodes = cluster.nodes
        lost = nodes[3]
        wait_for(lambda: min(cluster.heights()) >= 3, 120, "four validators to commit")

        # the backup: node stopped, config/ (keys, config.toml, genesis) and data/chain
        assert lost.stop(signal.SIGTERM) == 0
        backup = tmp_path / "backup.tar.gz"
        _tar("-C", str(lost.node.home), "-czf", str(backup), "config", "data/chain")
        backed_up_at = nodes[0].answered_height()
        lost.start()
        wait_for(lambda: lost.height() >= backed_up_at + 5, 120, "the node to go on after it")

        # the machine is lost (SIGKILL); only its sign state is saved from the old disk
        assert lost.stop(signal.SIGKILL) == -signal.SIGKILL
        live_sign_state = tmp_path / "rescued-sign-state.bin"
        shutil.move(lost.node.home / SIGN_STATE, live_sign_state)
        shutil.rmtree(lost.node.home)

        # restore into a new home: the backup alone does not start (no sign state)
        new_home = tmp_path / "restored"
        new_home.mkdir(mode=0o700)
        _tar("-C", str(new_home), "-xzf", str(backup))
        restored = NodeProc(dataclasses.replace(lost.node, home=new_home))
        restored.start()
        assert restored.process is not None
        assert restored.process.wait(60) != 0
        assert "has no sign state" in restored.log_text()

        # with the sign state moved from the lost machine it starts, catches up and signs
        shutil.move(live_sign_state, new_home / SIGN_STATE)
        restored.start()
        cluster.nodes[3] = restored
        top = nodes[0].answered_height()
        wait_for(lambda: restored.height() >= top + 3, 180, "the restored node to catch up")
        validator = http(f"{restored.url}/v1/status")[1]["validator"]
        assert validator
        now = restored.answered_height()
        wait_for(lambda: nodes[0].answered_height() >= now + 4, 120, "blocks after the restore")
        assert any(_signed(nodes[0], h, validator) for h in range(now + 1, now + 5))
        for height in range(1, min(cluster.heights()) + 1):
            assert len({n.block_hash(height) for n in cluster.nodes}) == 1, height
        for node in cluster.nodes:
            code, page = http(f"{node.url}/v1/blocks?limit=100")
            assert code == 200
            assert sum(int(b["evidence_count"]) for b in page["blocks"]) == 0
            assert "evidence:" not in node.log_text()
    finally:
        cluster.stop_all()
