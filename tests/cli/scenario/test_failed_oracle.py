"""A failed oracle end to end: a real short run whose collected data a test-only fault falsifies
(cli.scenario.testfault) exits 7 and names the height, the node and the tx."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli.scenario.running import scenario_run

MANIFEST = """
name = "failed-oracle"
duration_s = 4
drain_s = 8
[validators]
count = 3
[load]
rate = 30
"""


@pytest.mark.slow
@pytest.mark.xdist_group("scenario")
def test_a_tx_claimed_committed_but_never_sent_and_a_wrong_hash_exit_7_naming_them(
    tmp_path: Path,
) -> None:
    env = {**os.environ, "COTERIE_SCENARIO_TEST_FAULT": "phantom-commit,corrupt-hash"}
    done, out = scenario_run(MANIFEST, tmp_path, env)
    text = done.stdout + done.stderr
    assert done.returncode == 7, text
    phantom = re.search(
        r"test fault: tx ([0-9a-f]{64}) never sent, recorded committed at (\d+)", text
    )
    assert phantom, text
    tx, height = phantom.groups()
    for node in ("node0", "node1", "node2"):
        assert f"tx {tx}: committed at height {height}, missing there on {node}" in text, text
    assert re.search(
        rf"height {height}: node2 has hash 0000000000000000 but node0 has [0-9a-f]{{16}}", text
    )
    assert "FAILED: durability" in text and "FAILED: agreement" in text
    assert "ok: no process left behind" in text and "ok: liveness" in text
    series = json.loads((out / "series.json").read_text())
    failed = {o["name"] for o in series["oracles"] if not o["ok"]}
    assert failed == {"durability", "agreement"}
    assert any(n.startswith("test fault:") for n in series["notes"])


def test_an_unknown_test_fault_stops_the_run_before_anything_starts(tmp_path: Path) -> None:
    (tmp_path / "m.toml").write_text(MANIFEST)
    env = {**os.environ, "COTERIE_SCENARIO_TEST_FAULT": "phantom"}
    done = subprocess.run(
        [sys.executable, "-m", "cli", "scenario", "run", str(tmp_path / "m.toml")],
        check=False,
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
        env=env,
    )
    assert done.returncode not in {0, 7}
    assert "unknown test fault 'phantom'" in done.stdout + done.stderr
    assert not any(tmp_path.glob("scenario-*"))
