"""Pending equivocation evidence, from our machine or from peers, until a block records it.

Evidence enters only after its two signatures verified against the validator set of its height
(the sets of the height being decided and of the last committed one are at hand; for older
heights the ledger's own rule on committed state is used, which checks the offender's current
key). One entry per offence (validator, height, round, type), at most `max_items`. Proposals take
`pending()` through `Chain.includable_evidence`, which drops what a block recorded meanwhile;
`prune()` after each commit forgets those for good.
"""

from __future__ import annotations

import logging

from consensus.errors import EvidenceError
from consensus.evidence import verify_evidence
from ledger.block import DuplicateVoteEvidence
from ledger.state import keys
from ledger.state.validators import MAX_EVIDENCE_AGE
from node.chain import Chain

log = logging.getLogger(__name__)

DEFAULT_MAX_ITEMS = 256


class EvidencePool:
    def __init__(self, chain: Chain, max_items: int = DEFAULT_MAX_ITEMS) -> None:
        self._chain = chain
        self._max = max_items
        self._items: dict[bytes, DuplicateVoteEvidence] = {}  # offence key -> evidence
        self.added_total = 0
        self.refused_total = 0

    def __len__(self) -> int:
        return len(self._items)

    def pending(self) -> list[DuplicateVoteEvidence]:
        return list(self._items.values())

    def knows(self, evidence: DuplicateVoteEvidence) -> bool:
        return evidence.offence_key() in self._items

    def add(self, evidence: DuplicateVoteEvidence) -> bool:
        """Verify and keep `evidence`; True when it is new and valid (the caller gossips it)."""
        key = evidence.offence_key()
        if key in self._items or len(self._items) >= self._max:
            return False
        if self._chain.state.get(keys.evidence(key)) is not None:
            return False  # already recorded on chain
        problem = self._problem(evidence)
        if problem is not None:
            self.refused_total += 1
            log.info("refused evidence %s: %s", evidence.hash().hex()[:16], problem)
            return False
        self._items[key] = evidence
        self.added_total += 1
        vote = evidence.vote_a
        log.warning(
            "evidence: validator %s signed two %s votes at height %d round %d",
            vote.validator.raw.hex(),
            vote.type.name.lower(),
            vote.height,
            vote.round,
        )
        return True

    def _problem(self, evidence: DuplicateVoteEvidence) -> str | None:
        chain = self._chain
        height = evidence.vote_a.height
        if height > chain.height + 1:
            return "for a height this node has not reached"
        if height == chain.height + 1 or (
            height == chain.height and chain.last_validators is not None
        ):
            validators = chain.validators if height == chain.height + 1 else chain.last_validators
            assert validators is not None
            try:
                verify_evidence(validators, chain.genesis_hash, evidence)
            except EvidenceError as exc:
                return str(exc)
            return None
        ctx_time = chain.last_header.time_ms if chain.last_header else 0
        return chain.evidence_error(evidence, chain.height + 1, ctx_time)

    def prune(self) -> int:
        """Forget evidence the chain recorded or that grew too old; returns how many."""
        chain = self._chain
        stale = [
            key
            for key, evidence in self._items.items()
            if chain.state.get(keys.evidence(key)) is not None
            or chain.height + 1 - evidence.vote_a.height > MAX_EVIDENCE_AGE
        ]
        for key in stale:
            del self._items[key]
        return len(stale)
