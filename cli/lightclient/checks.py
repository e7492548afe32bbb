"""Compare a node's JSON answer with the state values proven for it.

The API's JSON views are built from state records with `node.api.views.jsonable`; the proven
record, viewed the same way, must give the same fields. Whatever the answer shows that is not a
proven key (a live tally, a pending nonce) is left out of the check and said so by the caller.
"""

from __future__ import annotations

from typing import Any

from cli.lightclient.errors import VerificationError
from cli.lightclient.signed import VerifiedState
from consensus.validators import ValidatorSet
from ledger.codec import MalformedError
from ledger.content import keys as content_keys
from ledger.content.records import ContentRecord, ModerationDecision
from ledger.keys import Address
from ledger.splits import keys as split_keys
from ledger.splits.records import PayoutRecord, SplitConfig, SplitLedger
from ledger.state import keys
from ledger.state.records import Account, ValidatorRecord
from node.api.splits import content_record_view, payout_view, split_record_view
from node.api.views import jsonable


def mismatch(what: str, field: str, shown: Any, proven: Any) -> VerificationError:
    return VerificationError(
        f"the node's {what} says {field} = {short(shown)}, but the proven state holds "
        f"{short(proven)}"
    )


def short(value: Any) -> str:
    """A value for a one-line error: its repr, cut at 120 characters."""
    text = repr(value)
    return text if len(text) <= 120 else text[:117] + "..."


def same(what: str, answer: dict[str, Any], proven: dict[str, Any]) -> None:
    """Every proven field must be shown as proven; the error names the first differing part
    (`members[0].holdings.shares`), so it stays one readable line."""
    for field, value in proven.items():
        if answer.get(field) != value:
            path, shown, held = first_difference(field, answer.get(field), value)
            raise mismatch(what, path, shown, held)


def first_difference(path: str, shown: Any, proven: Any) -> tuple[str, Any, Any]:
    if isinstance(shown, dict) and isinstance(proven, dict) and set(shown) == set(proven):
        for key, value in proven.items():
            if shown[key] != value:
                return first_difference(f"{path}.{key}", shown[key], value)
    if isinstance(shown, list) and isinstance(proven, list) and len(shown) == len(proven):
        for i, (a, b) in enumerate(zip(shown, proven, strict=True)):
            if a != b:
                return first_difference(f"{path}[{i}]", a, b)
    return path, shown, proven


def decode(decoder: Any, data: bytes | None, what: str) -> Any:
    if data is None:
        raise VerificationError(f"the proof shows that the {what} does not exist")
    try:
        return decoder(data)
    except (MalformedError, ValueError) as exc:
        raise VerificationError(f"the proven {what} does not decode: {exc}") from exc


def u64(data: bytes | None) -> int:
    return 0 if data is None else int.from_bytes(data, "big")


def listed(answer: dict[str, Any], name: str) -> list[dict[str, Any]]:
    items = answer.get(name)
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise VerificationError(f"the node's {name} are not a list of objects")
    return items


def check_account(
    answer: dict[str, Any], address: Address, hrp: str, verified: VerifiedState
) -> set[str]:
    """Existence, balance and nonce from the proven account record; returns the proven fields."""
    data = verified.get(keys.account(address.raw))
    account = Account() if data is None else decode(Account.decode, data, "account")
    proven = {
        "address": address.to_text(hrp),
        "exists": data is not None,
        "balance": account.balance,
        "nonce": account.nonce,
    }
    same("account", answer, proven)
    shown_key = answer.get("public_key")
    if shown_key is not None:  # self-certifying: the address is the hash of the key
        try:
            derived = Address.from_public_key(bytes.fromhex(str(shown_key)))
        except ValueError:
            derived = None
        if derived != address:
            raise VerificationError("the node shows a public key that is not this address's")
    return {*proven, "public_key"}


VALIDATOR_NODE_FIELDS = ("proposer_priority", "last_signed_height", "missed_blocks")
"""Per-validator fields the node keeps outside the state root (consensus and signing counters)."""


def validator_keys(answer: dict[str, Any], hrp: str) -> list[bytes]:
    """The signing set and the record of every listed validator."""
    out = [keys.chain_meta(b"validator_set")]
    for item in listed(answer, "validators"):
        out.append(keys.validator(_address(hrp, item.get("address")).raw))
    return out


def _address(hrp: str, text: Any) -> Address:
    try:
        return Address.parse(hrp, str(text))
    except ValueError:
        raise VerificationError(f"the node shows {text!r}, which is not an address") from None


