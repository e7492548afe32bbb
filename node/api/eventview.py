"""Event attributes as a person pastes them back into a command.

An attribute's name says what it holds, so every value is shown in the form the wallet and the
API accept: a collective by its 40-hex id (never as an address, though it is 20 bytes too), an
asset as `native` or `COLLECTIVE/CLASS` (40 hex, a slash, the class index), an invoice reference
or memo as the text that was typed (hex only when it is not printable UTF-8), enum numbers by
name (`proposal_kind=SPEND`, `action=HIDE`), and a party by its kind (`grantee_kind=ACCOUNT`
with `grantee` an address; a split or a collective as hex). Other 20-byte values are addresses,
other bytes hex, integers and strings stay as they are.
"""

from __future__ import annotations

from enum import IntEnum

from ledger.codec import MalformedError
from ledger.collectives.ids import COLLECTIVE_ID_LEN, Asset
from ledger.content.records import ModerationAction
from ledger.governance.kinds import ProposalKind, Role
from ledger.keys import ADDRESS_LEN, Address
from ledger.splits.admin import OwnerAction
from ledger.splits.parties import PartyKind
from ledger.splits.records import SplitMode
from ledger.state.events import AttributeValue, Event

AttributeView = int | str

_ENUMS: dict[str, type[IntEnum]] = {
    "proposal_kind": ProposalKind,
    "role": Role,
    "owner_action": OwnerAction,
    "grantee_kind": PartyKind,
    "target_kind": PartyKind,
    "party_kind": PartyKind,
    "owner_kind": PartyKind,
}
_ENUMS_BY_EVENT: dict[tuple[str, str], type[IntEnum]] = {
    ("split_created", "mode"): SplitMode,
}
_HEX_NAMES = frozenset({"collective", "content", "content_hash", "split", "stream", "node_key"})
_TEXT_NAMES = frozenset({"invoice_ref", "memo"})
_MODERATION_ACTIONS = frozenset({"action"})


def event_view(event: Event, hrp: str) -> dict[str, object]:
    attributes = dict(event.attributes)
    shown = {k: attribute_view(event.kind, k, v, attributes, hrp) for k, v in event.attributes}
    return {"kind": event.kind, "attributes": shown}


def attribute_view(
    kind: str, name: str, value: AttributeValue, siblings: dict[str, AttributeValue], hrp: str
) -> AttributeView:
    if isinstance(value, int):
        enum = _ENUMS.get(name) or _ENUMS_BY_EVENT.get((kind, name))
        if enum is None and name in _MODERATION_ACTIONS and kind.startswith("moderation"):
            enum = ModerationAction
        return _enum_name(enum, value) if enum is not None else value
    if isinstance(value, str):
        return value
    if name == "asset":
        return asset_text(value)
    if name in _TEXT_NAMES:
        return bytes_text(value)
    if name in _HEX_NAMES:
        return value.hex()
    party_kind = siblings.get(name + "_kind")
    if isinstance(party_kind, int):
        return _party_id(party_kind, value, hrp)
    return Address(value).to_text(hrp) if len(value) == ADDRESS_LEN else value.hex()


def asset_text(raw: bytes) -> str:
    """`native`, or the collective's 40-hex id, a slash and the class index."""
    try:
        asset = Asset.parse(raw)
    except MalformedError:
        return raw.hex()
    return "native" if asset.is_native else f"{asset.collective.hex()}/{asset.token_class}"


def _enum_name(enum: type[IntEnum], value: int) -> AttributeView:
    try:
        return enum(value).name
    except ValueError:
        return value


def bytes_text(value: bytes) -> str:
    """Bytes a person typed (an invoice reference) as their text; hex when not printable."""
    try:
        text = value.decode("utf-8")
    except UnicodeDecodeError:
        return value.hex()
    return text if text.isprintable() else value.hex()


def _party_id(kind: int, value: bytes, hrp: str) -> str:
    if kind == PartyKind.ACCOUNT and len(value) == ADDRESS_LEN:
        return Address(value).to_text(hrp)
    if kind == PartyKind.TOKEN_HOLDERS and len(value) == COLLECTIVE_ID_LEN + 1:
        return asset_text(value)
    return value.hex()
