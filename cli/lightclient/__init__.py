"""A light client: trust a node's answers only as far as the validators from genesis signed them.

`LightClient` follows the validator set from the genesis file through the set changes committed
on chain, checks commit certificates with `consensus.commit.verify_commit`, and checks Merkle
proofs of state against the verified headers' state roots. docs/lightclient.md explains the
scheme and its trust assumptions.
"""

from cli.lightclient.client import LightClient
from cli.lightclient.errors import LightClientError, VerificationError, WrongChainError
from cli.lightclient.signed import VerifiedState
from cli.lightclient.trust import TrustedState, TrustStore

__all__ = [
    "LightClient",
    "LightClientError",
    "TrustStore",
    "TrustedState",
    "VerificationError",
    "VerifiedState",
    "WrongChainError",
]
