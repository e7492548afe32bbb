"""Parsing what members type for governance, splits and content: ids, assets, parties, percents,
durations, dates and ballots. Every mistake becomes a click error naming the option, never a
traceback; the chain's own stateless checks run here too (`checked`), so a tx the node would
refuse for its shape is refused before anything is signed.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar

import click

from cli.errors import InvalidInputError
from ledger.collectives.ids import ASSET_TOKEN_LEN, COLLECTIVE_ID_LEN, MAX_TOKEN_CLASSES, Asset
from ledger.collectives.params import PPM
from ledger.errors import TxError
from ledger.governance.ballots import Ballot
from ledger.governance.kinds import BinaryOption
from ledger.keys import PUBLIC_KEY_LEN, Address
from ledger.splits.parties import SPLIT_ID_LEN, Party, PartyKind

T = TypeVar("T")

_UNITS_MS = {"ms": 1, "s": 1_000, "m": 60_000, "h": 3_600_000, "d": 86_400_000, "w": 604_800_000}
_DURATION = re.compile(r"^(\d+)(ms|s|m|h|d|w)$")
BINARY_NAMES = {o.name.lower(): int(o) for o in BinaryOption}


@contextmanager
def checked(what: str = "") -> Iterator[None]:
    """Turn the ledger's stateless refusals (`TxError`) into a clean input error."""
    try:
        yield
    except TxError as error:
        prefix = f"{what}: " if what and not error.message.startswith(what) else ""
        raise InvalidInputError(f"{prefix}{error.message} ({error.code.name})") from error


def hex_bytes(text: str, length: int, what: str) -> bytes:
    try:
        data = bytes.fromhex(text.strip().removeprefix("0x"))
    except ValueError:
        raise click.BadParameter(f"{what} is not hex: {text!r}") from None
    if len(data) != length:
        raise click.BadParameter(f"{what} is {length} bytes ({2 * length} hex digits)")
    return data


class HexType(click.ParamType[bytes]):
    """Fixed-length hex: collective ids (20 bytes), split ids and hashes (32), public keys."""

    def __init__(self, length: int, what: str) -> None:
        self.length = length
        self.what = what
        self.name = f"HEX{length}"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, bytes):
            return value
        try:
            return hex_bytes(str(value), self.length, self.what)
        except click.BadParameter as exc:
            self.fail(exc.message, param, ctx)


COLLECTIVE_ID = HexType(COLLECTIVE_ID_LEN, "a collective id")
SPLIT_ID = HexType(SPLIT_ID_LEN, "a split id")
HASH32 = HexType(32, "a hash")
PUBLIC_KEY = HexType(PUBLIC_KEY_LEN, "a public key")


def parse_asset(text: str) -> Asset:
    """`native`, or `COLLECTIVE_ID/CLASS` (a token class of a collective)."""
    text = text.strip()
    if text.lower() == "native":
        return Asset()
    cid_text, sep, class_text = text.partition("/")
    if not sep or not class_text.isdigit():
        raise click.BadParameter(
            "an asset is 'native' or COLLECTIVE/CLASS: the collective's id or name, the class's "
            "name or index (e.g. 70f1…17ee/credits or 70f1…17ee/0)"
        )
    token_class = int(class_text)
    if token_class >= MAX_TOKEN_CLASSES:
        raise click.BadParameter(f"a token class is 0 to {MAX_TOKEN_CLASSES - 1}")
    raw = hex_bytes(cid_text, COLLECTIVE_ID_LEN, "a collective id") + bytes([token_class])
    assert len(raw) == ASSET_TOKEN_LEN
    return Asset.parse(raw)


class AssetType(click.ParamType[Asset | str]):
    """An `Asset` when given as `native` or `ID/INDEX`; `COLLECTIVE/CLASS` with a collective's
    name or a class name stays text, resolved through the node by `TxBuilder.asset`."""

    name = "ASSET"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, Asset):
            return value
        text = str(value).strip()
        try:
            return parse_asset(text)
        except click.BadParameter as exc:
            collective, _, token = text.rpartition("/")
            if collective and token and not token.isdigit():
                return text  # a class name: the node knows the collective's classes
            if collective and token and not _hex_like(collective):
                return text  # a collective's name
            self.fail(exc.message, param, ctx)


