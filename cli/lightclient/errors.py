"""Why the light client refused an answer.

Exception tree:
    LightClientError            the light client cannot give a verified answer
      VerificationError         something the node sent does not verify (a forged or tampered
                                header, commit, validator set or proof, a stale answer, a
                                header from the future): never trust the answer
        WrongChainError         the node serves another chain (genesis hash or chain id differ)
        ForkError               a header signed by 2/3+ of a trusted set conflicts with one the
                                wallet verified before (or with a witness's): `report` holds
                                the evidence
      TrustExpiredError         the wallet's trusted state is older than the chain's trust
                                period: it needs a recent checkpoint (`coterie light trust`)
      TrustStoreError           the wallet's saved trusted state is unreadable
"""

from __future__ import annotations

from pathlib import Path
from typing import Any


class LightClientError(Exception):
    """The light client cannot give a verified answer."""


class VerificationError(LightClientError):
    """The node's answer does not verify against the validator set tracked from genesis."""


class WrongChainError(VerificationError):
    """The node is on another chain than the wallet's genesis."""


class ForkError(VerificationError):
    """Two headers of one height, each signed by 2/3+ of the set the wallet trusts for it."""

    def __init__(self, message: str, report: dict[str, Any], path: Path | None = None) -> None:
        super().__init__(message)
        self.report = report
        self.path = path


class TrustExpiredError(LightClientError):
    """The trusted state is older than the trust period; re-anchor with a checkpoint."""


class TrustStoreError(LightClientError):
    """The saved trusted state cannot be read."""
