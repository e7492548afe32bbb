"""A local testnet on one machine: N validator homes that know each other, one shared genesis.

    OUT/genesis.json       the shared genesis (N validators at power 1, funded dev accounts)
    OUT/testnet.json       the manifest: each node's home, API URL, P2P address and keys
    OUT/node0 ... nodeN-1  node homes (config/, data/), as `coterie init` makes them

Ports are picked on 127.0.0.1 outside the OS's ephemeral range (node/ports.py), two per node
(API and P2P), so a node that restarts gets its port back; every node lists every other node
as a peer (and so in its allowlist). The chain is brand new, so each
validator's sign state is created here (height 0), as `coterie init` does for a new dev chain.
The dev accounts are the well-known `node.devnet` keys: anyone can spend from them.
"""

from __future__ import annotations

import dataclasses
import json
import os
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from consensus.signer import Signer
from ledger.genesis import Genesis, GenesisCollective
from ledger.keys import Address, PrivateKey
from node.config import LOOPBACK, ApiConfig, ListenAddress, NodeConfig, P2PConfig, Peer
from node.config_render import render_config
from node.devnet import DEV_ACCOUNT_COUNT, dev_account_key, dev_genesis
from node.home import HomeError, NodeHome
from node.keyfile import NODE_KEY, VALIDATOR_KEY, write_key_file, write_private_file
from node.mempool.limits import MempoolLimits
from node.ports import free_ports

MANIFEST = "testnet.json"
MAX_VALIDATORS = 32
TESTNET_CHAIN_ID = "coterie-testnet"


@dataclass(frozen=True, slots=True)
class LocalTestnetNode:
    moniker: str
    home: Path
    api: ListenAddress
    p2p: ListenAddress
    node_key: bytes  # public
    validator_key: bytes  # public

    @property
    def api_url(self) -> str:
        return f"http://{self.api.host}:{self.api.port}"


@dataclass(frozen=True, slots=True)
class LocalTestnet:
    root: Path
    genesis: Genesis
    nodes: tuple[LocalTestnetNode, ...]
    dev_accounts: tuple[PrivateKey, ...]

    def to_json(self) -> dict[str, Any]:
        hrp = self.genesis.params.address_prefix
        return {
            "chain_id": self.genesis.chain_id,
            "genesis_hash": self.genesis.hash().hex(),
            "nodes": [
                {
                    "moniker": n.moniker,
                    "home": str(n.home),
                    "api": str(n.api),
                    "api_url": n.api_url,
                    "p2p": str(n.p2p),
                    "node_key": n.node_key.hex(),
                    "validator_key": n.validator_key.hex(),
                }
                for n in self.nodes
            ],
            "dev_accounts": [
                {"name": f"dev{i}", "address": k.address.to_text(hrp), "seed": k.seed().hex()}
                for i, k in enumerate(self.dev_accounts)
            ],
        }