def _hex_like(text: str) -> bool:
    return all(c in "0123456789abcdefABCDEFx" for c in text)


ASSET = AssetType()


def parse_ppm(text: str) -> int:
    """`12.5%` or `125000ppm` (or a bare integer of ppm) as parts per million."""
    text = text.strip().replace("_", "")
    try:
        if text.endswith("%"):
            value = Decimal(text[:-1]) * 10_000
        else:
            value = Decimal(text.removesuffix("ppm"))
    except InvalidOperation:
        raise click.BadParameter(f"{text!r} is not a percentage (12.5%) or ppm (125000)") from None
    if value != value.to_integral_value() or not 0 <= value <= PPM:
        raise click.BadParameter(f"{text!r} must be 0% to 100% in whole parts per million")
    return int(value)


class PpmType(click.ParamType[int]):
    name = "PERCENT"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, int):
            return value
        try:
            return parse_ppm(str(value))
        except click.BadParameter as exc:
            self.fail(exc.message, param, ctx)


PERCENT = PpmType()


def parse_duration(text: str) -> int:
    """`90s`, `15m`, `2h`, `3d`, `1w`, `1500ms` (or `0`) in milliseconds."""
    text = text.strip()
    if text == "0":
        return 0
    match = _DURATION.match(text)
    if match is None:
        raise click.BadParameter(f"{text!r} is not a duration like 90s, 15m, 2h, 3d, 1w or 500ms")
    return int(match.group(1)) * _UNITS_MS[match.group(2)]


class DurationType(click.ParamType[int]):
    name = "DURATION"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, int):
            return value
        try:
            return parse_duration(str(value))
        except click.BadParameter as exc:
            self.fail(exc.message, param, ctx)


DURATION = DurationType()


def parse_time(text: str, now_ms: Callable[[], int] | None = None) -> int:
    """A point in time as ms since the epoch: ISO 8601 (`2027-01-31`, `2027-01-31T12:00Z`; UTC
    when no zone is given), `+DURATION` from now, or `0` (none)."""
    text = text.strip()
    if text == "0":
        return 0
    if text.startswith("+"):
        clock = now_ms or (lambda: int(dt.datetime.now(dt.UTC).timestamp() * 1000))
        return clock() + parse_duration(text[1:])
    try:
        when = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise click.BadParameter(
            f"{text!r} is not a date (2027-01-31, 2027-01-31T12:00Z) or +DURATION"
        ) from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    ms = int(when.timestamp() * 1000)
    if ms < 0:
        raise click.BadParameter("dates before 1970 are not allowed")
    return ms


class TimeType(click.ParamType[int]):
    name = "DATE"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, int):
            return value
        try:
            return parse_time(str(value))
        except click.BadParameter as exc:
            self.fail(exc.message, param, ctx)


TIME = TimeType()


