"""Fixtures for the command-group tests: one live one-validator chain per test module."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence

import pytest
from click.testing import CliRunner, Result

from tests.cli.commands.live import Live, make_collective, runner_invoke, start_live


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    """A running chain (subprocess) with dev keys in a wallet home and the collective 'crew'."""
    chain = start_live(tmp_path_factory.mktemp("live"))
    try:
        chain.collective = make_collective(chain)
        yield chain
    finally:
        chain.node.stop()


@pytest.fixture
def run() -> Callable[[Sequence[str]], Result]:
    """`coterie ARGS` in-process; a traceback fails the test (catch_exceptions=False)."""
    return runner_invoke(CliRunner(env={"COTERIE_PASSWORD": None, "COTERIE_NODE": None}))
