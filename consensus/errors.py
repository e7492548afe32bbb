"""The exceptions of the consensus package.

Exception tree:
    ValueError
      ConsensusError                     base of everything below
        ValidatorSetError                an invalid validator set or update
        CommitError                      a commit certificate that does not prove the block
          UnknownSignerError             a signature by an address outside the validator set
          DuplicateSignerError           two signatures by one validator
          BadSignatureError              a signature that does not verify
          WrongBlockError                the commit is for another block, height or round
          InsufficientPowerError         valid signatures hold no more than 2/3 of the power
        HeaderError                      a header that does not verify from a trusted point
                                         (consensus/headers.py): another chain, a set it does
                                         not name, a commit that does not prove it
        EvidenceError                    duplicate-vote evidence that proves nothing
        SignerError                      the double-sign guard refuses
          DoubleSignError                the request conflicts with what was already signed
          SignStateMissingError          a key without its sign-state: refuse to start
          SignStateCorruptError          the sign-state file cannot be read: refuse to start

A commit or evidence error from a peer is the peer's fault (it sent a proof that proves nothing).
`DoubleSignError` during normal operation means the machine was restarted behind its own signer
(for example a replay without the consensus WAL): the machine stays silent for that step.
`SignStateMissingError` and `SignStateCorruptError` are operator errors and must stop the node.
"""

from __future__ import annotations


class ConsensusError(ValueError):
    """Base class of the consensus package's errors."""


class ValidatorSetError(ConsensusError):
    """An invalid validator set, or an update that cannot be applied to one."""


class CommitError(ConsensusError):
    """A commit certificate that does not prove its block."""


class UnknownSignerError(CommitError):
    pass


class DuplicateSignerError(CommitError):
    pass


class BadSignatureError(CommitError):
    pass


class WrongBlockError(CommitError):
    pass


class InsufficientPowerError(CommitError):
    pass


class HeaderError(ConsensusError):
    """A header (or a validator-set change) that does not verify from the trusted point.

    `height`: the header's, when one header is concerned. `fault`: who is surely wrong:
    "header" (the header or its commit: whoever sent it), "set" (a set change that a verified
    header contradicts: whoever listed it), or "unknown" (a header that names another set than
    the one trusted for it: a forged header, or a hidden set change)."""

    def __init__(self, message: str, height: int | None = None, fault: str = "unknown") -> None:
        super().__init__(message)
        self.height = height
        self.fault = fault


class EvidenceError(ConsensusError):
    """Evidence that does not prove a double-sign by a validator of the given set."""


class SignerError(ConsensusError):
    """The double-sign guard refuses to sign or to start."""


class DoubleSignError(SignerError):
    """Signing this would conflict with an earlier signature (regression or different bytes)."""


class SignStateMissingError(SignerError):
    """A validator key without its sign-state; start only when told the chain is brand new."""


class SignStateCorruptError(SignerError):
    """The persisted sign-state cannot be decoded; a human must look at it."""
