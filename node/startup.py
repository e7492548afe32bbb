"""Opening a node home for `coterie start`: every check that must pass before anything binds.

Each failure is a `NodeStartError` whose message says what is wrong and how to fix it: no
config (run `coterie init`), a bad config, a missing genesis, a database of another chain or in
use by another process, a validator without its key, and above all a validator key whose sign
state is missing or belongs to another chain: the node refuses to sign rather than risk signing
twice (tendermint #3418; docs/operating.md says how to restore it); and a consensus WAL that is
ahead of the database (which lost blocks).
"""

from __future__ import annotations

from dataclasses import dataclass

from consensus.errors import SignStateCorruptError, SignStateMissingError
from consensus.wal import EndHeight, WriteAheadLog
from consensus.wal_file import FileWAL
from consensus.wal_signer import JournaledSigner
from ledger.genesis import Genesis, GenesisError
from ledger.keys import PrivateKey
from ledger.store import GenesisMismatchError, Store, StoreError
from ledger.upgrades import UpgradeError, check_height
from node.config import ConfigError, NodeConfig
from node.home import NodeHome
from node.keyfile import KeyFileError
from node.p2p import Identity
from node.retry import RetryingSignStateStore


class NodeStartError(Exception):
    """The node cannot start as configured; the message is for the operator."""


@dataclass(frozen=True, slots=True)
class StartupParts:
    home: NodeHome
    config: NodeConfig
    genesis: Genesis
    store: Store
    node_key: PrivateKey
    validator_key: PrivateKey | None

    def node_key_identity(self) -> Identity:
        return Identity(self.node_key, self.genesis.chain_id, self.genesis.hash())

    def make_signer(self, wal: WriteAheadLog) -> JournaledSigner:
        """The validator's guard over its sign state, journaled through the consensus WAL."""
        if self.validator_key is None:
            raise NodeStartError("this node is not a validator")
        state_file = self.home.sign_state_file
        try:
            return JournaledSigner(
                self.validator_key,
                self.genesis.hash(),
                RetryingSignStateStore(self.home.sign_state_store()),
                wal,
            )
        except SignStateMissingError:
            raise NodeStartError(
                f"the validator key {self.home.validator_key_file} has no sign state at "
                f"{state_file}: refusing to start, since signing without it can sign twice. "
                "Restore priv_validator_state.bin from the data directory this key last ran "
                "with (docs/operating.md, 'Recovery'); never recreate it for a chain that has "
                "produced blocks"
            ) from None
        except SignStateCorruptError as exc:
            raise NodeStartError(f"{state_file}: {exc}") from None


def check_wal(wal: FileWAL, store_height: int) -> None:
    """The consensus WAL must not be ahead of the database (it would be replayed wrongly)."""
    ended = max((r.height for r in wal.records() if isinstance(r, EndHeight)), default=0)
    if ended > store_height:
        raise NodeStartError(
            f"the consensus WAL {wal.path} ended height {ended} but the database is at height "
            f"{store_height}: the database lost blocks. Put back a copy of data/chain at height "
            f"{ended} or above (a backup); never delete or move the WAL or the sign state to "
            "get past this (docs/operating.md, 'Recovery')"
        )


def open_parts(home: NodeHome) -> StartupParts:
    """Load and check config, genesis and keys, and open the store (closed again on failure)."""
    if not home.root.is_dir():
        raise NodeStartError(f"no node home at {home.root} (create one with `coterie init`)")
    try:
        config = home.load_config()
    except ConfigError as exc:
        raise NodeStartError(str(exc)) from None
    if not home.genesis_file.exists():
        raise NodeStartError(
            f"no genesis at {home.genesis_file}: copy the chain's genesis.json there "
            "(or run `coterie init --genesis FILE`)"
        )
    try:
        genesis = home.load_genesis()
    except (GenesisError, OSError) as exc:
        raise NodeStartError(f"{home.genesis_file}: {exc}") from None
    try:
        node_key = home.load_node_key()
        validator_key = home.load_validator_key() if config.validator else None
    except KeyFileError as exc:
        hint = " (config.toml says validator = true)" if config.validator else ""
        raise NodeStartError(f"{exc}{hint}") from None
    if validator_key is not None and not home.sign_state_file.exists():
        raise NodeStartError(
            f"the validator key {home.validator_key_file} has no sign state at "
            f"{home.sign_state_file}: refusing to start, since signing without it can sign "
            "twice. Restore priv_validator_state.bin from the data directory this key last "
            "ran with (docs/operating.md, 'Recovery'); never recreate it for a chain that has "
            "produced blocks"
        )
    try:
        store = Store.open(home.data_dir / "chain", genesis.hash(), config.storage.budget())
    except GenesisMismatchError as exc:
        raise NodeStartError(f"{exc}; genesis read from {home.genesis_file}") from None
    except StoreError as exc:
        raise NodeStartError(str(exc)) from None
    try:
        check_height(store.state, store.height + 1)
    except UpgradeError as exc:
        store.close()
        raise NodeStartError(str(exc)) from None
    return StartupParts(home, config, genesis, store, node_key, validator_key)
