"""The P2P allowlist follows the chain's validator set.

Issue 6: only node keys in the allowlist (the validators and the operator's listed peers and full
nodes) may connect. The validators' node keys are on chain (each validator record carries its P2P
node key, see `ledger.state.validators.node_keys`), so the allowlist is

    node keys of the active set + those of scheduled additions + the configured peers

and a validator voted in by governance can connect before the height it first signs, without any
operator editing config; a removed one is disconnected once the removal activates (unless an
operator lists its node as a peer: that is the operator's own choice). Dial addresses stay
off-chain in config, as in CometBFT: a newly allowed validator dials in to the nodes it lists.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from ledger.state.reader import StateReader
from ledger.state.validators import node_keys
from node.p2p import PeerManager

log = logging.getLogger(__name__)


class ChainAllowlist:
    """Recomputes the allowlist from committed state; `refresh` after each commit."""

    def __init__(self, state: StateReader, configured: Iterable[bytes], own_key: bytes) -> None:
        self._state = state
        self._configured = frozenset(configured)
        self._own_key = own_key

    def validators(self) -> frozenset[bytes]:
        """The node keys of the validator set, active and scheduled (never our own)."""
        return node_keys(self._state) - {self._own_key}

    def compute(self) -> frozenset[bytes]:
        """The node keys allowed by the committed state and the config (never our own)."""
        return self.validators() | (self._configured - {self._own_key})

    def refresh(self, p2p: PeerManager) -> None:
        """Apply the allowlist if the validator set's node keys changed: a prefix scan over the
        few validator records, so it runs after every commit, synced blocks included. The
        validators' keys also go to the manager, which redials them sooner."""
        validators = self.validators()
        p2p.set_validators(validators)
        allowed = validators | (self._configured - {self._own_key})
        current = p2p.allowlist
        if allowed == current:
            return
        for key in sorted(allowed - current):
            log.info("node key %s allowed: its validator joins the set", key.hex())
        for key in sorted(current - allowed):
            log.info("node key %s no longer allowed: its validator left the set", key.hex())
        p2p.set_allowlist(allowed)
