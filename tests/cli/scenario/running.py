"""`coterie scenario run` as a real subprocess, the way an operator runs it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def scenario_run(
    manifest: str, tmp_path: Path, env: dict[str, str] | None = None
) -> tuple[subprocess.CompletedProcess[str], Path]:
    """Run `manifest` (TOML text) with its report in tmp_path/report; the answer and that folder."""
    path = tmp_path / "m.toml"
    path.write_text(manifest)
    out = tmp_path / "report"
    done = subprocess.run(
        [sys.executable, "-m", "cli", "scenario", "run", str(path), "--out", str(out)],
        check=False,
        capture_output=True,
        text=True,
        timeout=240,
        env=env,
    )
    return done, out