def init_testnet(
    out: Path,
    validators: int,
    *,
    chain_id: str = TESTNET_CHAIN_ID,
    block_interval_ms: int | None = None,
    timeout_propose_ms: int | None = None,
    create_empty_blocks: bool | None = None,
    empty_block_interval_ms: int | None = None,
    time_ms: int | None = None,
    ports: list[int] | None = None,
    funded: Sequence[Address] = (),
    powers: Sequence[int] | None = None,
    collectives: Sequence[GenesisCollective] = (),
    followers: int = 0,
) -> LocalTestnet:
    """Write the homes of a `validators`-node testnet under `out` (which must be empty);
    `funded` addresses (e.g. benchmark senders) get a dev balance in genesis too; `powers`
    gives each validator's voting power (default 1 each); `collectives` exist from genesis;
    `followers` non-validator nodes (named after the validators, peers of every node) follow
    the chain without a validator key."""
    if not 1 <= validators <= MAX_VALIDATORS:
        raise HomeError(f"a testnet has 1 to {MAX_VALIDATORS} validators")
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise HomeError(f"{out} is not empty: choose a new folder for the testnet")
    out.mkdir(mode=0o700, parents=True, exist_ok=True)
    total = validators + followers
    ports = ports or free_ports(2 * total, LOOPBACK)
    node_keys = [PrivateKey.generate() for _ in range(total)]
    validator_keys = [PrivateKey.generate() for _ in range(validators)]
    names = [f"node{i}" for i in range(total)]
    now = int(time.time() * 1000) if time_ms is None else time_ms
    genesis = _genesis(
        chain_id,
        [
            (names[i], validator_keys[i].public_key, node_keys[i].public_key)
            for i in range(validators)
        ],
        now,
        funded,
        block_interval_ms=block_interval_ms,
        timeout_propose_ms=timeout_propose_ms,
        create_empty_blocks=create_empty_blocks,
        empty_block_interval_ms=empty_block_interval_ms,
    )
    if powers is not None:
        if len(powers) != validators or min(powers) < 1:
            raise HomeError(f"powers must be {validators} integers of at least 1")
        vals = tuple(
            dataclasses.replace(v, power=p) for v, p in zip(genesis.validators, powers, strict=True)
        )
        genesis = dataclasses.replace(genesis, validators=vals)
    if collectives:
        genesis = dataclasses.replace(genesis, collectives=tuple(collectives))
    genesis.write(out / "genesis.json")
    nodes = [
        LocalTestnetNode(
            names[i],
            out / names[i],
            ListenAddress(LOOPBACK, ports[2 * i]),
            ListenAddress(LOOPBACK, ports[2 * i + 1]),
            node_keys[i].public_key,
            validator_keys[i].public_key if i < validators else b"",
        )
        for i in range(total)
    ]
    for i, node in enumerate(nodes):
        peers = tuple(
            Peer(other.node_key, other.p2p.host, other.p2p.port) for other in nodes if other != node
        )
        config = NodeConfig(
            moniker=node.moniker,
            validator=i < validators,
            api=ApiConfig(node.api),
            p2p=P2PConfig(node.p2p, peers),
            mempool=MempoolLimits(verify_processes=shared_core_workers(validators)),
        )
        key = validator_keys[i] if i < validators else None
        _write_home(NodeHome(node.home), config, genesis, node_keys[i], key)
    testnet = LocalTestnet(
        out, genesis, tuple(nodes), tuple(dev_account_key(i) for i in range(DEV_ACCOUNT_COUNT))
    )
    (out / MANIFEST).write_text(json.dumps(testnet.to_json(), indent=2) + "\n")
    return testnet


def shared_core_workers(nodes: int, cores: int | None = None) -> int:
    """Signature worker processes per node when `nodes` share this machine's cores: one node
    verifies best with two, but four nodes on two cores with eight workers wait on each other
    (p99 latency 1.9 to 2.1 s against 1.4 s with one worker each: docs/performance.md)."""
    available = cores if cores is not None else (os.cpu_count() or 2)
    return max(1, min(2, available // nodes))


def _genesis(
    chain_id: str,
    validators: list[tuple[str, bytes, bytes | None]],
    time_ms: int,
    funded: Sequence[Address],
    **consensus: int | bool | None,
) -> Genesis:
    genesis = dev_genesis(chain_id, validators, time_ms, funded=funded)
    changes = {k: v for k, v in consensus.items() if v is not None}
    if not changes:
        return genesis
    params = genesis.params
    cp = dataclasses.replace(params.consensus, **changes)  # type: ignore[arg-type]
    return dataclasses.replace(genesis, params=dataclasses.replace(params, consensus=cp))


def _write_home(
    home: NodeHome,
    config: NodeConfig,
    genesis: Genesis,
    node_key: PrivateKey,
    validator_key: PrivateKey | None,
) -> None:
    for folder in (home.root, home.config_dir, home.data_dir):
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    write_key_file(home.node_key_file, node_key, NODE_KEY)
    genesis.write(home.genesis_file)
    write_private_file(home.config_file, render_config(config, genesis.params.consensus).encode())
    home.config_file.chmod(0o644)
    if validator_key is not None:
        write_key_file(home.validator_key_file, validator_key, VALIDATOR_KEY)
        Signer(validator_key, genesis.hash(), home.sign_state_store(), new_chain=True)


def load_manifest(root: Path) -> dict[str, Any]:
    """The manifest `init_testnet` wrote (for `coterie testnet start`)."""
    path = root / MANIFEST
    try:
        data: dict[str, Any] = json.loads(path.read_text())
    except FileNotFoundError:
        raise HomeError(
            f"no testnet at {root} (no {MANIFEST}; run `coterie testnet init`)"
        ) from None
    except (OSError, ValueError) as exc:
        raise HomeError(f"cannot read {path}: {exc}") from None
    return data
