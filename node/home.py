"""A node's home directory: its layout, and `init_home` which creates one.

    HOME/config/config.toml              settings (node/config.py)
    HOME/config/genesis.json             the chain's genesis
    HOME/config/node_key.json            P2P identity (mode 0600)
    HOME/config/priv_validator_key.json  validators only: the consensus signing key (mode 0600)
    HOME/data/priv_validator_state.bin   validators only: the double-sign guard (consensus.signer)
    HOME/data/                           chain database, consensus WAL
    HOME/keys/                           the wallet's keys (cli), when the wallet shares the home

The sign state is created only when it is certainly safe: for a validator key made by this very
`init_home` (it has never signed anything) or for a genesis this call generated (a chain that did
not exist before). A kept key with a missing sign state gets a warning and no state, so the node
refuses to sign until the operator restores it: recreating it could sign twice (tendermint #3418).
"""

from __future__ import annotations

import logging
import os
import shutil
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

from consensus.signer import FileSignStateStore, Signer
from ledger.genesis import Genesis, GenesisError
from ledger.keys import PrivateKey
from node.config import NodeConfig
from node.config_parse import load_config
from node.config_render import render_config
from node.devnet import DEV_ACCOUNT_COUNT, DEV_CHAIN_ID, dev_account_key, dev_genesis
from node.keyfile import (
    NODE_KEY,
    VALIDATOR_KEY,
    load_key_file,
    write_key_file,
    write_private_file,
)

log = logging.getLogger(__name__)


class HomeError(Exception):
    """A home that cannot be created or used as asked."""


class HomeExistsError(HomeError):
    """`init_home` found a node home and was not told to rewrite it."""


@dataclass(frozen=True, slots=True)
class NodeHome:
    root: Path

    @property
    def config_dir(self) -> Path:
        return self.root / "config"

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    @property
    def config_file(self) -> Path:
        return self.config_dir / "config.toml"

    @property
    def genesis_file(self) -> Path:
        return self.config_dir / "genesis.json"

    @property
    def node_key_file(self) -> Path:
        return self.config_dir / "node_key.json"

    @property
    def validator_key_file(self) -> Path:
        return self.config_dir / "priv_validator_key.json"

    @property
    def sign_state_file(self) -> Path:
        return self.data_dir / "priv_validator_state.bin"

    def load_config(self) -> NodeConfig:
        return load_config(self.config_file)

    def load_genesis(self) -> Genesis:
        return Genesis.load(self.genesis_file)

    def load_node_key(self) -> PrivateKey:
        return load_key_file(self.node_key_file, NODE_KEY)

    def load_validator_key(self) -> PrivateKey:
        return load_key_file(self.validator_key_file, VALIDATOR_KEY)

    def sign_state_store(self) -> FileSignStateStore:
        """The validator's sign-state store, for `consensus.signer.Signer` (never new_chain)."""
        return FileSignStateStore(self.sign_state_file)

    def is_initialized(self) -> bool:
        files = (self.config_file, self.genesis_file, self.node_key_file, self.validator_key_file)
        return any(path.exists() for path in files)


@dataclass(frozen=True)
class InitReport:
    home: NodeHome
    genesis: Genesis
    node_key: bytes  # public key: the node's P2P identity
    validator_key: bytes | None  # public key, for validators
    dev_accounts: tuple[PrivateKey, ...]  # funded by a generated dev genesis
    written: tuple[Path, ...]
    kept: tuple[Path, ...]
    warnings: tuple[str, ...] = field(default=())

    @property
    def in_validator_set(self) -> bool:
        return any(v.public_key == self.validator_key for v in self.genesis.validators)


