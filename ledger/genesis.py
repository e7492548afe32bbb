"""Genesis: the chain's identity, initial state and parameters, loaded from `genesis.json`.

The genesis hash (SHA-256 of the canonical encoding of the parsed genesis, not of the JSON text,
whose spacing is free) is part of every signature domain. `ChainParams` is the one frozen parameter
object the rules read; tests derive variants with `dataclasses.replace`.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from ledger import codec
from ledger.bech32m import AddressError
from ledger.consensus_params import ConsensusParams
from ledger.hashing import digest
from ledger.keys import PUBLIC_KEY_LEN, Address
from ledger.tx import TxKind

__all__ = [
    "DEFAULT_FEE_BY_KIND",
    "DEFAULT_MIN_FEE",
    "DEFAULT_TRUST_PERIOD_MS",
    "GOVERNED_BY_VALIDATORS",
    "MIN_TRUST_PERIOD_MS",
    "ChainParams",
    "ConsensusParams",
    "Genesis",
    "GenesisCollective",
    "GenesisError",
    "GenesisValidator",
]

GOVERNED_BY_VALIDATORS = "validators"
# The fees a genesis.json gets when it says nothing about fees (docs/security.md, "Spam model"):
# every tx costs something, so a key that never held a coin can do nothing, and kinds that create
# lasting state cost more. Dev and test genesis files (node/devnet.py) state `min_fee: 0`: free.
DEFAULT_MIN_FEE = 1_000
DEFAULT_FEE_BY_KIND: dict[str, int] = {
    "collective_create": 1_000_000,
    "split_create": 100_000,
    "proposal_submit": 100_000,
    "content_anchor": 10_000,
}


class GenesisError(ValueError):
    """A genesis file that cannot be used, with the reason."""


DEFAULT_TRUST_PERIOD_MS = 14 * 24 * 3600 * 1000
"""A light client trusts a validator set it verified for two weeks (CometBFT's usual choice);
hashed into the genesis only when another value is chosen, so older genesis files keep theirs."""
MIN_TRUST_PERIOD_MS = 60_000


@dataclass(frozen=True, slots=True)
class ChainParams:
    chain_id: str
    address_prefix: str
    min_fee: int = 0
    fee_collector: Address | None = None  # None: fees go to the block's proposer
    governing_body: str = GOVERNED_BY_VALIDATORS  # or a collective id in hex
    consensus: ConsensusParams = field(default_factory=ConsensusParams)
    fee_by_kind: tuple[tuple[int, int], ...] = ()
    """(tx kind number, minimum fee) pairs, sorted by kind: a kind's minimum fee is the larger
    of this and `min_fee` (the spam model, docs/security.md: state-creating kinds cost more)."""

    def min_fee_for(self, kind: int) -> int:
        for listed, fee in self.fee_by_kind:
            if listed == kind:
                return max(fee, self.min_fee)
        return self.min_fee

    trust_period_ms: int = DEFAULT_TRUST_PERIOD_MS
    """How long a light client may trust a validator set it verified (docs/lightclient.md)."""


@dataclass(frozen=True, slots=True)
class GenesisValidator:
    """`node_key` is the public key of the validator's P2P node (`node_key.json`), which every
    node allows to connect while the validator is in the set; None for a genesis written before
    node keys were recorded (operators then list that node in their config)."""

    name: str
    public_key: bytes
    power: int
    node_key: bytes | None = None

    def to_fields(self) -> list[Any]:
        """Hashed as [name, key, power] plus the node key when there is one, so a genesis
        without node keys keeps its hash."""
        fields: list[Any] = [self.name, self.public_key, self.power]
        if self.node_key is not None:
            fields.append(self.node_key)
        return fields

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "name": self.name,
            "public_key": self.public_key.hex(),
            "power": self.power,
        }
        if self.node_key is not None:
            data["node_key"] = self.node_key.hex()
        return data

    @property
    def address(self) -> Address:
        return Address.from_public_key(self.public_key)


@dataclass(frozen=True, slots=True)
class GenesisCollective:
    """A collective that exists from height 0, with the default token classes (shares, loot).

    Its id is `ledger.collectives.ids.genesis_collective_id(index in the genesis list)`, so the
    genesis can name it as the chain's governing body.
    """

    name: str
    metadata: str
    founders: tuple[tuple[Address, int, int], ...]  # (address, shares, loot)

    def to_fields(self) -> list[Any]:
        return [self.name, self.metadata, [[a.raw, s, loot] for a, s, loot in self.founders]]


@dataclass(frozen=True, slots=True)
class Genesis:
    params: ChainParams
    genesis_time_ms: int
    balances: tuple[tuple[Address, int], ...]
    validators: tuple[GenesisValidator, ...]
    collectives: tuple[GenesisCollective, ...] = ()

    @property
    def chain_id(self) -> str:
        return self.params.chain_id

    def to_fields(self) -> list[Any]:
        """The hashed fields; `collectives` is appended only when there are some, so a genesis
        without collectives keeps the hash it had before collectives existed."""
        p = self.params
        c = p.consensus
        fields = [
            p.chain_id,
            p.address_prefix,
            self.genesis_time_ms,
            p.min_fee,
            p.fee_collector.raw if p.fee_collector else None,
            p.governing_body,
            [int(v) if not isinstance(v, bool) else v for v in asdict(c).values()],
            [[a.raw, amount] for a, amount in self.balances],
            [v.to_fields() for v in self.validators],
        ]
        trust_set = p.trust_period_ms != DEFAULT_TRUST_PERIOD_MS
        if self.collectives or p.fee_by_kind or trust_set:
            fields.append([c.to_fields() for c in self.collectives])
        if (
            p.fee_by_kind or trust_set
        ):  # appended only when set, so older genesis files keep their hash
            fields.append([[kind, fee] for kind, fee in p.fee_by_kind])
        if trust_set:
            fields.append(["trust_period_ms", p.trust_period_ms])
        return fields

    def hash(self) -> bytes:
        return digest(b"coterie/genesis/v1\x00" + codec.encode(self.to_fields()))

    def to_json(self) -> dict[str, Any]:
        p = self.params
        hrp = p.address_prefix
        data: dict[str, Any] = {
            "chain_id": p.chain_id,
            "address_prefix": hrp,
            "genesis_time_ms": self.genesis_time_ms,
            "fees": {
                "min_fee": p.min_fee,
                "collector": p.fee_collector.to_text(hrp) if p.fee_collector else "proposer",
            },
            "governance": {"governing_body": p.governing_body},
            "consensus": asdict(p.consensus),
            "balances": [{"address": a.to_text(hrp), "amount": n} for a, n in self.balances],
            "validators": [v.to_json() for v in self.validators],
        }
        if p.fee_by_kind:
            data["fees"]["by_kind"] = {_kind_name(kind): fee for kind, fee in p.fee_by_kind}
        if self.collectives:
            data["collectives"] = [_collective_json(c, hrp) for c in self.collectives]
        if p.trust_period_ms != DEFAULT_TRUST_PERIOD_MS:
            data["light_client"] = {"trust_period_ms": p.trust_period_ms}
        return data

    def write(self, path: Path) -> None:
        path.write_text(json.dumps(self.to_json(), indent=2) + "\n")

    @classmethod
    def load(cls, path: Path) -> Genesis:
        try:
            data = json.loads(path.read_text())
        except FileNotFoundError as exc:
            raise GenesisError(f"no genesis file at {path}") from exc
        except (OSError, json.JSONDecodeError) as exc:
            raise GenesisError(f"cannot read genesis {path}: {exc}") from exc
        return cls.from_json(data)

    @classmethod
    def from_json(cls, data: Any) -> Genesis:
        try:
            return _parse(data)
        except GenesisError:
            raise
        except (KeyError, TypeError, ValueError, AddressError) as exc:
            raise GenesisError(f"invalid genesis: {exc!r}") from exc


def _collective_json(c: GenesisCollective, hrp: str) -> dict[str, Any]:
    return {
        "name": c.name,
        "metadata": c.metadata,
        "founders": [
            {"address": a.to_text(hrp), "shares": s, "loot": loot} for a, s, loot in c.founders
        ],
    }


def _parse_collective(entry: Any, hrp: str) -> GenesisCollective:
    name = entry["name"]
    metadata = entry.get("metadata", "")
    if not isinstance(name, str) or not 0 < len(name.encode()) <= 64:
        raise GenesisError("a genesis collective needs a name of 1 to 64 bytes")
    if not isinstance(metadata, str) or len(metadata.encode()) > 255:
        raise GenesisError("collective metadata is a string of at most 255 bytes")
    founders = []
    for f in entry["founders"]:
        shares = _int(f["shares"], "founder shares", 1)
        founders.append((Address.parse(hrp, f["address"]), shares, _int(f.get("loot", 0), "loot")))
    if not 0 < len(founders) <= 100 or len({a for a, _, _ in founders}) != len(founders):
        raise GenesisError(f"collective {name!r} needs 1 to 100 distinct founders")
    return GenesisCollective(name, metadata, tuple(founders))


def _int(value: Any, name: str, lo: int = 0, hi: int = codec.U64_MAX) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
        raise GenesisError(f"{name} must be an integer in [{lo}, {hi}], got {value!r}")
    return value


def _trust_period(light: Any) -> int:
    if not isinstance(light, dict) or set(light) - {"trust_period_ms"}:
        raise GenesisError('light_client is {"trust_period_ms": N}')
    value = light.get("trust_period_ms", DEFAULT_TRUST_PERIOD_MS)
    return _int(value, "light_client.trust_period_ms", MIN_TRUST_PERIOD_MS)


def _parse(data: Any) -> Genesis:
    if not isinstance(data, dict):
        raise GenesisError("genesis must be a JSON object")
    chain_id = data["chain_id"]
    hrp = data["address_prefix"]
    if not isinstance(chain_id, str) or not 0 < len(chain_id) <= 64:
        raise GenesisError("chain_id must be a string of 1 to 64 characters")
    if not isinstance(hrp, str) or not hrp.isalnum() or not hrp.islower() or len(hrp) > 16:
        raise GenesisError("address_prefix must be 1 to 16 lowercase letters or digits")
    fees = data.get("fees", {"min_fee": DEFAULT_MIN_FEE, "by_kind": DEFAULT_FEE_BY_KIND})
    if not isinstance(fees, dict):
        raise GenesisError("fees must be an object")
    collector_text = fees.get("collector", "proposer")
    collector = None if collector_text == "proposer" else Address.parse(hrp, collector_text)
    consensus_raw = dict(data.get("consensus", {}))
    defaults = asdict(ConsensusParams())
    unknown = set(consensus_raw) - set(defaults)
    if unknown:
        raise GenesisError(f"unknown consensus parameters: {sorted(unknown)}")
    for key, value in consensus_raw.items():
        if isinstance(defaults[key], bool):
            if not isinstance(value, bool):
                raise GenesisError(f"consensus.{key} must be true or false")
        else:
            _int(value, f"consensus.{key}")
    problem = ConsensusParams(**consensus_raw).error()
    if problem:
        raise GenesisError(f"consensus.{problem}")
    params = ChainParams(
        chain_id=chain_id,
        address_prefix=hrp,
        min_fee=_int(fees.get("min_fee", 0), "fees.min_fee"),
        fee_by_kind=_fee_schedule(fees.get("by_kind", {})),
        fee_collector=collector,
        governing_body=str(data.get("governance", {}).get("governing_body", "validators")),
        consensus=ConsensusParams(**consensus_raw),
        trust_period_ms=_trust_period(data.get("light_client", {})),
    )
    balances: list[tuple[Address, int]] = []
    seen: set[Address] = set()
    for entry in data.get("balances", []):
        address = Address.parse(hrp, entry["address"])
        if address in seen:
            raise GenesisError(f"balance listed twice for {entry['address']}")
        seen.add(address)
        balances.append((address, _int(entry["amount"], "balance amount")))
    if sum(n for _, n in balances) > codec.U64_MAX:
        raise GenesisError("total supply exceeds 2^64 - 1")
    validators = [_parse_validator(entry) for entry in data["validators"]]
    if not validators:
        raise GenesisError("genesis needs at least one validator")
    if len({v.public_key for v in validators}) != len(validators):
        raise GenesisError("a validator key is listed twice")
    body = params.governing_body
    if body != GOVERNED_BY_VALIDATORS and not _is_collective_hex(body):
        raise GenesisError("governing_body is 'validators' or a collective id (40 hex digits)")
    return Genesis(
        params=params,
        genesis_time_ms=_int(data.get("genesis_time_ms", 0), "genesis_time_ms"),
        balances=tuple(balances),
        validators=tuple(validators),
        collectives=tuple(_parse_collective(c, hrp) for c in data.get("collectives", [])),
    )


def _kind_name(kind: int) -> str:
    return TxKind(kind).name.lower()


def _fee_schedule(table: Any) -> tuple[tuple[int, int], ...]:
    """`fees.by_kind`: {"collective_create": 1000, ...}, kind names as `TxKind` in lower case."""
    if not isinstance(table, dict):
        raise GenesisError("fees.by_kind must be an object of kind name -> minimum fee")
    pairs = []
    for name, fee in table.items():
        try:
            kind = TxKind[str(name).upper()]
        except KeyError:
            raise GenesisError(f"fees.by_kind: unknown tx kind {name!r}") from None
        pairs.append((int(kind), _int(fee, f"fees.by_kind.{name}")))
    return tuple(sorted(pairs))


def _parse_validator(entry: Any) -> GenesisValidator:
    name = entry.get("name", "")
    if not isinstance(name, str) or len(name.encode()) > 64:
        raise GenesisError("a validator name is a string of at most 64 bytes")
    key = _key32(entry["public_key"], f"validator {name!r}: public_key")
    power = _int(entry.get("power", 1), "validator power", 1, 2**40)
    node_key = entry.get("node_key")
    if node_key is not None:
        node_key = _key32(node_key, f"validator {name!r}: node_key")
    return GenesisValidator(name, key, power, node_key)


def _key32(text: Any, what: str) -> bytes:
    """A 32-byte public key written as 64 hex digits."""
    hex_digits = "0123456789abcdefABCDEF"
    if not isinstance(text, str) or len(text) != 2 * PUBLIC_KEY_LEN or text.strip(hex_digits):
        raise GenesisError(
            f"{what} must be {PUBLIC_KEY_LEN} bytes in hex ({2 * PUBLIC_KEY_LEN} digits)"
        )
    return bytes.fromhex(text)


def _is_collective_hex(text: str) -> bool:
    return len(text) == 40 and all(ch in "0123456789abcdef" for ch in text)
