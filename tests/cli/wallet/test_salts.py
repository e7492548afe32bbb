"""The store of secret ballots between commit and reveal."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from cli.wallet import salts
from ledger.governance.ballots import Ballot


def _stored(options: tuple[int, ...], salt: bytes) -> salts.StoredBallot:
    return salts.StoredBallot("coterie-test", 7, "tcot1voter", Ballot(options), salt, b"\x01" * 32)


def test_commits_are_kept_newest_first_in_a_private_file(tmp_path: Path) -> None:
    path = salts.save(tmp_path, _stored((0,), b"\xaa" * 32))
    salts.save(tmp_path, _stored((1,), b"\xbb" * 32))
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    loaded = salts.load(tmp_path, "coterie-test", 7, "tcot1voter")
    assert [s.ballot.options for s in loaded] == [(1,), (0,)]
    assert loaded[1].salt == b"\xaa" * 32


def test_missing_and_damaged_files_are_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(salts.SaltStoreError, match="no committed ballot for proposal 7"):
        salts.load(tmp_path, "coterie-test", 7, "tcot1voter")
    path = salts.ballot_path(tmp_path, "coterie-test", 7, "tcot1voter")
    path.parent.mkdir(parents=True)
    path.write_text("{not json")
    with pytest.raises(salts.SaltStoreError, match="cannot read"):
        salts.load(tmp_path, "coterie-test", 7, "tcot1voter")
    path.write_text('{"ballots": [{"salt": "00"}]}')
    with pytest.raises(salts.SaltStoreError, match="malformed"):
        salts.load(tmp_path, "coterie-test", 7, "tcot1voter")


def test_a_chain_id_cannot_escape_the_folder(tmp_path: Path) -> None:
    path = salts.ballot_path(tmp_path, "../../etc", 1, "tcot1voter")
    assert path.parent == tmp_path / salts.BALLOTS_DIR
