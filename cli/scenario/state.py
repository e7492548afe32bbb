"""What one scenario run holds while it goes and after: the samples, the heals, the chains read
back, the verdicts (shared by run, timeline and collect)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from cli.scenario import oracles
from cli.scenario.manifest import Manifest
from cli.scenario.observe import Samples
from node.testnet import LocalTestnet


class ScenarioError(RuntimeError):
    """The scenario could not be run (the testnet did not start, ...)."""


@dataclass
class Run:
    manifest: Manifest
    say: Callable[[str], None]
    samples: Samples = field(default_factory=Samples)
    heals: list[oracles.Heal] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    kinds: Counter[str] = field(default_factory=Counter)
    applied: list[dict[str, Any]] = field(default_factory=list)
    chains: dict[str, dict[int, dict[str, Any]]] = field(default_factory=dict)
    verdicts: list[oracles.Verdict] = field(default_factory=list)
    net: LocalTestnet | None = None
    network: str = ""  # the back-end: where the nodes ran, what shaped the links
    targets: dict[str, tuple[str, int]] = field(default_factory=dict)  # hash -> (kind, proposal)
    split_id: bytes | None = None
    test_faults: tuple[str, ...] = ()  # cli.scenario.testfault: the test suite's only

    def applied_spans(self) -> list[dict[str, Any]]:
        """The perturbations that ran (not the skipped ones), once each."""
        seen: list[dict[str, Any]] = []
        for entry in self.applied:
            if entry not in seen:
                seen.append(entry)
        return seen
