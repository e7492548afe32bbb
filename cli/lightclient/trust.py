"""The light client's trusted state, kept in the wallet home so later runs skip ahead.

One JSON file per chain (`HOME/light/<chain id>-<genesis hash prefix>.json`): the last verified
height and header hash, and every validator set the client has accepted with the first height it
signs (the genesis set from height 1). The last set signs every height above the trusted one until
a verified header names another; the earlier ones let it check headers below the trusted height.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from cli.lightclient.errors import TrustStoreError
from consensus.validators import ValidatorSet
from ledger.codec import MalformedError
from ledger.genesis import Genesis

FORMAT_VERSION = 1


@dataclass(frozen=True)
class TrustedState:
    """What the client has verified: `height` (0: only the genesis) and its header hash, and the
    sets as (first height signed, set), ascending; the last signs `height + 1` and on."""

    chain_id: str
    genesis_hash: bytes
    height: int
    header_hash: bytes
    sets: tuple[tuple[int, ValidatorSet], ...]

    @classmethod
    def from_genesis(cls, genesis: Genesis) -> TrustedState:
        first = ValidatorSet.from_genesis(genesis.validators)
        return cls(genesis.chain_id, genesis.hash(), 0, genesis.hash(), ((1, first),))

    @property
    def next_set(self) -> ValidatorSet:
        """The set that signs `height + 1`."""
        return self.sets[-1][1]

    def set_for(self, height: int) -> ValidatorSet | None:
        """The set that signs `height`, when the client knows it (height <= trusted + 1)."""
        if height < 1 or height > self.height + 1:
            return None
        chosen = None
        for first, validators in self.sets:
            if first > height:
                break
            chosen = validators
        return chosen

    def advanced(
        self, height: int, header_hash: bytes, new_set: tuple[int, ValidatorSet] | None = None
    ) -> TrustedState:
        sets = self.sets if new_set is None else (*self.sets, new_set)
        return replace(self, height=height, header_hash=header_hash, sets=sets)

    def to_json(self) -> dict[str, Any]:
        return {
            "version": FORMAT_VERSION,
            "chain_id": self.chain_id,
            "genesis_hash": self.genesis_hash.hex(),
            "height": self.height,
            "header_hash": self.header_hash.hex(),
            "validator_sets": [
                {"first_height": first, "validators_msgpack": vs.encode().hex()}
                for first, vs in self.sets
            ],
        }

    @classmethod
    def from_json(cls, data: Any) -> TrustedState:
        try:
            if data["version"] != FORMAT_VERSION:
                raise ValueError(f"unknown format version {data['version']}")
            sets = tuple(
                (
                    int(item["first_height"]),
                    ValidatorSet.decode(bytes.fromhex(item["validators_msgpack"])),
                )
                for item in data["validator_sets"]
            )
            state = cls(
                str(data["chain_id"]),
                bytes.fromhex(data["genesis_hash"]),
                int(data["height"]),
                bytes.fromhex(data["header_hash"]),
                sets,
            )
        except (KeyError, TypeError, ValueError, MalformedError) as exc:
            raise TrustStoreError(f"unreadable trusted state: {exc}") from exc
        firsts = [first for first, _ in sets]
        if not sets or firsts[0] != 1 or firsts != sorted(set(firsts)) or state.height < 0:
            raise TrustStoreError("unreadable trusted state: validator sets out of order")
        return state


class TrustStore:
    """Loads and saves the trusted state of one chain under `HOME/light/`."""

    def __init__(self, home: Path, genesis: Genesis) -> None:
        self.genesis = genesis
        name = f"{genesis.chain_id}-{genesis.hash().hex()[:16]}.json"
        self.path = home.expanduser() / "light" / name

    def load(self) -> TrustedState:
        """The saved state, or a fresh one from the genesis when nothing is saved yet."""
        fresh = TrustedState.from_genesis(self.genesis)
        try:
            text = self.path.read_text()
        except FileNotFoundError:
            return fresh
        except OSError as exc:
            raise TrustStoreError(f"cannot read {self.path}: {exc.strerror or exc}") from exc
        try:
            state = TrustedState.from_json(json.loads(text))
        except ValueError as exc:
            raise TrustStoreError(f"{self.path}: {exc} (delete it to verify from genesis)") from exc
        if state.genesis_hash != fresh.genesis_hash or state.sets[0][1] != fresh.sets[0][1]:
            raise TrustStoreError(f"{self.path} belongs to another genesis; delete it")
        return state

    def save(self, state: TrustedState) -> None:
        """Write atomically (a crash leaves the old or the new file, never half of one)."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        try:
            tmp.write_text(json.dumps(state.to_json(), indent=1) + "\n")
            tmp.replace(self.path)
        finally:
            tmp.unlink(missing_ok=True)
