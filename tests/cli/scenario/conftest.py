"""Shipped scenarios run short, and the report page in headless Chromium."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

SCENARIOS = Path(__file__).resolve().parents[3] / "scenarios"


@pytest.fixture
def scenarios_dir() -> Path:
    return SCENARIOS


@pytest.fixture(scope="module")
def chromium_page() -> Iterator[object]:
    from tests.node.explorer.browser import CHROMIUM_ARGS, find_chromium

    path = find_chromium()
    if path is None:
        pytest.skip("no chromium at /usr/bin/chromium (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        try:
            yield browser.new_page()
        finally:
            browser.close()