def check_validators(
    answer: dict[str, Any], hrp: str, verified: VerifiedState
) -> tuple[ValidatorSet, set[str], list[str]]:
    """The proven set that signs the next height: the list must hold exactly its members, each
    with its proven record (name, keys, power), and the total and hash must be the set's.
    Returns the set, the proven fields and the per-validator fields left unproven."""
    key = keys.chain_meta(b"validator_set")
    validators: ValidatorSet = decode(ValidatorSet.decode, verified.get(key), "validator set")
    proven = sorted(
        (v.address.to_text(hrp), v.public_key.hex(), v.power) for v in validators.validators
    )
    items = listed(answer, "validators")
    shown = sorted((v.get("address"), v.get("public_key"), v.get("power")) for v in items)
    if shown != proven:
        raise mismatch("validator list", "validators", shown, proven)
    for item in items:
        address = _address(hrp, item.get("address"))
        record = decode(
            ValidatorRecord.decode, verified.get(keys.validator(address.raw)), "validator record"
        )
        want = {
            "name": record.name,
            "public_key": record.public_key.hex(),
            "power": record.power,
            "node_key": record.node_key.hex() if record.node_key else None,
        }
        same(f"validator {item.get('address')}", item, want)
    same(
        "validator list",
        answer,
        {"total_power": validators.total_power, "validators_hash": validators.hash().hex()},
    )
    fields = {"validators", "total_power", "validators_hash"}
    return validators, fields, [f"validators[].{f}" for f in VALIDATOR_NODE_FIELDS]


def check_split(
    answer: dict[str, Any],
    hrp: str,
    split_id: bytes,
    config_data: bytes | None,
    ledger_data: bytes | None,
) -> set[str]:
    """Every field of the split's config and ledger records (terms, owner and pending owner,
    lock date, tranches, balance); returns the proven fields."""
    config = decode(SplitConfig.decode, config_data, "split")
    ledger = None if ledger_data is None else decode(SplitLedger.decode, ledger_data, "ledger")
    proven = split_record_view(split_id, config, ledger, hrp)
    same("split", answer, proven)
    return set(proven)


MAX_PAYOUTS_PROVEN = 900  # history records proven with the split (one POST /v1/proofs)


def payout_keys(split_id: bytes, count: int) -> list[bytes]:
    """The split's ledger (its `next_seq` counts the payments) and `count` history records."""
    return [split_keys.ledger(split_id)] + [split_keys.history(split_id, s) for s in range(count)]


def check_payouts(
    payouts: list[dict[str, Any]], hrp: str, split_id: bytes, verified: VerifiedState
) -> None:
    """The node's payout history is every proven history record, each shown as it is."""
    data = verified.get(split_keys.ledger(split_id))
    count = 0 if data is None else decode(SplitLedger.decode, data, "split ledger").next_seq
    if len(payouts) != count:
        raise mismatch("split", "number of payments", len(payouts), count)
    for seq, item in enumerate(payouts):
        key = split_keys.history(split_id, seq)
        record = decode(PayoutRecord.decode, verified.get(key), f"payment {seq}")
        same(f"split's payment {seq}", item, payout_view(record, hrp))


def check_content(
    answer: dict[str, Any],
    hrp: str,
    content_hash: bytes,
    record_data: bytes | None,
    latest_data: bytes | None,
) -> set[str]:
    """The content record and its latest moderation decision; returns the proven fields."""
    record = decode(ContentRecord.decode, record_data, "content record")
    latest = (
        None
        if latest_data is None
        else decode(ModerationDecision.decode, latest_data, "moderation decision")
    )
    proven = content_record_view(content_hash, record, latest, hrp)
    same("content", answer, proven)
    return set(proven)


MODERATION_PAGE = 500  # decisions asked for and proven with the content (one POST /v1/proofs)


def moderation_keys(content_hash: bytes, shown: int) -> list[bytes]:
    """The record, the latest decision, and the history records of the decisions shown."""
    return [
        content_keys.record(content_hash),
        content_keys.moderation_latest(content_hash),
        *(content_keys.moderation_history(content_hash, seq) for seq in range(shown)),
    ]


def check_moderation_history(
    answer: dict[str, Any], hrp: str, content_hash: bytes, verified: VerifiedState
) -> bool:
    """The history shown is the proven decisions from the first, each shown as it is, and as
    many as there are (up to MODERATION_PAGE); returns whether it is the whole history."""
    history = listed(answer, "moderation_history")
    data = verified.get(content_keys.moderation_latest(content_hash))
    latest = None if data is None else decode(ModerationDecision.decode, data, "decision")
    count = 0 if latest is None else latest.seq + 1
    if len(history) != min(count, MODERATION_PAGE):
        raise mismatch("content", "number of moderation decisions", len(history), count)
    for seq, item in enumerate(history):
        key = content_keys.moderation_history(content_hash, seq)
        decision = decode(ModerationDecision.decode, verified.get(key), f"decision {seq}")
        same(f"content's moderation decision {seq}", item, jsonable(decision, hrp))
    return count <= MODERATION_PAGE
