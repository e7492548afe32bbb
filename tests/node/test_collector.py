"""The collector settings a node process runs with (checked in a fresh interpreter)."""

from __future__ import annotations

import subprocess
import sys

from node.collector import THRESHOLDS

PROBE = """
import gc
from node.collector import settle_after_startup
before = gc.get_freeze_count()
settle_after_startup()
print(before, gc.get_freeze_count(), *gc.get_threshold())
"""


def test_start_up_objects_are_frozen_and_thresholds_raised() -> None:
    out = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, check=True, timeout=60
    ).stdout.split()
    before, after, *thresholds = (int(word) for word in out)
    assert before == 0 and after > 1_000  # the imported modules' objects at least
    assert tuple(thresholds) == THRESHOLDS
    assert THRESHOLDS[0] > 700  # above CPython's default, or the setting would do nothing
