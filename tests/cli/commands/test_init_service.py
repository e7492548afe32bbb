"""`coterie init` writes a systemd unit that restarts the node on failure, raises its open-file
limit and runs `coterie start` on exactly this home (node/systemd.py)."""

from __future__ import annotations

import configparser
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest

from node.home import NodeHome
from node.systemd import LIMIT_NOFILE, UNIT_NAME
from tests.cli.helpers import Invoke, read_json


def _unit(path: Path) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # keys keep their case
    parser.read_string(path.read_text())
    return parser


def test_init_writes_a_unit_that_restarts_the_node_of_this_home(
    invoke: Invoke, tmp_path: Path
) -> None:
    target = tmp_path / "with space" / "v0"
    result = invoke(["init", "--home", str(target), "--moniker", "v0", "--output", "json"])
    assert result.exit_code == 0, result.output
    path = NodeHome(target).config_dir / UNIT_NAME
    assert str(path) in read_json(result)["written"]
    unit = _unit(path)
    service = unit["Service"]
    assert service["Restart"] == "on-failure"
    assert int(service["LimitNOFILE"]) == LIMIT_NOFILE
    argv = shlex.split(service["ExecStart"])
    assert argv[1:] == ["start", "--home", str(target.resolve())]
    assert Path(argv[0]).name == "coterie"
    assert int(unit["Unit"]["StartLimitBurst"]) >= 1  # a node that cannot start stops looping


def test_systemd_accepts_the_unit(invoke: Invoke, tmp_path: Path) -> None:
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze is not installed (package systemd)")
    target = tmp_path / "v1"
    assert invoke(["init", "--home", str(target), "--moniker", "v1"]).exit_code == 0
    unit = NodeHome(target).config_dir / UNIT_NAME
    checked = subprocess.run(
        [analyze, "verify", str(unit)], check=False, capture_output=True, text=True, timeout=60
    )
    # verify reports problems on stderr, with a zero status for some of them: none is expected
    assert checked.returncode == 0 and "coterie.service" not in checked.stderr, checked.stderr
