"""Driving Debian's chromium with Playwright (no browser download: `executable_path`).

Not a test module: the explorer's conftest and tests use it.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from playwright.sync_api import ConsoleMessage, Error, Page

CHROMIUM_ENV = "COTERIE_CHROMIUM"
SCREENSHOTS_ENV = "COTERIE_EXPLORER_SCREENSHOTS"
# What this machine's closed network and a root user need (see docs/explorer.md).
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TIMEOUT_MS = 30_000


def find_chromium() -> str | None:
    """Debian's chromium (or `$COTERIE_CHROMIUM`), if installed."""
    wanted = os.environ.get(CHROMIUM_ENV) or "/usr/bin/chromium"
    return shutil.which(wanted)


@dataclass
class Tab:
    """One page of the explorer with every console error and uncaught exception it logged."""

    page: Page
    base: str
    errors: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.page.set_default_timeout(TIMEOUT_MS)
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda exc: self.errors.append(f"uncaught: {exc}"))

    def _console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.errors.append(f"console.error: {message.text}")

    def open(self, route: str) -> Page:
        """Go to `#<route>` and wait until that page has rendered."""
        self.page.goto(f"{self.base}/explorer/#{route}")
        self.wait_page(route)
        return self.page

    def wait_page(self, route: str) -> None:
        self.page.wait_for_selector(f'main[aria-busy="false"][data-page="{route}"]')

    def text(self, selector: str) -> str:
        return self.page.locator(selector).inner_text()

    def screenshot(self, name: str) -> None:
        """Write docs/explorer/<name>.png when $COTERIE_EXPLORER_SCREENSHOTS names a folder."""
        folder = os.environ.get(SCREENSHOTS_ENV)
        if not folder:
            return
        Path(folder).mkdir(parents=True, exist_ok=True)
        try:
            self.page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)
        except Error as exc:  # a screenshot is documentation, not the test
            self.errors.append(f"screenshot {name} failed: {exc}")
