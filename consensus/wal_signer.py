"""Signing through the WAL: the rule that makes a replay re-derive every signature the guard holds.

The WAL is synced *before* the guard persists a signature, and the signed message is logged with
a sync right after, before the machine goes on (consensus.wal, module docstring).

A driver may `listen` for each message as soon as it is durable (logged and synced), to send it
then rather than when the machine's call returns: a proposer's proposal then leaves before its
own prevote is signed and synced, and a prevote before the precommit it may trigger (issue 17:
each signature costs a few fsyncs, and they used to add up before the first message left).
"""

from __future__ import annotations

from collections.abc import Callable

from consensus.messages import ConsensusMessage, Proposal
from consensus.signer import Signer, SignState, SignStateStore
from consensus.wal import Sent, WriteAheadLog
from ledger.block import Block, Vote, VoteType
from ledger.keys import PrivateKey


class _SyncFirst:
    """A sign-state store that syncs the WAL before every save."""

    def __init__(self, store: SignStateStore, wal: WriteAheadLog) -> None:
        self._store = store
        self._wal = wal

    def load(self) -> SignState | None:
        return self._store.load()

    def save(self, state: SignState) -> None:
        self._wal.sync()
        self._store.save(state)


class JournaledSigner(Signer):
    """The `Signer` a driver with a WAL gives its machine (see the module docstring).

    Every new signature is made after a WAL sync and logged as `Sent` with a sync before the
    machine sees it, so the driver must not log it again: `journaled(message)` tells.
    """

    def __init__(
        self,
        key: PrivateKey,
        genesis_hash: bytes,
        store: SignStateStore,
        wal: WriteAheadLog,
        *,
        new_chain: bool = False,
    ) -> None:
        super().__init__(key, genesis_hash, _SyncFirst(store, wal), new_chain=new_chain)
        self._wal = wal
        self._journaled: set[bytes] = set()
        self._listener: Callable[[ConsensusMessage], None] | None = None

    def listen(self, listener: Callable[[ConsensusMessage], None]) -> None:
        """Call `listener` with each newly signed message once it is durable in the WAL."""
        self._listener = listener

    def journaled(self, message: ConsensusMessage) -> bool:
        """True when this signer logged `message` when it signed it."""
        return message.signature in self._journaled

    def sign_vote(self, vote_type: VoteType, height: int, round_: int, block_hash: bytes) -> Vote:
        before = self.last_signed
        vote = super().sign_vote(vote_type, height, round_, block_hash)
        self._journal(before, vote)
        return vote

    def sign_proposal(self, height: int, round_: int, pol_round: int, block: Block) -> Proposal:
        before = self.last_signed
        proposal = super().sign_proposal(height, round_, pol_round, block)
        self._journal(before, proposal)
        return proposal

    def _journal(self, before: SignState, message: ConsensusMessage) -> None:
        if self.last_signed is before:
            return  # the same signature handed back: it was logged (or is re-derived in replay)
        if len(self._journaled) > 64:
            self._journaled.clear()  # only the current step's messages are ever asked about
        self._journaled.add(message.signature)
        self._wal.append(Sent(message), sync=True)
        if self._listener is not None:
            self._listener(message)
