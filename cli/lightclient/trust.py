"""The light client's trusted state, kept in the wallet home so later runs skip ahead.

One JSON file per chain (`HOME/light/<chain id>-<genesis hash prefix>.json`): the last verified
height, its header hash and time, every validator set the client has accepted with the first
height it signs (the genesis set from height 1, or the checkpoint's set from its height), and the
hashes of the most recent verified headers (`seen`, to recognise a conflicting header: a fork).
The last set signs every height above the trusted one until a verified header names another; the
earlier ones let it check headers below the trusted height, down to the first set's height.
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

FORMAT_VERSION = 2
READABLE_VERSIONS = (1, 2)  # a version 1 file has no header time and no seen hashes
MAX_SEEN = 1000  # hashes of the newest verified headers kept for fork detection


@dataclass(frozen=True)
class TrustedState:
    """What the client has verified: `height` (0: only the genesis) with its header hash and
    time (None: not yet known, for a file of version 1), the sets as (first height signed,
    set), ascending, the last one signing `height + 1` and on, and the (height, hash) of the
    newest verified headers."""

    chain_id: str
    genesis_hash: bytes
    height: int
    header_hash: bytes
    sets: tuple[tuple[int, ValidatorSet], ...]
    time_ms: int | None = None
    seen: tuple[tuple[int, bytes], ...] = ()
    signed: tuple[bytes, bytes] | None = None
    """The canonical header and commit of `height` (for a fork report), when verified."""

    @classmethod
    def from_genesis(cls, genesis: Genesis) -> TrustedState:
        first = ValidatorSet.from_genesis(genesis.validators)
        return cls(
            genesis.chain_id,
            genesis.hash(),
            0,
            genesis.hash(),
            ((1, first),),
            genesis.genesis_time_ms,
        )

    @property
    def next_set(self) -> ValidatorSet:
        """The set that signs `height + 1`."""
        return self.sets[-1][1]

    @property
    def base(self) -> int:
        """The lowest height the client can check: 1 from the genesis, else the checkpoint's."""
        return self.sets[0][0]

    def set_for(self, height: int) -> ValidatorSet | None:
        """The set that signs `height`, when the client knows it (base <= height <= trusted + 1)."""
        if height < self.base or height > self.height + 1:
            return None
        chosen = None
        for first, validators in self.sets:
            if first > height:
                break
            chosen = validators
        return chosen

    def seen_hash(self, height: int) -> bytes | None:
        """The hash of the verified header of `height`, when the client still keeps it."""
        if height == self.height and height > 0:
            return self.header_hash
        for h, digest in self.seen:
            if h == height:
                return digest
        return None

    def remembered(self, height: int, header_hash: bytes) -> TrustedState:
        """With (height, hash) among the seen headers (the newest MAX_SEEN kept)."""
        if self.seen_hash(height) == header_hash and height != self.height:
            return self
        kept = {h: d for h, d in self.seen if h != height}
        kept[height] = header_hash
        newest = sorted(kept.items())[-MAX_SEEN:]
        return replace(self, seen=tuple(newest))

    def advanced(
        self,
        height: int,
        header_hash: bytes,
        time_ms: int,
        new_set: tuple[int, ValidatorSet] | None = None,
        signed: tuple[bytes, bytes] | None = None,
    ) -> TrustedState:
        sets = self.sets if new_set is None else (*self.sets, new_set)
        moved = replace(
            self,
            height=height,
            header_hash=header_hash,
            time_ms=time_ms,
            sets=sets,
            signed=signed,
        )
        return moved.remembered(height, header_hash)

    def to_json(self) -> dict[str, Any]:
        return {
            "version": FORMAT_VERSION,
            "chain_id": self.chain_id,
            "genesis_hash": self.genesis_hash.hex(),
            "height": self.height,
            "header_hash": self.header_hash.hex(),
            "time_ms": self.time_ms,
            "validator_sets": [
                {"first_height": first, "validators_msgpack": vs.encode().hex()}
                for first, vs in self.sets
            ],
            "seen": [[h, d.hex()] for h, d in self.seen],
            "signed": None
            if self.signed is None
            else {"header_msgpack": self.signed[0].hex(), "commit_msgpack": self.signed[1].hex()},
        }

    @classmethod
    def from_json(cls, data: Any) -> TrustedState:
        try:
            if data["version"] not in READABLE_VERSIONS:
                raise ValueError(f"unknown format version {data['version']}")
            sets = tuple(
                (
                    int(item["first_height"]),
                    ValidatorSet.decode(bytes.fromhex(item["validators_msgpack"])),
                )
                for item in data["validator_sets"]
            )
            time_ms = data.get("time_ms")
            signed = data.get("signed")
            state = cls(
                str(data["chain_id"]),
                bytes.fromhex(data["genesis_hash"]),
                int(data["height"]),
                bytes.fromhex(data["header_hash"]),
                sets,
                None if time_ms is None else int(time_ms),
                tuple((int(h), bytes.fromhex(d)) for h, d in data.get("seen", [])),
                None
                if signed is None
                else (
                    bytes.fromhex(signed["header_msgpack"]),
                    bytes.fromhex(signed["commit_msgpack"]),
                ),
            )
        except (KeyError, TypeError, ValueError, MalformedError) as exc:
            raise TrustStoreError(f"unreadable trusted state: {exc}") from exc
        firsts = [first for first, _ in sets]
        if not sets or firsts != sorted(set(firsts)) or state.height < 0 or firsts[0] < 1:
            raise TrustStoreError("unreadable trusted state: validator sets out of order")
        if firsts[0] > 1 and state.height < firsts[0]:
            raise TrustStoreError("unreadable trusted state: the checkpoint is above its height")
        return state


class TrustStore:
    """Loads and saves the trusted state of one chain under `HOME/light/`."""

    def __init__(self, home: Path, genesis: Genesis) -> None:
        self.genesis = genesis
        name = f"{genesis.chain_id}-{genesis.hash().hex()[:16]}.json"
        self.dir = home.expanduser() / "light"
        self.path = self.dir / name

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
        if state.genesis_hash != fresh.genesis_hash or state.chain_id != fresh.chain_id:
            raise TrustStoreError(f"{self.path} belongs to another genesis; delete it")
        if state.base == 1 and state.sets[0][1] != fresh.sets[0][1]:
            raise TrustStoreError(f"{self.path} belongs to another genesis; delete it")
        return state

    def save(self, state: TrustedState) -> None:
        """Write atomically (a crash leaves the old or the new file, never half of one)."""
        write_atomically(self.path, json.dumps(state.to_json(), indent=1) + "\n")


def write_atomically(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_text(text)
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)
