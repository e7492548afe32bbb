"""How a person names things on the command line, and how the wallet reads them.

- an account: an address of the chain, or the name of a stored key (`--to bob`);
- a collective: its 40-hex id, or its exact name (asked of the node; must be unique);
- a token class: its name in the collective (`shares`) or its index (`0`);
- an asset: `native` (or the coin's name), or `COLLECTIVE/CLASS`;
- amounts per class: `CLASS=AMOUNT`; parts: `50%` or a number of ppm; durations: `90s`, `10m`,
  `2h`, `7d` or milliseconds.

Errors are `click.BadParameter`/`UsageError` (exit code 2) or `InvalidInputError` (3), so a typo
never ends in a traceback.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import click

from cli.errors import InvalidInputError, NotFoundError
from cli.nodeclient import NodeApiError, NodeClient
from cli.wallet.keystore import Keystore, KeystoreError
from ledger.bech32m import AddressError
from ledger.collectives.ids import COLLECTIVE_ID_LEN, NATIVE, Asset
from ledger.keys import Address

PPM = 1_000_000
_DURATION = re.compile(r"(\d+)\s*(ms|s|m|min|h|d|w)?")
_UNIT_MS = {"ms": 1, "s": 1000, "m": 60_000, "min": 60_000, "h": 3_600_000, "d": 86_400_000}
_UNIT_MS["w"] = 7 * _UNIT_MS["d"]


class ProposalNumber(click.ParamType[int]):
    """A proposal's number as lists print it: `12`, or `#12`."""

    name = "PROPOSAL_ID"

    def convert(
        self, value: object, param: click.Parameter | None, ctx: click.Context | None
    ) -> int:
        if isinstance(value, int):
            return value
        text = str(value).strip().removeprefix("#")
        if not text.isdigit() or int(text) >= 2**64:
            self.fail(f"{value!r} is not a proposal number (like 12 or #12)", param, ctx)
        return int(text)


PROPOSAL_NUMBER = ProposalNumber()


def parse_duration_ms(text: str) -> int:
    """`90s`, `10m`, `2h`, `7d`, `1w`, or plain milliseconds."""
    match = _DURATION.fullmatch(text.strip().lower())
    if match is None:
        raise click.BadParameter(f"{text!r} is not a duration (like 90s, 10m, 2h, 7d)")
    return int(match.group(1)) * _UNIT_MS[match.group(2) or "ms"]


def parse_ppm(text: str) -> int:
    """`50%`, `33.4%` or parts per million (`500000`)."""
    raw = text.strip()
    try:
        value = round(float(raw[:-1]) * PPM / 100) if raw.endswith("%") else int(raw)
    except ValueError:
        raise click.BadParameter(f"{text!r} is not a percentage (like 50%) or ppm") from None
    if not 0 <= value <= PPM:
        raise click.BadParameter(f"{text!r} is not between 0% and 100%")
    return value


def split_pair(text: str, what: str) -> tuple[str, str]:
    name, sep, value = text.partition("=")
    if not sep or not name.strip() or not value.strip():
        raise click.BadParameter(f"{text!r}: expected {what}")
    return name.strip(), value.strip()


def parse_amount(text: str) -> int:
    try:
        value = int(text.replace("_", ""))
    except ValueError:
        raise click.BadParameter(f"{text!r} is not a whole amount") from None
    if value < 0 or value >= 2**64:
        raise click.BadParameter(f"{text!r} is out of range")
    return value


@dataclass(frozen=True, slots=True)
class CollectiveInfo:
    id: bytes
    name: str
    classes: tuple[str, ...]

    def class_index(self, text: str) -> int:
        if text.isdigit():
            index = int(text)
            if self.classes and index >= len(self.classes):
                raise InvalidInputError(f"{self.name!r} has no token class {index}")
            return index
        if text in self.classes:
            return self.classes.index(text)
        known = ", ".join(self.classes) or "unknown offline: use the class index"
        raise InvalidInputError(f"{self.name!r} has no token class {text!r} (classes: {known})")


@dataclass(frozen=True, slots=True)
class Resolver:
    """Reads names given on the command line; `client` is None offline (--generate-only)."""

    prefix: str
    store: Keystore
    client: NodeClient | None
    native_coin: str = "coin"

    def account(self, text: str) -> Address:
        """An address of this chain, or the address of the stored key named `text`."""
        try:
            return Address.parse(self.prefix, text)
        except AddressError:
            if text.startswith(self.prefix + "1") or ("1" in text and len(text) > 40):
                raise  # a mistyped address or one of another chain: its message says which
            try:
                return self.store.info(text).address
            except (KeystoreError, ValueError):
                raise InvalidInputError(
                    f"{text!r} is neither an address of this chain ({self.prefix}1...) nor a key "
                    "name in this wallet (see `coterie keys list`)"
                ) from None

    def collective(self, text: str) -> CollectiveInfo:
        cid = _hex_id(text)
        if cid is None:
            cid = self._by_name(text)
        if self.client is None:
            return CollectiveInfo(cid, cid.hex(), ())
        try:
            view = self.client.get(f"/v1/collectives/{cid.hex()}")
        except NodeApiError as exc:
            if exc.status == 404:
                raise NotFoundError(
                    f"no collective {cid.hex()} on this chain: give the id (40 hex) or the "
                    "exact name of an existing collective"
                ) from None
            raise
        classes = tuple(str(c.get("name")) for c in view.get("classes", []))
        return CollectiveInfo(cid, str(view.get("name", "")), classes)

    def _by_name(self, name: str) -> bytes:
        if self.client is None:
            raise click.UsageError(f"offline, give the collective's id (40 hex), not {name!r}")
        return collective_by_name(self.client, name)

    def asset(self, text: str) -> Asset:
        """`native` (or the coin's name), or `COLLECTIVE/CLASS`."""
        if text.lower() in ("native", self.native_coin.lower()):
            return NATIVE
        collective, sep, token = text.rpartition("/")
        if not sep:
            raise click.BadParameter(f"{text!r}: expected native or COLLECTIVE/CLASS")
        info = self.collective(collective)
        return Asset(info.id, info.class_index(token))

    def class_amounts(
        self, info: CollectiveInfo, items: tuple[str, ...]
    ) -> tuple[tuple[int, int], ...]:
        """`CLASS=AMOUNT` items as sorted (class index, amount) pairs."""
        pairs: dict[int, int] = {}
        for item in items:
            name, amount = split_pair(item, "CLASS=AMOUNT")
            index = info.class_index(name)
            if index in pairs:
                raise click.BadParameter(f"class {name!r} is given twice")
            pairs[index] = parse_amount(amount)
        return tuple(sorted(pairs.items()))


def collective_id(client: NodeClient, text: str) -> bytes:
    """A collective's 40-hex id as given, or the id of the one collective named `text`."""
    cid = _hex_id(text)
    return cid if cid is not None else collective_by_name(client, text)


def collective_by_name(client: NodeClient, name: str) -> bytes:
    found = [c for c in client.get("/v1/collectives")["collectives"] if c["name"] == name]
    if not found:
        raise NotFoundError(
            f"no collective named {name!r} on this chain: give its id (40 hex) or its exact name"
        )
    if len(found) > 1:
        ids = ", ".join(c["id"] for c in found)
        raise InvalidInputError(f"several collectives are named {name!r}: give an id ({ids})")
    return bytes.fromhex(found[0]["id"])


def _hex_id(text: str) -> bytes | None:
    raw = text.strip().removeprefix("0x")
    if len(raw) != 2 * COLLECTIVE_ID_LEN:
        return None
    try:
        return bytes.fromhex(raw)
    except ValueError:
        return None
