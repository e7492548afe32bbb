"""The human summary of a tx, shown before signing and by `tx show`.

It walks the payload's dataclass fields, so every tx kind gets a summary without code here, and
renders values the way a member reads them: amounts with the token's name (the native coin's name
from the node, a collective's token classes by name), parts per million as percentages, `*_ms`
times as UTC dates (or durations when small), addresses with the chain's prefix, collectives by
name. Names come from a `Names` lookup; offline (no node) ids are shown as hex.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import Enum
from typing import Any

from cli.wallet.txfile import render_value
from ledger.collectives.ids import COLLECTIVE_ID_LEN, Asset
from ledger.collectives.model import TokenClass
from ledger.governance.kinds import ProposalKind
from ledger.keys import Address
from ledger.tx import TxBody

LABEL_WIDTH = 12
DEFAULT_COIN = "coin"
AMOUNT_FIELDS = frozenset(
    {"amount", "tribute", "open_tribute", "dues", "proposal_deposit", "fee", "deposit", "minimum"}
)
TEXT_BYTES_FIELDS = frozenset({"invoice_ref"})  # bytes a person typed as text
PAIR_FIELDS = frozenset({"holdings", "burns", "amounts"})  # (token class, amount) pairs
_DATE_FROM_MS = 10**11  # below: a duration; above: a point in time (after 1973)
_PPM = 1_000_000
_KINDS = frozenset(int(k) for k in ProposalKind)
_UNITS = (("d", 86_400_000), ("h", 3_600_000), ("min", 60_000), ("s", 1000), ("ms", 1))


@dataclass(frozen=True, slots=True)
class CollectiveNames:
    name: str
    classes: tuple[str, ...]


def _no_collective(_cid: bytes) -> CollectiveNames | None:
    return None


@dataclass(slots=True)
class Names:
    """What the summary can name: the native coin, and collectives (by id, via the node)."""

    native: str = DEFAULT_COIN
    lookup: Callable[[bytes], CollectiveNames | None] = _no_collective
    _cache: dict[bytes, CollectiveNames | None] = field(default_factory=dict)

    def collective(self, cid: bytes) -> CollectiveNames | None:
        if cid not in self._cache:
            self._cache[cid] = self.lookup(cid)
        return self._cache[cid]

    def token(self, cid: bytes, token_class: int) -> str:
        known = self.collective(cid)
        if known is not None and 0 <= token_class < len(known.classes):
            return f"{known.name}/{known.classes[token_class]}"
        return f"{cid.hex()}/class {token_class}"

    def asset(self, asset: Asset) -> str:
        return self.native if asset.is_native else self.token(asset.collective, asset.token_class)


def event_attributes(attributes: dict[str, Any], names: Names) -> dict[str, Any]:
    """A tx result's event attributes with token classes by name: `token_class=shares` and
    `asset=<collective id>/shares` (both forms the wallet accepts back); the rest as the node
    showed them (see node/api/eventview.py)."""
    shown = dict(attributes)
    collective = attributes.get("collective")
    if isinstance(attributes.get("token_class"), int) and isinstance(collective, str):
        shown["token_class"] = _class_name(names, collective, attributes["token_class"])
    asset = attributes.get("asset")
    if isinstance(asset, str) and "/" in asset:
        cid, _, index = asset.partition("/")
        if index.isdigit():
            shown["asset"] = f"{cid}/{_class_name(names, cid, int(index))}"
    return shown


def _class_name(names: Names, cid_hex: str, index: int) -> str | int:
    try:
        cid = bytes.fromhex(cid_hex)
    except ValueError:
        return index
    known = names.collective(cid) if len(cid) == COLLECTIVE_ID_LEN else None
    if known is None or not 0 <= index < len(known.classes):
        return index
    return known.classes[index]


def as_text(value: bytes) -> str | None:
    """Bytes a person typed (an invoice reference), if they are printable UTF-8."""
    try:
        text = value.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return text if text.isprintable() else None


def quoted(value: str) -> str:
    """A string quoted and with control or invisible characters escaped: no terminal tricks."""
    escaped = ("\\" + c if c in '"\\' else c if c.isprintable() else ascii(c)[1:-1] for c in value)
    return '"' + "".join(escaped) + '"'


def percent(ppm: int) -> str:
    text = f"{ppm * 100 / _PPM:.4f}".rstrip("0").rstrip(".")
    return f"{text} %"


def utc_date(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def duration(ms: int) -> str:
    if ms == 0:
        return "0"
    parts = []
    for unit, size in _UNITS:
        if ms >= size:
            parts.append(f"{ms // size} {unit}")
            ms %= size
    return " ".join(parts[:2])


@dataclass(frozen=True, slots=True)
class _Scope:
    """What a payload says about the values inside it: its collective, asset and classes."""

    collective: bytes | None = None
    asset: Asset | None = None
    tribute_asset: Asset | None = None
    classes: tuple[str, ...] | None = None

    def within(self, value: Any) -> _Scope:
        get = getattr
        cid = get(value, "collective", None)
        classes = get(value, "classes", None)
        return _Scope(
            cid if isinstance(cid, bytes) and len(cid) == COLLECTIVE_ID_LEN else self.collective,
            get(value, "asset", None) if isinstance(get(value, "asset", None), Asset) else None,
            get(value, "tribute_asset", None) or self.tribute_asset,
            tuple(c.name for c in classes)
            if isinstance(classes, tuple) and classes and isinstance(classes[0], TokenClass)
            else self.classes,
        )


class Describer:
    def __init__(self, prefix: str, names: Names | None = None) -> None:
        self.prefix = prefix
        self.names = names or Names()

    def class_name(self, scope: _Scope, index: int) -> str:
        if scope.classes is not None and 0 <= index < len(scope.classes):
            return scope.classes[index]
        if scope.collective is not None:
            return self.names.token(scope.collective, index).rsplit("/", 1)[-1]
        return f"class {index}"

    def unit(self, name: str, scope: _Scope, parent: Any) -> str:
        if name == "tribute" and scope.tribute_asset is not None:
            return self.names.asset(scope.tribute_asset)
        if scope.asset is not None and name == "amount":
            return self.names.asset(scope.asset)
        token_class = getattr(parent, "token_class", None)
        if name == "amount" and isinstance(token_class, int) and scope.collective is not None:
            return self.names.token(scope.collective, token_class)
        return self.names.native

    def scalar(self, name: str, value: Any, scope: _Scope, parent: Any) -> str:
        if isinstance(value, Address):
            return value.to_text(self.prefix)
        if isinstance(value, Asset):
            return self.names.asset(value)
        if isinstance(value, str):
            return quoted(value)
        if isinstance(value, Enum):
            return value.name
        if isinstance(value, bool):
            return "yes" if value else "no"
        if isinstance(value, bytes) and name in TEXT_BYTES_FIELDS and as_text(value) is not None:
            return quoted(value.decode("utf-8"))
        if isinstance(value, bytes) and name == "collective" and len(value) == COLLECTIVE_ID_LEN:
            known = self.names.collective(value)
            return f"{quoted(known.name)} ({value.hex()})" if known else value.hex()
        if isinstance(value, int):
            if name.endswith("_ppm") or name == "ppm":
                return percent(value)
            if name.endswith("_ms"):
                return utc_date(value) if value >= _DATE_FROM_MS else duration(value)
            if name in AMOUNT_FIELDS:
                return f"{value} {self.unit(name, scope, parent)}"
        return json.dumps(render_value(value, self.prefix), ensure_ascii=True)

    def value(self, name: str, value: Any, scope: _Scope, parent: Any, indent: str) -> list[str]:
        label = f"{indent}{name}".ljust(LABEL_WIDTH - 1) + " "
        if isinstance(value, Asset | Address):
            return [label + self.scalar(name, value, scope, parent)]
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            inner = scope.within(value)
            lines = [f"{indent}{name}"]
            for f in dataclasses.fields(value):
                lines += self.value(f.name, getattr(value, f.name), inner, value, indent + "  ")
            return lines
        if isinstance(value, tuple):
            return self.sequence(name, value, scope, parent, indent)
        return [label + self.scalar(name, value, scope, parent)]

    def sequence(
        self, name: str, items: tuple[Any, ...], scope: _Scope, parent: Any, indent: str
    ) -> list[str]:
        label = f"{indent}{name}".ljust(LABEL_WIDTH - 1) + " "
        if not items:
            return [label + "(none)"]
        is_pair = all(isinstance(i, tuple) and len(i) == 2 for i in items)
        if name in PAIR_FIELDS and is_pair and all(isinstance(i[0], int) for i in items):
            rendered = [f"{amount} {self.class_name(scope, index)}" for index, amount in items]
            return [label + ", ".join(rendered)]
        if name == "holdings" and all(isinstance(i, int) for i in items):  # one per class
            rendered = [f"{a} {self.class_name(scope, i)}" for i, a in enumerate(items)]
            return [label + ", ".join(rendered)]
        if name == "policies" and is_pair and all(isinstance(i[0], int) for i in items):
            lines = [f"{indent}{name}"]
            for kind, policy in items:
                label_kind = ProposalKind(kind).name.lower() if kind in _KINDS else str(kind)
                lines += self.value(label_kind, policy, scope, parent, indent + "  ")
            return lines
        if is_pair and all(isinstance(i[0], Address) and isinstance(i[1], int) for i in items):
            return [
                label + ", ".join(f"{a.to_text(self.prefix)} {percent(ppm)}" for a, ppm in items)
            ]
        if all(not isinstance(i, tuple) and not dataclasses.is_dataclass(i) for i in items):
            return [label + ", ".join(self.scalar(name, i, scope, parent) for i in items)]
        lines = [f"{indent}{name}"]
        for i, item in enumerate(items):
            lines += self.value(f"[{i}]", item, scope, parent, indent + "  ")
        return lines

    def body(self, body: TxBody) -> list[str]:
        lines = [
            f"kind        {body.kind.name.lower()} ({int(body.kind)})",
            f"chain id    {quoted(body.chain_id)}",
            f"sender      {body.sender_address.to_text(self.prefix)}",
            f"public key  {body.sender.hex()}",
            f"nonce       {body.nonce}",
            f"fee         {body.fee} {self.names.native}",
        ]
        return lines + self.value("payload", body.payload, _Scope(), None, "")


def describe(body: TxBody, prefix: str, names: Names | None = None) -> list[str]:
    """Lines for a person: every field of the body, payload fields indented."""
    return Describer(prefix, names).body(body)
