"""Why the light client refused an answer.

Exception tree:
    LightClientError            the light client cannot give a verified answer
      VerificationError         something the node sent does not verify (a forged or tampered
                                header, commit, validator set or proof): never trust the answer
        WrongChainError         the node serves another chain (genesis hash or chain id differ)
      TrustStoreError           the wallet's saved trusted state is unreadable
"""

from __future__ import annotations


class LightClientError(Exception):
    """The light client cannot give a verified answer."""


class VerificationError(LightClientError):
    """The node's answer does not verify against the validator set tracked from genesis."""


class WrongChainError(VerificationError):
    """The node is on another chain than the wallet's genesis."""


class TrustStoreError(LightClientError):
    """The saved trusted state cannot be read."""
