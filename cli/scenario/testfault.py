"""Test-only faults in what the runner read, so a failed oracle can be tested end to end.

`COTERIE_SCENARIO_TEST_FAULT` (comma-separated) names them; nothing else turns them on, a value
not listed here stops the run before anything starts, and a run with one prints and notes it in
its report. For the test suite only (tests/cli/scenario/test_failed_oracle.py):
- `phantom-commit`: the runner records a tx that was signed but never sent as acknowledged and
  committed at the first height holding load txs; durability must name that height, each node
  and the tx.
- `corrupt-hash`: the block hash the runner read from the last node at that height is replaced;
  agreement must name that height and node.
"""

from __future__ import annotations

import os

from cli.scenario.state import Run, ScenarioError
from ledger.hashing import digest
from ledger.keys import PrivateKey
from ledger.tx import Transfer, TxBody

ENV = "COTERIE_SCENARIO_TEST_FAULT"
FAULTS = ("phantom-commit", "corrupt-hash")


def requested() -> tuple[str, ...]:
    """The faults asked for in the environment (refused if unknown)."""
    names = tuple(n for n in os.environ.get(ENV, "").split(",") if n)
    for name in names:
        if name not in FAULTS:
            raise ScenarioError(f"{ENV}: unknown test fault {name!r} (known: {', '.join(FAULTS)})")
    return names


def inject(run: Run, faults: tuple[str, ...]) -> None:
    """Apply `faults` to what the runner collected, before the oracles read it."""
    if not faults or not run.chains or run.net is None:
        return
    height = min((h for _t, h in run.samples.committed.values()), default=1)
    if "phantom-commit" in faults:
        key = PrivateKey.from_secret(b"coterie/scenario/test-fault")
        body = TxBody(run.net.genesis.chain_id, key.public_key, 0, 0, Transfer(key.address, 1))
        tx_hash = digest(body.sign(key, run.net.genesis.hash()).encode()).hex()
        t = run.samples.now()
        run.samples.submitted[tx_hash] = run.samples.acked[tx_hash] = t
        run.samples.committed[tx_hash] = (t, height)
        run.notes.append(f"test fault: tx {tx_hash} never sent, recorded committed at {height}")
    if "corrupt-hash" in faults:
        name = sorted(run.chains)[-1]
        if height in run.chains[name]:
            block = run.chains[name][height]
            run.chains[name][height] = {**block, "hash": "0" * 64}
            run.notes.append(f"test fault: {name}'s block hash at height {height} replaced")
    for note in run.notes:
        if note.startswith("test fault:"):
            run.say(note)
