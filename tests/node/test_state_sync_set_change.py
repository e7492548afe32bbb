"""State sync from genesis through a validator-set change: the joiner walks the change (the
block before it signed by the old set and naming the new one) to the snapshot's header, and a
snapshot that hides the change is refused. The chain is the node's own `Chain` over a real
LevelDB store with a governance vote that swaps a validator (tests/cli/lightclient/devchain.py);
its snapshot is served over the real P2P layer by a peer process (tests/node/statesync_liar.py,
`honest` or `hide`), and the joiner is `node.statesync_peers` on a new real store."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import subprocess
import sys
from collections.abc import Iterator
from functools import partial
from pathlib import Path

import pytest

from ledger.keys import PrivateKey
from ledger.store import Store
from node.p2p import Identity, PeerAddress
from node.ports import free_ports
from node.snapshots import SnapshotMaker
from node.statesync import StateSyncError, genesis_anchor
from node.statesync_peers import state_sync_from_peers
from tests.cli.lightclient.devchain import DevChain, Servers, api_app, make_genesis
from tests.node.processes import wait_for

pytestmark = [pytest.mark.timeout(300)]

JOINER = PrivateKey.from_secret(b"set-change joiner")


@contextlib.contextmanager
def _chain_served(tmp_path: Path, *modes: str) -> Iterator[tuple[DevChain, list[PeerAddress]]]:
    """A chain whose set changes at height c, a snapshot at c + 3, and peers serving both."""
    genesis = make_genesis()
    dev = DevChain(tmp_path / "dev", genesis)
    servers = Servers()
    processes: list[subprocess.Popen[bytes]] = []
    try:
        dev.blocks(2)
        first = dev.swap_validator()
        dev.blocks(first + 3 - dev.chain.height)
        store = dev.store
        block, commit = store.block(store.height), store.commit(store.height)
        assert block is not None and commit is not None
        maker = SnapshotMaker(store, tmp_path / "snapshots", interval=1, keep=1)
        maker.on_commit(block, commit, None)
        maker.close()
        url = servers.serve(api_app(dev))
        genesis.write(tmp_path / "genesis.json")
        addresses = []
        for index, (mode, port) in enumerate(
            zip(modes, free_ports(len(modes), "127.0.0.1"), strict=True)
        ):
            key = PrivateKey.from_secret(b"set-change peer %d" % index)
            log = tmp_path / f"peer-{index}.log"
            with log.open("wb") as out:
                processes.append(
                    subprocess.Popen(
                        [
                            sys.executable, "-m", "tests.node.statesync_liar", "--mode", mode,
                            "--key", key.seed().hex(), "--port", str(port),
                            "--genesis", str(tmp_path / "genesis.json"),
                            "--snapshots", str(tmp_path / "snapshots"), "--upstream", url,
                            "--allow", JOINER.public_key.hex(),
                        ],
                        stdout=out,
                        stderr=subprocess.STDOUT,
                    )
                )  # fmt: skip
            wait_for(partial(_listening, log), 60, "a peer")
            addresses.append(PeerAddress("127.0.0.1", port, key.public_key))
        yield dev, addresses
    finally:
        for process in processes:
            process.terminate()
            process.wait(20)
        servers.close()
        dev.close()


def _listening(log: Path) -> bool:
    return "liar listening" in log.read_text()


def _join(
    tmp_path: Path, dev: DevChain, peers: list[PeerAddress], timeout: float = 60.0
) -> tuple[int, Store, dict[bytes, str]]:
    genesis = dev.genesis
    store = Store.open(tmp_path / "joiner", genesis.hash())
    identity = Identity(JOINER, genesis.chain_id, genesis.hash())
    try:
        height, banned = asyncio.run(
            state_sync_from_peers(store, genesis, identity, peers, timeout=timeout)
        )
    except BaseException:
        store.close()
        raise
    return height, store, banned


def test_a_joiner_walks_a_validator_set_change_from_genesis_to_the_snapshot(
    tmp_path: Path,
) -> None:
    with _chain_served(tmp_path, "honest") as (dev, peers):
        assert dev.chain.validators != genesis_anchor(dev.genesis).next_set  # it did change
        height, store, banned = _join(tmp_path, dev, peers)
        assert banned == {}
        store.close()
        assert height == dev.store.height
        restored = Store.open(tmp_path / "joiner", dev.genesis.hash())  # open checks the root
        try:
            assert (restored.height, restored.state_root) == (height, dev.store.state_root)
            assert restored.base_height == height
        finally:
            restored.close()


def test_a_snapshot_that_hides_a_validator_set_change_is_refused(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    with _chain_served(tmp_path, "hide") as (dev, peers):
        with pytest.raises(StateSyncError, match="could be restored within 3 s"):
            _join(tmp_path, dev, peers, timeout=3.0)
        assert "hidden validator change" in caplog.text
        assert "banned" not in caplog.text  # a hidden change or a forged header: unsure whose
        store = Store.open(tmp_path / "joiner", dev.genesis.hash())
        try:
            assert not store.initialized  # nothing was written
        finally:
            store.close()


def test_a_peer_whose_blocks_name_another_set_is_banned_once_an_honest_peers_verify(
    tmp_path: Path,
) -> None:
    """The liar claims to be far ahead, so its blocks are asked first: each names a set the
    walk does not trust (a forged header, or a hidden change: unsure), so the block is asked
    of the other peer, whose block verifies: then the liar surely lied."""
    with _chain_served(tmp_path, "misname", "honest") as (dev, peers):
        height, store, banned = _join(tmp_path, dev, peers)
        store.close()
        assert height == dev.store.height
        assert list(banned) == [peers[0].public_key]
        assert "that is not the chain's" in banned[peers[0].public_key]
