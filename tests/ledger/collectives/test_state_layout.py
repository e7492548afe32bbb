"""The state keys of collectives, byte for byte as ledger/collectives/keys.py documents them:
every node hashes these bytes into the app hash, so a drift in one width or order forks the
chain (and a scan by prefix relies on the order of the parts)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from ledger.collectives import keys

CID = bytes([0xC1]) * 20
WHO = bytes([0xA1]) * 20
OTHER = bytes([0xB2]) * 20
CLASS = CID + b"\x03"  # a class asset: collective id + class index
ASSET = bytes([0xD4]) * 20 + b"\x01"
HEIGHT = bytes.fromhex("0102030405060708")
LAYOUT: list[tuple[str, Callable[[], bytes], bytes]] = [
    ("collective", lambda: keys.collective(CID), b"\x10" + CID),
    ("policy", lambda: keys.policy(CID, 0x0102), b"\x11" + CID + b"\x01\x02"),
    ("member", lambda: keys.member(CID, WHO), b"\x12" + CID + WHO),
    ("holding", lambda: keys.holding(CID, 3, WHO), b"\x13" + CID + b"\x03" + WHO),
    ("supply", lambda: keys.supply(CID, 3), b"\x14" + CID + b"\x03"),
    ("treasury", lambda: keys.treasury(CID, ASSET), b"\x15" + CID + ASSET),
    ("power", lambda: keys.power(CID, WHO), b"\x16" + CID + WHO),
    (
        "power_history",
        lambda: keys.power_history(CID, WHO, 0x0102030405060708),
        b"\x17" + CID + WHO + HEIGHT,
    ),
    ("delegation", lambda: keys.delegation(CID, WHO, 0x0102), b"\x18" + CID + WHO + b"\x01\x02"),
    (
        "delegation_history",
        lambda: keys.delegation_history(CID, WHO, 0x0102, 0x0102030405060708),
        b"\x19" + CID + WHO + b"\x01\x02" + HEIGHT,
    ),
    ("role", lambda: keys.role(CID, 5, WHO), b"\x1a" + CID + b"\x05" + WHO),
    ("role_lock", lambda: keys.role_lock(CID, 5), b"\x1b" + CID + b"\x05"),
    ("expelled", lambda: keys.expelled(CID, WHO), b"\x1c" + CID + WHO),
    ("body_sync", lambda: keys.body_sync(0x0102030405060708, WHO), b"\x1d" + HEIGHT + WHO),
    ("member_count", lambda: keys.member_count(CID), b"\x1e" + CID),
    (
        "exit_lock",
        lambda: keys.exit_lock(CID, WHO, 0x0102030405060708),
        b"\x1f" + CID + WHO + HEIGHT,
    ),
    ("dated", lambda: keys.dated(CLASS, HEIGHT + b"\x09"), b"\x20" + CLASS + HEIGHT + b"\x09"),
    ("dated_pending", lambda: keys.dated_pending(CLASS), b"\x21" + CLASS),
    ("dated_holding", lambda: keys.dated_holding(CLASS, WHO), b"\x22" + CLASS + WHO),
    ("holder_pool", lambda: keys.holder_pool(CLASS, ASSET), b"\x28" + CLASS + ASSET),
    (
        "entitlement",
        lambda: keys.entitlement(CLASS, WHO, ASSET),
        b"\x29" + CLASS + WHO + ASSET,
    ),
    ("held", lambda: keys.held(CID, 3), b"\x2a" + CID + b"\x03"),
    ("pool_assets", lambda: keys.pool_assets(CLASS), b"\x2b" + CLASS),
    ("delegators", lambda: keys.delegators(CID, WHO, OTHER), b"\x2c" + CID + WHO + OTHER),
    ("power_total", lambda: keys.power_total(CID), b"\x2d" + CID),
    (
        "power_expiry",
        lambda: keys.power_expiry(CID, 0x0102030405060708, WHO),
        b"\x2e" + CID + HEIGHT + WHO,
    ),
    (
        "power_changed",
        lambda: keys.power_changed(CID, 0x0102030405060708, WHO),
        b"\x2f" + CID + HEIGHT + WHO,
    ),
]


@pytest.mark.parametrize(("name", "key", "expected"), LAYOUT, ids=[n for n, _, _ in LAYOUT])
def test_a_state_key_is_its_prefix_and_parts_in_their_documented_widths(
    name: str, key: Callable[[], bytes], expected: bytes
) -> None:
    assert key() == expected, name


def test_every_prefix_is_distinct_and_within_the_collectives_range() -> None:
    prefixes = [value for name, value in vars(keys).items() if name.isupper()]
    assert len(set(prefixes)) == len(prefixes)
    assert all(len(p) == 1 and 0x10 <= p[0] <= 0x2F for p in prefixes)
