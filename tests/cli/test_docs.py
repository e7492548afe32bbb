"""docs/cli.md lists every command of the `coterie` tree, and shell completion works."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import click

from cli.main import cli

DOC = Path(__file__).resolve().parents[2] / "docs" / "cli.md"


def _commands(group: click.Group, path: str) -> Iterator[str]:
    for name, command in sorted(group.commands.items()):
        if command.hidden:
            continue
        if isinstance(command, click.Group):
            yield from _commands(command, f"{path} {name}")
        else:
            yield f"{path} {name}"


def _examples(text: str) -> list[str]:
    """The command lines of the doc's console examples (`$ coterie ...`, maybe after env vars)."""
    return [line.split("$ ", 1)[1] + " " for line in text.splitlines() if "$ " in line]


def test_every_command_is_in_docs_cli_md_with_an_example() -> None:
    text = DOC.read_text()
    examples = _examples(text)
    commands = list(_commands(cli, "coterie"))
    assert len(commands) > 20
    missing = [c for c in commands if c not in text]
    assert not missing, f"add these to docs/cli.md: {missing}"
    no_example = [c for c in commands if not any(f"{c} " in e for e in examples)]
    assert not no_example, f"add an example (`$ {no_example[0]} ...`) to docs/cli.md: {no_example}"


def test_bash_completion_script() -> None:
    script = Path(sys.executable).with_name("coterie")
    env = {**os.environ, "_COTERIE_COMPLETE": "bash_source"}
    out = subprocess.run(
        [str(script)], env=env, capture_output=True, text=True, timeout=60, check=True
    ).stdout
    assert "_coterie_completion" in out and "complete " in out
    words = {
        **env,
        "_COTERIE_COMPLETE": "bash_complete",
        "COMP_WORDS": "coterie mem",
        "COMP_CWORD": "1",
    }
    answer = subprocess.run(
        [str(script)], env=words, capture_output=True, text=True, timeout=60, check=True
    ).stdout
    assert "member" in answer
