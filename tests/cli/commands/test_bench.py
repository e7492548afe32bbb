"""`coterie bench` end to end as a real subprocess (tiny sizes; no timed asserts), and its
figures from hand-made samples."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from cli.bench.driver import Samples
from cli.bench.load import batches, presign, sender_keys
from cli.bench.report import figures, percentile, steady_tps
from ledger import codec
from ledger.tx import SignedTx
from node.testnet import init_testnet


def _bench(tmp: Path, *args: str) -> subprocess.Popen[str]:
    tmp.mkdir(exist_ok=True)
    return subprocess.Popen(
        [sys.executable, "-m", "cli", "bench", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "TMPDIR": str(tmp), "PYTHONUNBUFFERED": "1"},
    )


def _processes_mentioning(text: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cmdline = (entry / "cmdline").read_bytes().decode(errors="replace")
            except OSError:
                continue
            if text in cmdline:
                found.append(int(entry.name))
    return found


@pytest.mark.slow
def test_bench_commits_every_tx_and_reports_sane_figures(tmp_path: Path) -> None:
    tmp = tmp_path / "tmp"
    proc = _bench(tmp, "--txs", "300", "--senders", "30", "--batch", "100", "--output", "json")
    out, err = proc.communicate(timeout=240)
    assert proc.returncode == 0, err
    result = json.loads(out)
    assert result["validators"] == 1 and result["txs"] == 300
    assert result["submitted"] == result["accepted"] == result["committed"] == 300
    assert result["complete"] and result["rejected"] == {}
    assert result["evicted"] == 0  # read from the node's pool: nothing accepted was dropped
    assert result["blocks_with_txs"] >= 1
    assert 0 < result["latency_ms"]["p50"] <= result["latency_ms"]["p99"]
    assert result["tps"] > 0 and result["tps_overall"] > 0
    assert result["rss_mib"]["node0"] > 0
    # sampled from the node's start: each page once, so at most the summed high-water marks
    assert 0 < result["memory_mib"]["node0"] <= result["rss_mib"]["node0"]
    assert result["pss_mib"]["node0"] > 0
    # CPU per committed tx by part, read from /proc around the load (cli/bench/cpu.py)
    cpu = result["cpu_us_per_tx"]
    assert set(cpu) == {"node0", "client"}
    assert cpu["node0"]["loop"] > 0 and cpu["client"]["process"] > 0
    assert cpu["node0"]["workers"] > 0  # batches of 100 are verified in the worker processes
    assert cpu["node0"]["threads"] >= 0
    assert result["late_heights"] == result["max_round"] == 0  # read back; one validator: round 0
    assert result["verify_rate"] > 0 and result["verify_ratio"] > 0
    assert set(result["meets_targets"]) == {"tps"}
    assert list(tmp.iterdir()) == []  # the testnet folder is gone
    assert _processes_mentioning(str(tmp)) == []


@pytest.mark.slow
@pytest.mark.usefixtures("ctrl_c_reaches_children")
def test_bench_interrupted_stops_its_nodes_and_removes_its_folder(tmp_path: Path) -> None:
    tmp = tmp_path / "tmp"
    proc = _bench(tmp, "--txs", "3000", "--senders", "100", "--batch", "100", "--rate", "50")
    assert proc.stderr is not None
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        line = proc.stderr.readline()
        if line.startswith("committed") or not line:
            break  # the load is being submitted
    time.sleep(1.0)
    assert _processes_mentioning(str(tmp)), "the bench should be running a node by now"
    proc.send_signal(signal.SIGINT)
    proc.communicate(timeout=120)
    assert proc.returncode != 0
    assert list(tmp.iterdir()) == []
    assert _processes_mentioning(str(tmp)) == []


def test_batches_keep_each_sender_on_one_node_in_nonce_order(tmp_path: Path) -> None:
    keys = sender_keys(5)
    net = init_testnet(tmp_path / "net", 2, funded=[k.address for k in keys])
    signed = presign(net.genesis, keys, 23)
    cut = batches(signed, 2, 4)
    assert sum(len(b.hashes) for b in cut) == 23
    assert [b.node for b in cut[:4]] == [0, 1, 0, 1]
    seen: dict[bytes, list[int]] = {}
    for batch in cut:
        for raw in _txs_of(batch.body):
            tx = SignedTx.decode(raw)
            sender = keys.index(next(k for k in keys if k.public_key == tx.body.sender))
            assert sender % 2 == batch.node
            seen.setdefault(tx.body.sender, []).append(tx.body.nonce)
    assert all(nonces == sorted(nonces) for nonces in seen.values())
    funded = {address for address, _ in net.genesis.balances}
    assert {k.address for k in keys} <= funded


def _txs_of(body: bytes) -> list[bytes]:
    return codec.decode_bytes_list(body, 10_000, 65_536)


def test_figures_use_the_steady_window_and_nearest_rank_percentiles() -> None:
    samples = Samples(first_submit=0.0, last_submit=0.5, accepted=6)
    for i, (sent, done) in enumerate([(0, 1), (0, 1), (0.5, 2), (0.5, 2), (0.5, 3), (0.5, 3)]):
        samples.submitted[f"t{i}"] = sent
        samples.committed[f"t{i}"] = done
    samples.blocks = [(1.0, 5, 2), (1.5, 6, 0), (2.0, 7, 3), (3.0, 8, 1)]
    tps, window = steady_tps(samples)
    assert (tps, window) == (3.0, 1.0)  # block 7 only: block 5 opens the window, 8 is the tail
    samples.blocks = [(1.0, 5, 2), (3.0, 8, 4)]
    assert steady_tps(samples) == (2.0, 2.0)  # two blocks: the window ends at the last
    result = figures(samples)
    assert result["complete"] and result["committed"] == 6
    assert result["latency_ms"]["p50"] == 1500.0 and result["latency_ms"]["p99"] == 2500.0
    assert percentile([3.0, 1.0, 2.0], 50) == 2.0


@pytest.mark.slow
def test_bench_sync_follower_catches_up_to_the_same_state_root(tmp_path: Path) -> None:
    """On a prefilled state: both databases start from the bench's own height 0."""
    tmp = tmp_path / "tmp"
    args = ["--txs", "300", "--senders", "30", "--batch", "100", "--accounts", "200"]
    proc = _bench(tmp, "--sync", *args, "--output", "json")
    out, err = proc.communicate(timeout=240)
    assert proc.returncode == 0, err
    result = json.loads(out)
    assert result["mode"] == "sync" and result["txs"] == 300 and result["accounts"] == 200
    assert result["same_root"] and len(result["state_root"]) == 64
    assert result["heights"] >= 1 and result["height_at_api"] <= result["heights"]
    assert result["rss_mib"]["node1"] > 0
    assert list(tmp.iterdir()) == []
    assert _processes_mentioning(str(tmp)) == []