def init_home(
    root: Path,
    *,
    validator: bool = True,
    chain_id: str | None = None,
    genesis_source: Path | None = None,
    config: NodeConfig | None = None,
    force: bool = False,
    time_ms: int | None = None,
) -> InitReport:
    """Create a node home at `root` (see the module docstring for what is written and kept).

    `config` defaults to `NodeConfig()`; its `validator` field is set from `validator`. Without
    `genesis_source`, a validator gets a single-validator dev genesis (chain id `chain_id` or
    coterie-dev) and a non-validator is refused: it must join an existing chain. With `force`,
    config.toml and genesis.json are rewritten; existing keys are always kept.
    """
    home = NodeHome(root)
    if home.is_initialized() and not force:
        raise HomeExistsError(
            f"{root} already holds a node home; pass --force to rewrite its config.toml and "
            "genesis.json (keys and sign state are kept)"
        )
    if genesis_source is None and not validator:
        raise HomeError("a node that is not a validator joins an existing chain: pass --genesis")
    config = replace(config or NodeConfig(), validator=validator)
    source_genesis = _load_source_genesis(genesis_source, chain_id)
    for folder in (home.root, home.config_dir, home.data_dir):
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    written: list[Path] = []
    kept: list[Path] = []
    warnings: list[str] = []

    node_key = _key(home.node_key_file, NODE_KEY, written, kept)
    validator_key = (
        _key(home.validator_key_file, VALIDATOR_KEY, written, kept) if validator else None
    )
    new_key = validator_key is not None and home.validator_key_file in written

    if source_genesis is not None and genesis_source is not None:
        genesis = source_genesis
        tmp = home.genesis_file.with_name(".genesis.json.tmp")
        shutil.copyfile(genesis_source, tmp)
        os.replace(tmp, home.genesis_file)
        dev_accounts: tuple[PrivateKey, ...] = ()
    else:
        if validator_key is None:
            raise HomeError("a dev genesis needs a validator key")  # refused above already
        now = int(time.time() * 1000) if time_ms is None else time_ms
        genesis = dev_genesis(
            chain_id or DEV_CHAIN_ID,
            [(config.moniker, validator_key.public_key, node_key.public_key)],
            now,
        )
        genesis.write(home.genesis_file)
        dev_accounts = tuple(dev_account_key(i) for i in range(DEV_ACCOUNT_COUNT))
    written.append(home.genesis_file)

    if validator_key is not None:
        fresh_chain = source_genesis is None
        _sign_state(
            home,
            validator_key,
            genesis,
            may_create=new_key or fresh_chain,
            written=written,
            kept=kept,
            warnings=warnings,
        )
        if not any(v.public_key == validator_key.public_key for v in genesis.validators):
            warnings.append(
                "the validator key is not in this genesis: it signs only after a validator-set "
                "change adds it"
            )

    write_private_file(
        home.config_file,
        render_config(config, genesis.params.consensus).encode(),
        exclusive=False,
    )
    home.config_file.chmod(0o644)
    written.append(home.config_file)
    for message in warnings:
        log.warning("%s", message)
    return InitReport(
        home=home,
        genesis=genesis,
        node_key=node_key.public_key,
        validator_key=validator_key.public_key if validator_key else None,
        dev_accounts=dev_accounts,
        written=tuple(written),
        kept=tuple(kept),
        warnings=tuple(warnings),
    )


def _load_source_genesis(source: Path | None, chain_id: str | None) -> Genesis | None:
    if source is None:
        return None
    genesis = Genesis.load(source)
    if chain_id is not None and chain_id != genesis.chain_id:
        raise GenesisError(
            f"--chain-id {chain_id!r} does not match the genesis chain id {genesis.chain_id!r}"
        )
    return genesis


def _key(path: Path, kind: str, written: list[Path], kept: list[Path]) -> PrivateKey:
    if path.exists():
        key = load_key_file(path, kind)
        kept.append(path)
        return key
    key = PrivateKey.generate()
    write_key_file(path, key, kind)
    written.append(path)
    return key


def _sign_state(
    home: NodeHome,
    key: PrivateKey,
    genesis: Genesis,
    *,
    may_create: bool,
    written: list[Path],
    kept: list[Path],
    warnings: list[str],
) -> None:
    """Create the initial sign state when safe (see the module docstring), else keep or warn."""
    store = home.sign_state_store()
    existing = store.load()
    genesis_hash = genesis.hash()
    if existing is not None and existing.genesis_hash == genesis_hash:
        kept.append(home.sign_state_file)
        return
    if not may_create:
        what = "is missing" if existing is None else "belongs to another genesis"
        warnings.append(
            f"the sign state {home.sign_state_file} {what}; restore it from the data directory "
            "this validator key last ran with. Until then the node refuses to sign."
        )
        return
    if existing is not None:
        aside = home.sign_state_file.with_name(
            f"{home.sign_state_file.name}.{existing.genesis_hash.hex()[:12]}.old"
        )
        os.replace(home.sign_state_file, aside)
        warnings.append(f"moved the sign state of another genesis to {aside}")
    Signer(key, genesis_hash, store, new_chain=True)  # writes the height-0 state durably
    written.append(home.sign_state_file)
