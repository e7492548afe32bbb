"""Text that must stay true (issue 15): the README's dependency lists match pyproject.toml, the
docs name only paths inside the repository, examples show events as the chain names them, and
help texts give the chain's own limits."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from click.testing import CliRunner

from cli.main import cli
from ledger.governance.proposal import MAX_METADATA_LEN

ROOT = Path(__file__).resolve().parents[2]


def _project() -> dict[str, object]:
    data = tomllib.loads((ROOT / "pyproject.toml").read_text())
    project: dict[str, object] = data["project"]
    return project


def _names(requirements: object) -> list[str]:
    assert isinstance(requirements, list)
    return [re.split(r"[<>=\[ ]", str(r), maxsplit=1)[0] for r in requirements]


def test_the_license_is_an_spdx_string() -> None:
    assert _project()["license"] == "Apache-2.0"


def test_the_readme_names_every_dependency_and_test_extra() -> None:
    section = (ROOT / "README.md").read_text().split("## Dependencies", 1)[1]
    extras = _project()["optional-dependencies"]
    assert isinstance(extras, dict)
    missing = [n for n in _names(_project()["dependencies"]) if f"| {n} |" not in section]
    missing += [n for n in _names(extras["test"]) if n not in section]
    assert not missing, f"README's dependency list lacks {missing}"


def test_the_docs_name_no_path_outside_the_repository() -> None:
    for doc in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        text = doc.read_text()
        assert "/work/" not in text, doc.name


def test_docs_show_transfer_events_as_the_chain_names_them() -> None:
    text = (ROOT / "docs" / "cli.md").read_text()
    events = [line for line in text.splitlines() if "event transfer " in line]
    assert events and all("sender=" in e and "recipient=" in e for e in events), events


def test_statement_help_gives_the_chain_limit() -> None:
    result = CliRunner().invoke(cli, ["member", "apply", "--help"])
    assert f"up to {MAX_METADATA_LEN:,} bytes" in result.output.replace("\n", " ")
    assert "255 bytes" not in result.output


def test_governance_says_where_an_unrevealed_delegator_power_goes() -> None:
    text = " ".join((ROOT / "docs" / "governance.md").read_text().split())
    assert "never reveals it abstains with his own power" in text  # yes/no: the commitment counts
    assert "his delegates who revealed cast his power" in text  # polls: as if he had not voted


def test_make_devnet_lists_the_dev_accounts_once() -> None:
    """`make devnet` runs `testnet init` then `testnet start`: only start's banner is shown
    (init's listing repeated the accounts and said `start it with:` while it was starting)."""
    recipe = (ROOT / "Makefile").read_text().split("\ndevnet:", 1)[1].split("\n\n", 1)[0]
    assert "testnet init" in recipe and "testnet start" in recipe
    init = recipe.split("testnet init", 1)[1].split("&&", 1)[0]
    assert ">/dev/null" in init
