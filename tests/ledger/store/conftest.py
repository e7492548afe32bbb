from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from ledger.store import Store
from tests.ledger.store.synthetic import open_store


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "db"


@pytest.fixture
def store(db_path: Path) -> Iterator[Store]:
    """A fresh store holding the synthetic chain's genesis state, closed after the test."""
    opened = open_store(db_path)
    yield opened
    opened.close()
