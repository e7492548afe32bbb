"""`Node.open` / `Node.start` refuse a home they cannot run safely, with a message that says why."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from consensus.messages import Step
from consensus.wal import EndHeight, TimeoutFired
from consensus.wal_file import FileWAL
from node.home import NodeHome, init_home
from node.service import Node
from node.startup import NodeStartError


@pytest.fixture
def home(tmp_path: Path) -> NodeHome:
    report = init_home(tmp_path / "home", validator=True, chain_id="coterie-start-test")
    text = report.home.config_file.read_text()
    report.home.config_file.write_text(text.replace(":26657", ":0").replace(":26656", ":0"))
    return report.home


def refused(root: Path, *fragments: str) -> None:
    with pytest.raises(NodeStartError) as info:
        Node.open(root)
    for fragment in fragments:
        assert fragment in str(info.value)


def test_missing_home_config_or_genesis(tmp_path: Path, home: NodeHome) -> None:
    refused(tmp_path / "nowhere", "no node home", "coterie init")
    home.genesis_file.rename(home.root / "genesis.json")
    refused(home.root, "no genesis at", "genesis.json")
    home.config_file.unlink()
    refused(home.root, "no config file")


def test_validator_key_without_sign_state(home: NodeHome) -> None:
    home.sign_state_file.unlink()
    refused(home.root, "has no sign state", "refusing to start", "Restore")


def test_database_of_another_genesis(home: NodeHome, tmp_path: Path) -> None:
    Node.open(home.root)._close_files()  # creates the database
    other = init_home(tmp_path / "other", validator=True, chain_id="coterie-other")
    home.genesis_file.write_bytes(other.home.genesis_file.read_bytes())
    refused(home.root, "belongs to the chain with genesis hash")


def test_a_second_node_on_one_home(home: NodeHome) -> None:
    first = Node.open(home.root)
    try:
        refused(home.root, "in use by another process")
    finally:
        first._close_files()


def test_a_wal_ahead_of_the_database(home: NodeHome) -> None:
    wal = FileWAL(home.data_dir / "cs.wal")
    wal.append(EndHeight(3), sync=True)
    wal.close()
    refused(home.root, "ended height 3 but the database is at height 0", "never delete or move")


def test_a_wal_corrupt_before_its_last_record_is_refused_with_no_advice_to_move_it(
    home: NodeHome,
) -> None:
    path = home.data_dir / "cs.wal"
    wal = FileWAL(path)
    for record in (TimeoutFired(1, 0, Step.PROPOSE), TimeoutFired(1, 0, Step.PREVOTE)):
        wal.append(record, sync=True)
    wal.close()
    data = bytearray(path.read_bytes())
    data[10] ^= 0x01  # inside the first record's payload
    path.write_bytes(bytes(data))
    refused(home.root, "corrupt at byte 0", "Do not delete or move the WAL")
    assert path.read_bytes() == bytes(data)


async def test_a_taken_port(home: NodeHome) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        text = home.config_file.read_text()
        home.config_file.write_text(text.replace('"127.0.0.1:0"', f'"127.0.0.1:{port}"', 1))
        node = Node.open(home.root)
        try:
            with pytest.raises(NodeStartError, match=f"127.0.0.1:{port} .* already in use"):
                await node.start()
        finally:
            await node.stop()
