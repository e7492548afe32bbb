"""The suite's state-root figure: `benchmarks/state_bench.py` run as it is, in a subprocess.

The benchmark (a tree of `keys` account-shaped keys built as a genesis state, then blocks of
`changes` changed keys, each a Merkle update and a synced commit) is the one documented in
docs/performance.md; `benchmarks` is no package of the node, so the suite runs the script from
the source tree beside `cli` and reads its per-block lines. The figure is the median over the
blocks, with the verify ceiling and load average around the run like every other row.
"""

from __future__ import annotations

import os
import re
import statistics
import subprocess
import sys
from pathlib import Path
from typing import Any

from cli.bench.ceiling import verify_ceiling
from cli.bench.driver import BenchError

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "state_bench.py"
LINE = re.compile(
    r"update=(?P<update>\d+)ms \(cpu (?P<cpu>\d+)ms\) commit=(?P<commit>\d+)ms"
    r".*?records_read=(?P<read>\d+) records_written=(?P<written>\d+)"
)
TIMEOUT_S = 1800


def parse(output: str) -> dict[str, Any]:
    """The median figures of state_bench's per-block lines (`BenchError` when there is none)."""
    blocks = [m.groupdict() for m in LINE.finditer(output)]
    if not blocks:
        raise BenchError(f"state_bench printed no block line:\n{output[-2000:]}")

    def median(name: str) -> float:
        return float(statistics.median(int(b[name]) for b in blocks))

    update, commit = median("update"), median("commit")
    return {
        "blocks": len(blocks),
        "update_ms": update,
        "update_cpu_ms": median("cpu"),
        "commit_ms": commit,
        "total_ms": update + commit,
        "records_read": median("read"),
        "records_written": median("written"),
    }


def run_state_bench(
    keys: int, changes: int, reps: int = 3, verify_seconds: float = 2.0
) -> dict[str, Any]:
    """Run state_bench once for (`keys`, `changes`) and answer its figures."""
    if not SCRIPT.is_file():
        raise BenchError(f"{SCRIPT} is missing: the suite runs from a source checkout")
    load_before = os.getloadavg()[0]
    ceiling = verify_ceiling(verify_seconds)
    args = ["--keys", str(keys), "--changes", str(changes), "--reps", str(reps)]
    proc = subprocess.run(
        [sys.executable, str(SCRIPT), *args],
        capture_output=True,
        text=True,
        timeout=TIMEOUT_S,
        check=False,
    )
    if proc.returncode != 0:
        raise BenchError(f"state_bench failed ({proc.returncode}):\n{proc.stderr[-2000:]}")
    return {
        "keys": keys,
        "changes": changes,
        **parse(proc.stdout),
        "verify_rate": round(ceiling, 1),
        "load_before": round(load_before, 2),
        "load_after": round(os.getloadavg()[0], 2),
    }
