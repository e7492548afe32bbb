"""What a wallet reports when it meets a fork: two headers of one height, each carrying a commit
of 2/3+ of the validator set it trusts for that height.

Such a pair cannot happen unless more than a third of that power signed two blocks. The report
holds everything needed to show it to anyone, without trusting the wallet: both headers with
their commits (canonical bytes, hex) when the wallet still has them, the hash it trusted, and
for every validator that precommitted both blocks in the same round a `DuplicateVoteEvidence`
(canonical bytes, as validators gossip it) that any node's evidence pool can check. Validators
that signed both blocks in different rounds are listed too: that is not duplicate-vote evidence
(Tendermint's locking rules forbid it, but only the votes in between would prove the breach).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from consensus.errors import EvidenceError
from consensus.evidence import make_evidence, verify_evidence
from consensus.validators import ValidatorSet
from ledger.block import Commit, Header
from node.wire import encode_evidence


@dataclass(frozen=True)
class SignedHeader:
    """A header with its commit, and where it came from."""

    header: Header
    commit: Commit
    source: str

    def view(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "header_hash": self.header.hash().hex(),
            "time_ms": self.header.time_ms,
            "state_root": self.header.state_root.hex(),
            "header_msgpack": self.header.encode().hex(),
            "commit_msgpack": self.commit.encode().hex(),
        }


def fork_report(
    *,
    chain_id: str,
    genesis_hash: bytes,
    hrp: str,
    validators: ValidatorSet,
    trusted_hash: bytes,
    trusted: SignedHeader | None,
    conflicting: SignedHeader,
) -> dict[str, Any]:
    """The evidence of a fork at `conflicting.header.height` (JSON-ready)."""
    height = conflicting.header.height
    report: dict[str, Any] = {
        "kind": "light_client_fork",
        "chain_id": chain_id,
        "genesis_hash": genesis_hash.hex(),
        "height": height,
        "validators_hash": validators.hash().hex(),
        "trusted": trusted.view() if trusted else {"header_hash": trusted_hash.hex()},
        "conflicting": conflicting.view(),
        "duplicate_votes": [],
        "signed_both_in_other_rounds": [],
    }
    if trusted is None:
        return report
    a, b = trusted.commit, conflicting.commit
    theirs = {s.validator: i for i, s in enumerate(b.signatures)}
    for index, sig in enumerate(a.signatures):
        other = theirs.get(sig.validator)
        if other is None:
            continue
        if a.round != b.round:
            report["signed_both_in_other_rounds"].append(sig.validator.to_text(hrp))
            continue
        evidence = make_evidence(a.vote(index), b.vote(other))
        try:
            verify_evidence(validators, genesis_hash, evidence)
        except EvidenceError:
            continue  # a forged signature on one side: no evidence against this validator
        report["duplicate_votes"].append(
            {
                "validator": sig.validator.to_text(hrp),
                "evidence_hash": evidence.hash().hex(),
                "evidence_msgpack": encode_evidence(evidence).hex(),
            }
        )
    return report