@pytest.mark.slow
def test_bench_on_a_prefilled_state_restarts_with_its_root_and_measures_its_disk(
    tmp_path: Path,
) -> None:
    tmp = tmp_path / "tmp"
    args = ["--txs", "300", "--senders", "30", "--batch", "100", "--accounts", "500"]
    proc = _bench(tmp, *args, "--restart", "--disk", "--output", "json")
    out, err = proc.communicate(timeout=240)
    assert proc.returncode == 0, err
    result = json.loads(out)
    assert result["accounts"] == 500 and result["committed"] == 300 and result["complete"]
    assert 0 < result["rss_anon_mib"]["node0"] <= result["rss_mib"]["node0"]
    assert result["restart_same_root"] and result["restart_height"] >= 1
    assert 0 < result["restart_api_s"] <= result["restart_commit_s"]
    assert result["restart_api_cpu_s"] > 0
    parts = result["disk"]["parts"]
    assert parts["blocks"]["raw"] > 100  # a transfer is about 144 bytes
    assert parts["tx index and receipts"]["raw"] > 0
    assert result["disk"]["raw_per_tx"] == pytest.approx(
        sum(p["raw"] for p in parts.values()), abs=1
    )
    assert list(tmp.iterdir()) == []
    assert _processes_mentioning(str(tmp)) == []