def format_time(ms: int) -> str:
    if ms == 0:
        return "none"
    return dt.datetime.fromtimestamp(ms / 1000, dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def format_duration(ms: int) -> str:
    for unit in ("w", "d", "h", "m", "s"):
        size = _UNITS_MS[unit]
        if ms and ms % size == 0:
            return f"{ms // size}{unit}"
    return f"{ms}ms"


def format_ppm(ppm: int) -> str:
    return f"{Decimal(ppm) / 10_000:f}%"


def share_percent(share: int, total: int) -> str:
    return f"{Decimal(share * 100) / Decimal(total):.2f}%"


def parse_party(text: str, prefix: str) -> Party:
    """An address (`tcot1…`), `split:ID`, `collective:ID` (its treasury) or `holders:ID/CLASS`
    (the holders of a token class, pro rata)."""
    text = text.strip()
    kind, sep, rest = text.partition(":")
    if not sep:
        return Party.account(Address.parse(prefix, text))
    kind = kind.lower()
    if kind == "split":
        return Party.split(hex_bytes(rest, SPLIT_ID_LEN, "a split id"))
    if kind == "collective":
        return Party(PartyKind.COLLECTIVE, hex_bytes(rest, COLLECTIVE_ID_LEN, "a collective id"))
    if kind == "holders":
        asset = parse_asset(rest)
        if asset.is_native:
            raise click.BadParameter("holders:COLLECTIVE_ID/CLASS names a token class")
        return Party(PartyKind.TOKEN_HOLDERS, asset.raw)
    raise click.BadParameter(
        f"{text!r}: a party is an address, split:ID, collective:ID or holders:ID/CLASS"
    )


def format_party(party: Party, prefix: str) -> str:
    if party.kind is PartyKind.ACCOUNT:
        return party.address.to_text(prefix)
    if party.kind is PartyKind.TOKEN_HOLDERS and len(party.id) == ASSET_TOKEN_LEN:
        return f"holders:{party.id[:-1].hex()}/{party.id[-1]}"
    return f"{party.kind.name.lower()}:{party.id.hex()}"


def split_pair(text: str, what: str) -> tuple[str, str]:
    """`LEFT=RIGHT` (the right side is taken after the last '=')."""
    left, sep, right = text.rpartition("=")
    if not sep or not left or not right:
        raise click.BadParameter(f"{text!r}: expected {what}")
    return left.strip(), right.strip()


def parse_int(text: str, what: str, minimum: int = 0) -> int:
    try:
        value = int(text.replace("_", ""))
    except ValueError:
        raise click.BadParameter(f"{text!r} is not a whole number ({what})") from None
    if value < minimum:
        raise click.BadParameter(f"{what} must be at least {minimum}")
    return value


def _option_number(text: str) -> int:
    name = text.strip().lower()
    if name in BINARY_NAMES:
        return BINARY_NAMES[name]
    return parse_int(name, "a choice number (or yes/no/abstain/veto)")


def parse_ballot(specs: tuple[str, ...]) -> Ballot:
    """Ballot options in order: `yes`, `no`, `abstain`, `veto` or a choice number, each
    optionally `=WEIGHT` (a percentage, or ppm) to split the vote; weights sum to 100%."""
    if not specs:
        raise click.BadParameter("give at least one option (yes, no, abstain, veto or a choice)")
    options: list[int] = []
    weights: list[int] = []
    for spec in specs:
        if "=" in spec:
            name, weight = split_pair(spec, "OPTION=WEIGHT")
            options.append(_option_number(name))
            weights.append(parse_ppm(weight))
        else:
            options.append(_option_number(spec))
    if weights and len(weights) != len(options):
        raise click.BadParameter("give a weight for every option or for none")
    if len(set(options)) != len(options):
        raise click.BadParameter("an option is listed twice")
    if weights and sum(weights) != PPM:
        raise click.BadParameter(f"weights sum to {format_ppm(sum(weights))}, not 100%")
    if any(w == 0 for w in weights):
        raise click.BadParameter("every weight must be positive")
    return Ballot(tuple(options), tuple(weights))


def describe_ballot(ballot: Ballot, choices: Sequence[str] | None = None) -> str:
    """`yes`, `no 30%`, or `choice 2 (blue)`: a poll's options with their labels."""
    if choices is None:
        names = {v: k for k, v in BINARY_NAMES.items()}
    else:
        names = {i: f"choice {i} ({label})" for i, label in enumerate(choices)}
    parts = [names.get(o, f"choice {o}") for o in ballot.options]
    if ballot.weights:
        parts = [f"{p} {format_ppm(w)}" for p, w in zip(parts, ballot.weights, strict=True)]
    return ", ".join(parts)


def bad_param(hint: str, exc: click.BadParameter) -> click.BadParameter:
    """The same error, naming the option it came from (for values parsed after click)."""
    return click.BadParameter(exc.message, param_hint=hint)


@contextmanager
def for_option(hint: str) -> Iterator[None]:
    try:
        yield
    except click.BadParameter as exc:
        if exc.param_hint is None and exc.param is None:
            raise bad_param(hint, exc) from None
        raise
