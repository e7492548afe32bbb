"""Who signed the blocks this node committed: per validator, the last height it signed and how
many blocks it missed, from each block's commit certificate (as this node saw it: a commit holds
the precommits that arrived before the decision, so a slow validator can count as missing).

For the API's `signing()` (node.api.context.SigningRecord) and the missed-signatures metric.
"""

from __future__ import annotations

from consensus.validators import ValidatorSet
from ledger.block import Commit
from node.api.context import SigningRecord


class SigningTracker:
    def __init__(self) -> None:
        self._records: dict[bytes, SigningRecord] = {}

    def record(self, commit: Commit, validators: ValidatorSet) -> None:
        """Count `commit` (for block `commit.height`) against the set that signed it."""
        signed = {sig.validator.raw for sig in commit.signatures}
        records: dict[bytes, SigningRecord] = {}
        for validator in validators.validators:
            raw = validator.address.raw
            old = self._records.get(raw, SigningRecord(0, 0))
            if raw in signed:
                records[raw] = SigningRecord(commit.height, old.missed_blocks)
            else:
                records[raw] = SigningRecord(old.last_signed_height, old.missed_blocks + 1)
        self._records = records  # validators that left the set are forgotten

    def snapshot(self) -> dict[bytes, SigningRecord]:
        return dict(self._records)
