"""Ctrl-C or SIGTERM in the middle of a run stops every node, link and mount: nothing of it
is left, and the exit code says the run was cut short."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

MANIFEST = """
name = "interrupted"
duration_s = 60
[validators]
count = 3
[load]
rate = 30
[[perturbation]]
kind = "pause"
at = 1
until = 50
nodes = [2]
"""


def _processes_of(marker: str) -> list[str]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and int(entry.name) != os.getpid():
            try:
                cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
                state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
            except OSError:
                continue
            if marker in cmdline and state != "Z":
                found.append(f"{entry.name}: {cmdline}")
    return found


@pytest.mark.slow
@pytest.mark.xdist_group("scenario")
@pytest.mark.parametrize(
    ("sig", "code", "said"),
    [
        (signal.SIGINT, 130, "interrupted: every node and link was stopped"),
        (signal.SIGTERM, 1, "stopped by SIGTERM: every node and link was stopped"),
    ],
)
@pytest.mark.usefixtures("ctrl_c_reaches_children")
def test_a_signal_during_a_paused_node_leaves_no_process_behind(
    tmp_path: Path, sig: signal.Signals, code: int, said: str
) -> None:
    manifest = tmp_path / "interrupted.toml"
    manifest.write_text(MANIFEST)
    env = {**os.environ, "TMPDIR": str(tmp_path)}  # the testnet's folder: our marker
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "cli",
            "scenario",
            "run",
            str(manifest),
            "--out",
            str(tmp_path / "report"),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )
    assert proc.stdout is not None
    lines = []
    for line in proc.stdout:  # bounded: the run ends by itself after 60 s at the latest
        lines.append(line)
        if "pause node2" in line:
            break
    time.sleep(1.0)
    assert _processes_of(str(tmp_path)), "the nodes should be running now"
    proc.send_signal(sig)
    out, _ = proc.communicate(timeout=60)
    assert proc.returncode == code, "".join(lines) + out
    assert said in out
    assert _processes_of(str(tmp_path)) == []
    assert not list(tmp_path.glob("coterie-scenario-*")), "the testnet folder is deleted"
