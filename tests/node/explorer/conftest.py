"""One live 4-validator testnet (real `coterie start` processes on 127.0.0.1), seeded with a
collective's life, and one headless Debian chromium, shared by the explorer's browser tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from cli.wallet.keystore import Keystore
from node.devnet import dev_account_key
from node.testnet import init_testnet
from tests.node.explorer.seed import Seeded, seed
from tests.node.processes import Cluster, wait_for

try:
    from playwright.sync_api import BrowserContext, sync_playwright

    from tests.node.explorer.browser import CHROMIUM_ARGS, Tab, find_chromium
except ImportError:  # the test extras install it; without it the tests skip, saying so
    sync_playwright = None  # type: ignore[assignment]


@pytest.fixture(scope="module")
def chromium() -> str:
    if sync_playwright is None:
        pytest.skip("explorer browser tests need playwright (pip install -e '.[test]')")
    path = find_chromium()
    if path is None:
        pytest.skip(
            "explorer browser tests need Debian's chromium at /usr/bin/chromium "
            "(apt-get install chromium; .ci/run installs it as root) or $COTERIE_CHROMIUM"
        )
    return path


@pytest.fixture(scope="module")
def devnet(
    chromium: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Cluster, Seeded]]:
    root: Path = tmp_path_factory.mktemp("explorer") / "net"
    cluster = Cluster.of(
        init_testnet(
            root, 4, block_interval_ms=300, timeout_propose_ms=2000, empty_block_interval_ms=500
        )
    )
    keys = Keystore(root)
    for index in range(4):
        keys.add_plaintext(f"dev{index}", dev_account_key(index))
    cluster.start()
    try:
        wait_for(lambda: min(cluster.heights()) >= 2, 90, "the testnet's first blocks")
        yield cluster, seed(cluster.nodes[0], cluster.testnet.genesis)
    finally:
        cluster.stop_all()


@pytest.fixture(scope="module")
def browser(chromium: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[BrowserContext]:
    profile = tmp_path_factory.mktemp("chromium-profile")
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(profile),
            executable_path=chromium,
            args=CHROMIUM_ARGS,
            headless=True,
            viewport={"width": 1280, "height": 900},
        )
        try:
            yield context
        finally:
            context.close()


@pytest.fixture
def tab(browser: BrowserContext, devnet: tuple[Cluster, Seeded]) -> Iterator[Tab]:
    """A new tab on node0's explorer; closed after the test."""
    page = browser.new_page()
    try:
        yield Tab(page, devnet[0].nodes[0].url)
    finally:
        page.close()
