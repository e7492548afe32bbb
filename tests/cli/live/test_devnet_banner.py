"""The devnet's start banner (issue 15): dev accounts listed once, and its `send coin:` line
works when pasted into a shell where `coterie` is not on PATH (as after `make devnet`)."""

from __future__ import annotations

import os
import shlex
import subprocess
from pathlib import Path

import pytest

from cli.commands.testnet import start_text
from cli.testnet_run import NodeProcess
from cli.wallet.keystore import Keystore
from node.devnet import DEV_ACCOUNT_COUNT, dev_account_key
from node.testnet import load_manifest
from tests.cli.helpers import Devnet

pytestmark = pytest.mark.slow
BARE_PATH = "/usr/bin:/bin"  # no .venv/bin: `coterie` is not found by name


def test_the_send_line_works_pasted_without_coterie_on_path(
    devnet: Devnet, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", BARE_PATH)
    data = load_manifest(devnet.root)
    home = tmp_path / "devnet-keys"
    store = Keystore(home)
    for index in range(DEV_ACCOUNT_COUNT):
        store.add_plaintext(f"dev{index}", dev_account_key(index))
    nodes = [NodeProcess(n["moniker"], Path(n["home"]), n["api_url"]) for n in data["nodes"]]
    text = start_text(data, home, nodes)
    listed = [line for line in text if line.startswith("  dev")]
    assert len(listed) == len(data["dev_accounts"])  # once each
    assert not any("start it with" in line for line in text)
    send = next(line for line in text if line.startswith("send coin: "))
    args = shlex.split(send.removeprefix("send coin: "))
    assert args[0] != "coterie" and os.access(args[0], os.X_OK), args[0]
    env = {"PATH": BARE_PATH, "HOME": str(tmp_path), "PYTHONUNBUFFERED": "1"}
    done = subprocess.run(
        [*args, "-y"], env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "result OK" in done.stdout and "event transfer sender=" in done.stdout
