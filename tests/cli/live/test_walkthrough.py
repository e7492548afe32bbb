"""The README's walkthrough, run word for word: every `$ ` line of its console blocks, in one
bash process, against the real devnet it starts (`coterie testnet start` as subprocesses)."""

from __future__ import annotations

import contextlib
import json
import os
import re
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
MARK = "@@@ step "


def walkthrough_steps(text: str) -> list[tuple[str, list[str]]]:
    """The walkthrough section's console blocks: each `$ ` command (a trailing backslash joins
    the next line) with the output lines the README shows under it (`…` stands for what
    changes from run to run: hashes, addresses, times)."""
    section = text.split(SECTION, 1)[1].split("\n## ", 1)[0]
    steps: list[tuple[str, list[str]]] = []
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
        elif steps:
            steps[-1][1].append(line)
        if pending and not pending.endswith("\\"):
            steps.append((pending, []))
            pending = ""
    return steps


def walkthrough_commands(text: str) -> list[str]:
    return [command for command, _ in walkthrough_steps(text)]


def shown_pattern(line: str) -> re.Pattern[str]:
    """A shown output line as a pattern: `…` matches anything, the rest is literal."""
    return re.compile(".*?".join(re.escape(part) for part in line.split("…")) + "$")


def check_shown_output(steps: list[tuple[str, list[str]]], outputs: list[str]) -> None:
    """Every line the README shows under a command is in that command's output (in any
    order: a split's recipients are listed by address, and addresses are new each run)."""
    for (command, shown), output in zip(steps, outputs, strict=True):
        lines = output.splitlines()
        for want in (w for w in shown if w.strip()):
            pattern = shown_pattern(want)
            assert any(pattern.match(got) for got in lines), (command, want, output)


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
    steps = walkthrough_steps(README.read_text())
    assert sum(1 for _, shown in steps if shown) >= 3  # the transfer, the split, the spend
    marked = [f"echo '{MARK}{i}'\n{command}" for i, (command, _) in enumerate(steps)]
    script = "set -euo pipefail\n" + "\n".join(marked) + "\n"
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
    outputs = re.split(rf"^{MARK}\d+$", text, flags=re.MULTILINE)[1:]
    check_shown_output(steps, outputs)
    # the story's end: the split paid Alice and Bob 3:1, Bob is a member with 50 shares
    assert "3000" in text and "1000" in text, text[-3000:]
    assert all(_node_down(u) for u in urls), "the devnet is still running"


def test_shown_output_is_checked() -> None:
    """`…` stands for anything; a shown line missing from the output fails the walkthrough."""
    steps = [("coterie query split $SPLIT", ["mode:     PUSH", "  tcot1…  75%  paid 3000"])]
    check_shown_output(steps, ["split: ab\nmode:     PUSH\n  tcot1xyz  75%  paid 3000\n"])
    with pytest.raises(AssertionError):
        check_shown_output(steps, ["mode:     PUSH\n  tcot1xyz  75%  paid 2999\n"])
