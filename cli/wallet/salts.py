"""Secret ballots kept until they are revealed: `HOME/ballots/CHAIN-PROPOSAL-ADDRESS.json`.

A committed ballot is worthless unless its owner can later show the ballot and the salt that
hash to the commitment, so `proposal commit` writes them here (mode 0600, before the commit is
sent: a crash after sending must not lose the salt) and `proposal reveal` reads them back. The
file names the chain id, so a reset chain with the same proposal numbers never mixes ballots.
A second commit (declined, refused, or a replacement) is appended, never written over the first:
which one the chain holds is known only to the chain, so reveal picks among them (newest first).
Anyone who reads the file learns the vote before the reveal: it is private like a key file.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ledger.governance.ballots import SALT_LEN, Ballot

BALLOTS_DIR = "ballots"
MAX_KEPT = 16
_SAFE = re.compile(r"[^A-Za-z0-9_.-]")


class SaltStoreError(Exception):
    """A stored ballot that is missing, unreadable or malformed."""


@dataclass(frozen=True, slots=True)
class StoredBallot:
    chain_id: str
    proposal_id: int
    voter: str  # address text
    ballot: Ballot
    salt: bytes
    commitment: bytes

    def to_json(self) -> dict[str, Any]:
        return {
            "chain_id": self.chain_id,
            "proposal_id": self.proposal_id,
            "voter": self.voter,
            "options": list(self.ballot.options),
            "weights": list(self.ballot.weights),
            "salt": self.salt.hex(),
            "commitment": self.commitment.hex(),
        }

    @classmethod
    def from_json(cls, data: Any) -> StoredBallot:
        try:
            salt = bytes.fromhex(data["salt"])
            ballot = Ballot(
                tuple(int(o) for o in data["options"]), tuple(int(w) for w in data["weights"])
            )
            stored = cls(
                str(data["chain_id"]),
                int(data["proposal_id"]),
                str(data["voter"]),
                ballot,
                salt,
                bytes.fromhex(data["commitment"]),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise SaltStoreError(f"malformed stored ballot: {exc}") from exc
        if len(salt) != SALT_LEN:
            raise SaltStoreError("malformed stored ballot: bad salt length")
        return stored


def ballot_path(home: Path, chain_id: str, proposal_id: int, voter: str) -> Path:
    name = f"{_SAFE.sub('_', chain_id)}-{proposal_id}-{voter}.json"
    return home / BALLOTS_DIR / name


def _read(path: Path) -> list[Any]:
    try:
        data = json.loads(path.read_text())
    except FileNotFoundError:
        return []
    except (OSError, ValueError) as exc:
        raise SaltStoreError(f"cannot read {path}: {exc}") from exc
    entries = data.get("ballots") if isinstance(data, dict) else None
    if not isinstance(entries, list):
        raise SaltStoreError(f"{path} is not a stored-ballots file")
    return entries


def save(home: Path, stored: StoredBallot) -> Path:
    """Add the ballot to its file (earlier commitments are kept) and return where."""
    path = ballot_path(home, stored.chain_id, stored.proposal_id, stored.voter)
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    entries = [*_read(path), stored.to_json()][-MAX_KEPT:]
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            json.dump({"version": 1, "ballots": entries}, handle, indent=2)
            handle.flush()
            os.fsync(handle.fileno())
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)
    return path


def load(home: Path, chain_id: str, proposal_id: int, voter: str) -> list[StoredBallot]:
    """The stored ballots for this proposal and voter, newest first."""
    path = ballot_path(home, chain_id, proposal_id, voter)
    entries = [StoredBallot.from_json(e) for e in _read(path)]
    if not entries:
        raise SaltStoreError(
            f"no committed ballot for proposal {proposal_id} by {voter} on {chain_id!r} "
            f"(looked for {path})"
        )
    for stored in entries:
        if (stored.chain_id, stored.proposal_id, stored.voter) != (chain_id, proposal_id, voter):
            raise SaltStoreError(f"{path} holds another proposal's ballot")
    return entries[::-1]
