"""State keys of collectives (prefixes 0x10-0x2f); integers are big-endian fixed width.

Every key of one collective starts with `prefix + collective id`, so a prefix scan lists one
collective's members, holders or treasury assets in address (or asset) order.
"""

from __future__ import annotations

from ledger.state.keys import u64

COLLECTIVE = b"\x10"  # + cid -> Collective
POLICY = b"\x11"  # + cid + kind(2) -> Policy (an override of the kind's default)
MEMBER = b"\x12"  # + cid + address -> Member
HOLDING = b"\x13"  # + cid + class(1) + address -> u64
SUPPLY = b"\x14"  # + cid + class(1) -> u64 total minted and not burned
TREASURY = b"\x15"  # + cid + asset raw -> u64
POWER = b"\x16"  # + cid + address -> PowerPoint (the latest checkpoint)
POWER_HISTORY = b"\x17"  # + cid + address + height(8) -> PowerPoint
DELEGATION = b"\x18"  # + cid + address + scope(2) -> DelegationPoint (the latest)
DELEGATION_HISTORY = b"\x19"  # + cid + address + scope(2) + height(8) -> DelegationPoint
ROLE = b"\x1a"  # + cid + role(1) + address -> u64 expiry in ms (0: none)
ROLE_LOCK = b"\x1b"  # + cid + role(1) -> b"\x01"
EXPELLED = b"\x1c"  # + cid + address -> u64 height of the expulsion
BODY_SYNC = b"\x1d"  # + height(8) + address -> b"" (validators body follows the active set)
MEMBER_COUNT = b"\x1e"  # + cid -> u64
EXIT_LOCK = b"\x1f"  # + cid + address + proposal id(8) -> b"" (a yes vote on a value-moving one)
DATED = b"\x20"  # + class asset(21) + distribution id(9) -> Dated (ledger.collectives.record_dates)
DATED_PENDING = b"\x21"  # + class asset(21) -> [distribution id...] awaiting execution
DATED_HOLDING = b"\x22"  # + class asset(21) + address -> [[distribution id, held at record]...]
HOLDER_POOL = b"\x28"  # + class asset(21) + paid asset raw -> Pool (ledger.collectives.payouts)
ENTITLEMENT = b"\x29"  # + class asset(21) + address + paid asset raw -> Entitlement
HELD = b"\x2a"  # + cid + class(1) -> u64 units of the class that accounts hold
POOL_ASSETS = b"\x2b"  # + class asset(21) -> [paid asset raw...] (the class's pools, in order)
DELEGATORS = b"\x2c"  # + cid + delegate + delegator -> b"" (ever named as delegate; add-only)
POWER_TOTAL = b"\x2d"  # + cid -> [never-lapsing power, lapsing power not yet folded]
POWER_EXPIRY = b"\x2e"  # + cid + voting_until(8) + address -> u64 power (lapsing, not folded)
POWER_CHANGED = b"\x2f"  # + cid + height(8) + address -> [power, voting_until] before that block


def collective(cid: bytes) -> bytes:
    return COLLECTIVE + cid


def policy(cid: bytes, kind: int) -> bytes:
    return POLICY + cid + kind.to_bytes(2, "big")


def member(cid: bytes, address_raw: bytes) -> bytes:
    return MEMBER + cid + address_raw


def holding(cid: bytes, token_class: int, address_raw: bytes) -> bytes:
    return HOLDING + cid + bytes([token_class]) + address_raw


def supply(cid: bytes, token_class: int) -> bytes:
    return SUPPLY + cid + bytes([token_class])


def treasury(cid: bytes, asset_raw: bytes) -> bytes:
    return TREASURY + cid + asset_raw


def power(cid: bytes, address_raw: bytes) -> bytes:
    return POWER + cid + address_raw


def power_history(cid: bytes, address_raw: bytes, height: int) -> bytes:
    return POWER_HISTORY + cid + address_raw + u64(height)


def delegation(cid: bytes, address_raw: bytes, scope: int) -> bytes:
    return DELEGATION + cid + address_raw + scope.to_bytes(2, "big")


def delegation_history(cid: bytes, address_raw: bytes, scope: int, height: int) -> bytes:
    return DELEGATION_HISTORY + cid + address_raw + scope.to_bytes(2, "big") + u64(height)


def role(cid: bytes, role_id: int, address_raw: bytes) -> bytes:
    return ROLE + cid + bytes([role_id]) + address_raw


def role_lock(cid: bytes, role_id: int) -> bytes:
    return ROLE_LOCK + cid + bytes([role_id])


def expelled(cid: bytes, address_raw: bytes) -> bytes:
    return EXPELLED + cid + address_raw


def body_sync(height: int, address_raw: bytes) -> bytes:
    return BODY_SYNC + u64(height) + address_raw


def member_count(cid: bytes) -> bytes:
    return MEMBER_COUNT + cid


def exit_lock(cid: bytes, address_raw: bytes, proposal_id: int) -> bytes:
    return EXIT_LOCK + cid + address_raw + u64(proposal_id)


def holder_pool(class_raw: bytes, asset_raw: bytes) -> bytes:
    return HOLDER_POOL + class_raw + asset_raw


def entitlement(class_raw: bytes, address_raw: bytes, asset_raw: bytes) -> bytes:
    return ENTITLEMENT + class_raw + address_raw + asset_raw


def held(cid: bytes, token_class: int) -> bytes:
    return HELD + cid + bytes([token_class])


def dated(class_raw: bytes, dist_id: bytes) -> bytes:
    return DATED + class_raw + dist_id


def dated_pending(class_raw: bytes) -> bytes:
    return DATED_PENDING + class_raw


def dated_holding(class_raw: bytes, address_raw: bytes) -> bytes:
    return DATED_HOLDING + class_raw + address_raw


def pool_assets(class_raw: bytes) -> bytes:
    return POOL_ASSETS + class_raw


def delegators(cid: bytes, delegate_raw: bytes, delegator_raw: bytes) -> bytes:
    return DELEGATORS + cid + delegate_raw + delegator_raw


def power_total(cid: bytes) -> bytes:
    return POWER_TOTAL + cid


def power_expiry(cid: bytes, until: int, address_raw: bytes) -> bytes:
    return POWER_EXPIRY + cid + u64(until) + address_raw


def power_changed(cid: bytes, height: int, address_raw: bytes) -> bytes:
    return POWER_CHANGED + cid + u64(height) + address_raw
