"""Fixtures for the wallet commands: an isolated wallet home, a runner, stored keys, a genesis.

Keys are created with scrypt n=16 through COTERIE_KEYSTORE_SCRYPT_N so the suite stays fast; one
test in test_keystore.py checks the real default. `catch_exceptions=False` makes any traceback a
test failure: user mistakes must end as click errors with an exit code.
"""

from __future__ import annotations

import signal
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from cli.main import cli
from cli.wallet.keystore import Keystore
from cli.wallet.sealing import ScryptParams
from ledger.genesis import ChainParams, Genesis, GenesisValidator
from ledger.keys import PrivateKey
from node.devnet import DEV_ACCOUNT_COUNT, dev_account_key
from node.testnet import init_testnet
from tests.cli.helpers import (
    ALICE_SEED,
    BOB_SEED,
    CHAIN_ID,
    PASSWORD,
    Devnet,
    Invoke,
    LiveWallet,
    StoredKey,
)
from tests.node.processes import Cluster, wait_for


@pytest.fixture
def ctrl_c_reaches_children() -> Iterator[None]:
    """A child started meanwhile takes SIGINT as Ctrl-C even when the test run itself was started
    with SIGINT ignored (a shell's background job, `nohup`): an ignored signal stays ignored
    across exec, so the child would never see it; a handler is reset to the default instead."""
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path / "wallet"


@pytest.fixture
def runner(home: Path) -> CliRunner:
    return CliRunner(
        env={
            "COTERIE_HOME": str(home),
            "COTERIE_KEYSTORE_SCRYPT_N": "16",
            "COTERIE_PASSWORD": None,  # never inherit a developer's password
        }
    )


@pytest.fixture
def invoke(runner: CliRunner) -> Invoke:
    """Run `coterie ARGS`; `password=` sets COTERIE_PASSWORD, `input=` feeds prompts."""

    def run(
        args: Sequence[str],
        input: str | None = None,
        password: str | None = None,
        env: dict[str, str | None] | None = None,
    ) -> Result:
        merged = dict(env or {})
        if password is not None:
            merged["COTERIE_PASSWORD"] = password
        return runner.invoke(cli, list(args), input=input, env=merged, catch_exceptions=False)

    return run


def _import(invoke: Invoke, home: Path, name: str, seed: bytes, tmp_path: Path) -> StoredKey:
    seed_file = tmp_path / f"{name}.seed"
    seed_file.write_text(seed.hex() + "\n")
    result = invoke(["keys", "import", name, "--seed-file", str(seed_file)], password=PASSWORD)
    assert result.exit_code == 0, result.output
    return StoredKey(name, PrivateKey(seed), home / "keys" / f"{name}.json")


@pytest.fixture
def alice(invoke: Invoke, home: Path, tmp_path: Path) -> StoredKey:
    return _import(invoke, home, "alice", ALICE_SEED, tmp_path)


@pytest.fixture
def bob(invoke: Invoke, home: Path, tmp_path: Path) -> StoredKey:
    return _import(invoke, home, "bob", BOB_SEED, tmp_path)


@pytest.fixture
def password_file(tmp_path: Path) -> Path:
    path = tmp_path / "password.txt"
    path.write_text(PASSWORD + "\n")
    return path


@pytest.fixture
def genesis(tmp_path: Path) -> tuple[Genesis, Path]:
    validator = PrivateKey.from_secret(b"validator-0")
    value = Genesis(
        params=ChainParams(chain_id=CHAIN_ID, address_prefix="tcot"),
        genesis_time_ms=0,
        balances=(),
        validators=(GenesisValidator("v0", validator.public_key, 1),),
    )
    path = tmp_path / "genesis.json"
    value.write(path)
    return value, path


@pytest.fixture
def unsigned_tx(invoke: Invoke, alice: StoredKey, bob: StoredKey, tmp_path: Path) -> Path:
    """An unsigned transfer of 25 from alice to bob, nonce 3, fee 2."""
    out = tmp_path / "unsigned.json"
    result = invoke(
        [
            "tx", "transfer", "--from", "alice", "--to", bob.address(), "--amount", "25",
            "--fee", "2", "--memo", "rent", "--nonce", "3", "--chain-id", CHAIN_ID,
            "--generate-only", "--out", str(out),
        ]
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture
def node_home(invoke: Invoke, home: Path) -> Path:
    """A validator node home made by `coterie init` (in COTERIE_HOME, beside the wallet keys)."""
    result = invoke(["init", "--moniker", "n0", "--chain-id", CHAIN_ID])
    assert result.exit_code == 0, result.output
    return home


@pytest.fixture
def tty(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make the wallet believe stdin is a terminal, so it asks `Confirm?` (CliRunner's is not)."""
    monkeypatch.setattr("cli.sending.stdin_is_tty", lambda: True)


# -- a live node: one validator as a `python -m cli start` subprocess on 127.0.0.1 -------------


@pytest.fixture(scope="session")
def devnet(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Devnet]:
    """One validator with fast blocks, shared by the live wallet tests of one test process."""
    testnet = init_testnet(
        tmp_path_factory.mktemp("devnet") / "net",
        1,
        block_interval_ms=200,
        timeout_propose_ms=1500,
        empty_block_interval_ms=500,
    )
    cluster = Cluster.of(testnet)
    cluster.start()
    try:
        node = cluster.nodes[0]
        wait_for(lambda: node.height() >= 1, 60, "the devnet's first block")
        yield Devnet(node.url, testnet.genesis, testnet.root)
    finally:
        cluster.stop_all()


@pytest.fixture
def live(invoke: Invoke, home: Path, devnet: Devnet) -> LiveWallet:
    """A wallet home holding the devnet's funded dev keys dev0..dev3 (encrypted under PASSWORD),
    whose commands go to the devnet's node."""
    store = Keystore(home, ScryptParams(n=16))
    for i in range(DEV_ACCOUNT_COUNT):
        store.add(f"dev{i}", dev_account_key(i), PASSWORD)
    return LiveWallet(invoke, devnet, home)
