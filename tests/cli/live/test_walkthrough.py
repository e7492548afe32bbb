"""The README's walkthrough, run word for word: every `$ ` line of its console blocks, in one
bash process, against the real devnet it starts (`coterie testnet start` as subprocesses)."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

README = Path(__file__).resolve().parents[3] / "README.md"
SECTION = "## Walkthrough"


def walkthrough_commands(text: str) -> list[str]:
    """The commands of the walkthrough section: `$ ` lines of its console blocks (a trailing
    backslash joins the next line)."""
    section = text.split(SECTION, 1)[1].split("\n## ", 1)[0]
    commands: list[str] = []
    in_block = False
    pending = ""
    for line in section.splitlines():
        if line.startswith("```"):
            in_block = line.strip() == "```console"
            continue
        if not in_block:
            continue
        if pending:
            pending += "\n" + line
        elif line.startswith("$ "):
            pending = line[2:]
        if pending and not pending.endswith("\\"):
            commands.append(pending)
            pending = ""
    return commands


def test_the_commands_are_found() -> None:
    commands = walkthrough_commands(README.read_text())
    assert commands[0].startswith("export PATH=") and commands[-1] == "kill %1"
    assert any("coterie collective create" in c for c in commands)


def _node_down(url: str) -> bool:
    try:
        urllib.request.urlopen(url + "/v1/status", timeout=1).close()
    except OSError:
        return True
    return False


def test_the_readme_walkthrough_runs_word_for_word(tmp_path: Path) -> None:
    commands = walkthrough_commands(README.read_text())
    script = "set -euo pipefail\nset -x\n" + "\n".join(commands) + "\n"
    env = {
        k: v for k, v in os.environ.items() if not k.startswith("COTERIE_") and k != "VIRTUAL_ENV"
    }
    env.update(
        HOME=str(tmp_path),
        PATH=f"{Path(sys.executable).parent}:{env.get('PATH', '')}",
        COTERIE_KEYSTORE_SCRYPT_N="16",  # fast keys for the test; never for real keys
        PYTHONUNBUFFERED="1",
    )
    repo = README.parent
    process = subprocess.Popen(
        ["bash", "-c", script],
        cwd=repo,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        output, _ = process.communicate(timeout=600)
    finally:
        if process.poll() is None:
            process.kill()
        manifest = tmp_path / "guild-devnet" / "testnet.json"
        urls = (
            [n["api_url"] for n in json.loads(manifest.read_text())["nodes"]]
            if manifest.exists()
            else []
        )
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)  # whatever the script left behind
        deadline = time.monotonic() + 30
        while not all(_node_down(u) for u in urls) and time.monotonic() < deadline:
            time.sleep(0.5)
    text = output.decode(errors="replace")
    assert process.returncode == 0, text[-6000:]
    # the story's end: the split paid Alice and Bob 3:1, Bob is a member with 50 shares
    assert "3000" in text and "1000" in text, text[-3000:]
    assert all(_node_down(u) for u in urls), "the devnet is still running"
